package io.tandem.app.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The pure parts of {@code tandem dlq}: filters, the replay order, what a replay leaves out. */
class ReplayPlanTest {

  /** A dead letter at {@code dlqOffset} of {@code stage}'s topic, refused from {@code source}/{@code partition}/{@code offset}. */
  static DeadLetterEntry letter(DlqStage stage, long dlqOffset, String source, Integer partition, Long offset,
      String reason, long position) {
    RecordHeaders headers = new RecordHeaders();
    new DeadLetter(stage.label(), reason, "X", source, partition, offset).writeTo(headers, position);
    ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(stage.topic(), 0, dlqOffset, 1000 + dlqOffset,
        TimestampType.CREATE_TIME, 1, 1, new byte[] {1}, new byte[] {2}, headers, Optional.empty());
    return DeadLetterEntry.of(stage, record);
  }

  @Test
  void replayOrderIsPerSourcePartitionByOriginalOffset() {
    DeadLetterEntry late = letter(DlqStage.TRANSFORM, 0, "legacy.db.public.customers", 1, 90L, "r", 900);
    DeadLetterEntry early = letter(DlqStage.TRANSFORM, 1, "legacy.db.public.customers", 1, 10L, "r", 100);
    DeadLetterEntry otherPartition = letter(DlqStage.TRANSFORM, 2, "legacy.db.public.customers", 0, 50L, "r", 500);
    DeadLetterEntry sink = letter(DlqStage.SINK, 0, "migrated.customer", 0, 5L, "r", 50);

    ReplayPlan plan = ReplayPlan.of(List.of(late, sink, early, otherPartition), Map.of(), 0);

    assertThat(plan.toReplay()).containsExactly(otherPartition, early, late, sink);
    assertThat(plan.alreadyReplayed()).isEmpty();
  }

  @Test
  void aReplayedDeadLetterAndItsSecondCopyAreNotPutBackAgain() {
    DeadLetterEntry first = letter(DlqStage.SINK, 3, "migrated.customer", 0, 7L, "r", 70);
    DeadLetterEntry copy = letter(DlqStage.SINK, 4, "migrated.customer", 0, 7L, "r", 70); // sink crashed, sent it twice
    DeadLetterEntry fresh = letter(DlqStage.SINK, 5, "migrated.customer", 0, 8L, "r", 80);

    ReplayPlan once = ReplayPlan.of(List.of(first, copy, fresh), Map.of(), 0);
    assertThat(once.toReplay()).containsExactly(first, fresh);
    assertThat(once.duplicates()).containsExactly(copy);

    // The markers of that run: the second run puts nothing back.
    Map<String, Long> markers = Map.of(first.coordinates(), first.record().timestamp(), fresh.coordinates(),
        fresh.record().timestamp());
    ReplayPlan twice = ReplayPlan.of(List.of(first, copy, fresh), markers, 0);
    assertThat(twice.toReplay()).isEmpty();
    assertThat(twice.alreadyReplayed()).containsExactlyInAnyOrder(first, copy, fresh);

    // A marker of another record at the same offset (the topic was re-created) does not count.
    ReplayPlan recreated = ReplayPlan.of(List.of(fresh), Map.of(fresh.coordinates(), 1L), 0);
    assertThat(recreated.toReplay()).containsExactly(fresh);
  }

  @Test
  void captureDeadLettersAreNotReplayableAndTheLimitDefersTheRest() {
    DeadLetterEntry capture = letter(DlqStage.CAPTURE, 0, "legacy.db.public.customers", null, null, "r", 5);
    DeadLetterEntry a = letter(DlqStage.TRANSFORM, 0, "legacy.db.public.customers", 0, 1L, "r", 10);
    DeadLetterEntry b = letter(DlqStage.TRANSFORM, 1, "legacy.db.public.customers", 0, 2L, "r", 20);

    ReplayPlan plan = ReplayPlan.of(List.of(capture, b, a), Map.of(), 1);

    assertThat(plan.notReplayable()).containsExactly(capture);
    assertThat(plan.toReplay()).containsExactly(a);
    assertThat(plan.deferred()).isEqualTo(1);
  }

  @Test
  void filtersSelectByStageEntityTableReasonAndOffsets() {
    DeadLetterEntry transform = letter(DlqStage.TRANSFORM, 4, "legacy.shop.public.customers", 0, 1L,
        "mapping customer: unknown code 'Q'", 10);
    DeadLetterEntry sink = letter(DlqStage.SINK, 9, "migrated.customer", 0, 2L, "SQLState 23514", 20);
    DeadLetterEntry order = letter(DlqStage.SINK, 10, "migrated.customer_order", 0, 3L, "SQLState 23514", 30);

    DeadLetterFilter customer = new DeadLetterFilter(Set.of(DlqStage.values()),
        DeadLetterFilter.entitySources("customer", List.of("public.customers")), null, null, null, null);
    assertThat(List.of(transform, sink, order)).filteredOn(customer::matches).containsExactly(transform, sink);

    DeadLetterFilter sinkOnly = new DeadLetterFilter(Set.of(DlqStage.SINK), null, null, "sqlstate", 10L, null);
    assertThat(List.of(transform, sink, order)).filteredOn(sinkOnly::matches).containsExactly(order);

    DeadLetterFilter table = new DeadLetterFilter(Set.of(DlqStage.values()), null, "customers", "CODE 'q'", null, 4L);
    assertThat(List.of(transform, sink, order)).filteredOn(table::matches).containsExactly(transform);
    assertThat(table.describe(null)).isEqualTo("stage=capture,transform,sink,capture-new,reverse,sink-legacy"
        + " table=customers reason~'CODE 'q'' offsets=..4");

    assertThatThrownBy(() -> new DeadLetterFilter(Set.of(DlqStage.SINK), null, null, null, 5L, 4L))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after");
  }

  @Test
  void anEntryReadsItsEnvelopePositionAndReplayOrigin() {
    DeadLetterEntry entry = letter(DlqStage.SINK, 2, "migrated.customer", 1, 7L, "refused", 77);
    assertThat(entry.position()).isEqualTo(77L);
    assertThat(entry.source()).isEqualTo("migrated.customer/1/7");
    assertThat(entry.coordinates()).isEqualTo("tandem.dlq.sink/0/2");
    assertThat(entry.replayOf()).isNull();
    entry.record().headers().add(DeadLetter.REPLAY_OF, ChangeHeaders.utf8("tandem.dlq.sink/0/1"));
    assertThat(DeadLetterEntry.of(DlqStage.SINK, entry.record()).replayOf()).isEqualTo("tandem.dlq.sink/0/1");
  }
}
