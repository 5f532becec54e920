package io.tandem.transform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names and encodings of docs/data-model.md, for migrated and dead-letter records. */
public final class ChangeHeaders {
  public static final String POSITION = "tandem.position";
  public static final String COMMIT_TS = "tandem.commit.ts";
  public static final String OP = "tandem.op";
  public static final String SOURCE = "tandem.source";
  public static final String DLQ_REASON = "tandem.dlq.reason";
  public static final String DLQ_STAGE = "tandem.dlq.stage";
  public static final String DLQ_EXCEPTION = "tandem.dlq.exception";
  public static final String DLQ_TOPIC = "tandem.dlq.source.topic";
  public static final String DLQ_PARTITION = "tandem.dlq.source.partition";
  public static final String DLQ_OFFSET = "tandem.dlq.source.offset";

  private ChangeHeaders() {}

  public static void putLong(Headers headers, String name, long value) {
    headers.remove(name);
    headers.add(name, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
  }

  public static void putText(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** The long in {@code name}, or {@code fallback} when absent or malformed. */
  public static long getLong(Headers headers, String name, long fallback) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null || header.value().length != Long.BYTES
        ? fallback
        : ByteBuffer.wrap(header.value()).getLong();
  }

  public static String getText(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }
}
