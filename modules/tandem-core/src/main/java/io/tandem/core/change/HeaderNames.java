package io.tandem.core.change;

/**
 * Kafka header names of docs/data-model.md, defined once for every stage. Longs are 8-byte
 * big-endian, text is UTF-8.
 */
public final class HeaderNames {
  /** Source position of the legacy change (long). */
  public static final String POSITION = "tandem.position";
  /** Legacy commit time, epoch millis (long). */
  public static final String COMMIT_TS = "tandem.commit.ts";
  /** {@code c}, {@code u}, {@code d} or {@code r}. */
  public static final String OP = "tandem.op";
  /** {@code <db>.<schema>.<table>}. */
  public static final String SOURCE = "tandem.source";

  public static final String DLQ_REASON = "tandem.dlq.reason";
  public static final String DLQ_STAGE = "tandem.dlq.stage";
  public static final String DLQ_EXCEPTION = "tandem.dlq.exception";
  public static final String DLQ_SOURCE_TOPIC = "tandem.dlq.source.topic";
  public static final String DLQ_SOURCE_PARTITION = "tandem.dlq.source.partition";
  public static final String DLQ_SOURCE_OFFSET = "tandem.dlq.source.offset";

  private HeaderNames() {}
}
