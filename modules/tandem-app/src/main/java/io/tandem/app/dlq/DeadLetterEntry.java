package io.tandem.app.dlq;

import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One record of a dead-letter topic as {@code tandem dlq} sees it.
 *
 * @param envelope null when the record carries no Tandem envelope (written by something else)
 * @param position the source position ({@code tandem.position}), or null when unknown or malformed
 * @param replayOf the dead letter this record was replayed from ({@code tandem.replay.of}) when it was refused
 *     again after a replay, else null
 */
public record DeadLetterEntry(DlqStage stage, ConsumerRecord<byte[], byte[]> record, DeadLetter envelope, Long position,
    String replayOf) {

  public static DeadLetterEntry of(DlqStage stage, ConsumerRecord<byte[], byte[]> record) {
    Long position;
    try {
      position = ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION);
    } catch (IllegalArgumentException e) {
      position = null;
    }
    return new DeadLetterEntry(stage, record, DeadLetter.read(record.headers()).orElse(null), position,
        ChangeHeaders.text(record.headers(), DeadLetter.REPLAY_OF));
  }

  /** {@code <dlq topic>/<partition>/<offset>}: the key of its replay marker. */
  public String coordinates() {
    return DeadLetter.coordinates(record);
  }

  public String reason() {
    return envelope == null ? "(no Tandem dead-letter envelope)" : envelope.reason();
  }

  /** {@code <source topic>/<partition>/<offset>} of the refused record, as far as known; null without an envelope. */
  public String source() {
    if (envelope == null || envelope.sourceTopic() == null) {
      return null;
    }
    return envelope.sourceTopic() + (envelope.sourcePartition() == null ? "" : "/" + envelope.sourcePartition()
        + "/" + envelope.sourceOffset());
  }

  /** Whether it can be put back on its input topic. */
  public boolean replayable() {
    return stage.replayable() && envelope != null && envelope.replayable();
  }
}
