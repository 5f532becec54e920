package io.tandem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  @Test
  void theEnvelopeReadsBackAsWritten() {
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("migrated.customer", 2, 17L, new byte[] {1},
        new byte[] {2});
    source.headers().add(ChangeHeaders.OP, ChangeHeaders.utf8("u"));

    ProducerRecord<byte[], byte[]> letter = DeadLetter.of("sink", "SQLState 23514: check", "java.sql.SQLException",
        source).record("tandem.dlq.sink", source.key(), source.value(), source.headers(), 42L);

    assertThat(letter.topic()).isEqualTo("tandem.dlq.sink");
    assertThat(letter.key()).containsExactly(1);
    assertThat(letter.value()).containsExactly(2);
    assertThat(DeadLetter.read(letter.headers())).contains(new DeadLetter("sink", "SQLState 23514: check",
        "java.sql.SQLException", "migrated.customer", 2, 17L));
    assertThat(ChangeHeaders.text(letter.headers(), ChangeHeaders.OP)).isEqualTo("u");
    assertThat(ChangeHeaders.longValue(letter.headers(), ChangeHeaders.POSITION)).isEqualTo(42L);
    assertThat(source.headers().lastHeader(DeadLetter.REASON)).as("the source record is untouched").isNull();
  }

  @Test
  void aRecordRefusedAgainIsDescribedOnceAndKeepsItsPosition() {
    Headers headers = new RecordHeaders();
    ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, 7);
    new DeadLetter("transform", "first", "A", "legacy.db.public.t", 0, 1L).writeTo(headers, 7L);

    new DeadLetter("sink", "second", "B", "migrated.t", 1, 9L).writeTo(headers, 99L);

    assertThat(headers.headers(DeadLetter.REASON)).hasSize(1);
    assertThat(DeadLetter.read(headers)).contains(new DeadLetter("sink", "second", "B", "migrated.t", 1, 9L));
    assertThat(headers.headers(ChangeHeaders.POSITION)).hasSize(1);
    assertThat(ChangeHeaders.longValue(headers, ChangeHeaders.POSITION)).isEqualTo(7L);
  }

  @Test
  void aCaptureDeadLetterHasNoKafkaSourcePosition() {
    Headers headers = new RecordHeaders();
    new DeadLetter("capture", "cannot convert", "X", "legacy.db.public.t", null, null).writeTo(headers, null);

    assertThat(headers.lastHeader(DeadLetter.SOURCE_PARTITION)).isNull();
    assertThat(headers.lastHeader(ChangeHeaders.POSITION)).isNull();
    assertThat(DeadLetter.read(headers).map(DeadLetter::sourceOffset)).isEqualTo(Optional.empty());
    assertThat(DeadLetter.read(new RecordHeaders())).isEmpty();
  }

  @Test
  void aMalformedLongHeaderIsAnErrorOrTheFallback() {
    Headers headers = new RecordHeaders();
    headers.add(ChangeHeaders.POSITION, new byte[] {1, 2});

    assertThat(ChangeHeaders.longValue(headers, ChangeHeaders.POSITION, -1)).isEqualTo(-1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChangeHeaders.longValue(headers, ChangeHeaders.POSITION))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8-byte");
  }

  @Test
  void aDeadLetterIsRestoredToItsInputTopicAsItWas() {
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("migrated.customer", 2, 17L, new byte[] {1},
        new byte[] {2});
    ChangeHeaders.putLong(source.headers(), ChangeHeaders.POSITION, 42L);
    source.headers().add("app.trace", new byte[] {9});
    ProducerRecord<byte[], byte[]> letter = DeadLetter.of("sink", "refused", "java.sql.SQLException", source)
        .record("tandem.dlq.sink", source.key(), source.value(), source.headers(), 42L);
    ConsumerRecord<byte[], byte[]> stored = new ConsumerRecord<>("tandem.dlq.sink", 0, 5L, 1234L,
        org.apache.kafka.common.record.TimestampType.CREATE_TIME, 1, 1, letter.key(), letter.value(), letter.headers(),
        Optional.empty());

    ProducerRecord<byte[], byte[]> restored = DeadLetter.restore(stored, "r1");

    assertThat(restored.topic()).isEqualTo("migrated.customer");
    assertThat(restored.partition()).isEqualTo(2);
    assertThat(restored.timestamp()).isEqualTo(1234L);
    assertThat(restored.key()).containsExactly(1);
    assertThat(restored.value()).containsExactly(2);
    assertThat(ChangeHeaders.longValue(restored.headers(), ChangeHeaders.POSITION)).as("the original position").isEqualTo(42L);
    assertThat(restored.headers().lastHeader("app.trace").value()).containsExactly(9);
    assertThat(DeadLetter.read(restored.headers())).as("no dead-letter envelope left").isEmpty();
    assertThat(ChangeHeaders.text(restored.headers(), DeadLetter.REPLAY_OF)).isEqualTo("tandem.dlq.sink/0/5");
    assertThat(ChangeHeaders.text(restored.headers(), DeadLetter.REPLAY_ID)).isEqualTo("r1");

    // Refused again and replayed again: one replay header of each, the newest.
    ConsumerRecord<byte[], byte[]> again = new ConsumerRecord<>("migrated.customer", 2, 30L, restored.key(),
        restored.value());
    restored.headers().forEach(h -> again.headers().add(h));
    ProducerRecord<byte[], byte[]> second = DeadLetter.of("sink", "refused again", "X", again)
        .record("tandem.dlq.sink", again.key(), again.value(), again.headers(), null);
    ConsumerRecord<byte[], byte[]> storedAgain = new ConsumerRecord<>("tandem.dlq.sink", 0, 9L, second.key(),
        second.value());
    second.headers().forEach(h -> storedAgain.headers().add(h));
    ProducerRecord<byte[], byte[]> twice = DeadLetter.restore(storedAgain, "r2");
    assertThat(twice.partition()).isEqualTo(2);
    assertThat(twice.headers().headers(DeadLetter.REPLAY_OF)).hasSize(1);
    assertThat(ChangeHeaders.text(twice.headers(), DeadLetter.REPLAY_OF)).isEqualTo("tandem.dlq.sink/0/9");
    assertThat(ChangeHeaders.text(twice.headers(), DeadLetter.REPLAY_ID)).isEqualTo("r2");
  }

  @Test
  void captureDeadLettersAndForeignRecordsCannotBeRestored() {
    ConsumerRecord<byte[], byte[]> capture = new ConsumerRecord<>("tandem.dlq.capture", 0, 0L, null, new byte[] {1});
    new DeadLetter("capture", "cannot convert", "X", "legacy.db.public.t", null, null).writeTo(capture.headers(), 5L);
    assertThat(DeadLetter.read(capture.headers()).orElseThrow().replayable()).isFalse();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeadLetter.restore(capture, "r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot be put back");
    ConsumerRecord<byte[], byte[]> foreign = new ConsumerRecord<>("tandem.dlq.sink", 0, 3L, null, new byte[] {1});
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeadLetter.restore(foreign, "r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Tandem dead letter");
  }
}
