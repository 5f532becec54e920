package io.tandem.transform;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names and encodings of docs/data-model.md, for migrated and dead-letter records. */
public final class ChangeHeaders {
  public static final String POSITION = io.tandem.core.change.HeaderNames.POSITION;
  public static final String COMMIT_TS = io.tandem.core.change.HeaderNames.COMMIT_TS;
  public static final String OP = io.tandem.core.change.HeaderNames.OP;
  public static final String SOURCE = io.tandem.core.change.HeaderNames.SOURCE;
  public static final String DLQ_REASON = io.tandem.core.change.HeaderNames.DLQ_REASON;
  public static final String DLQ_STAGE = io.tandem.core.change.HeaderNames.DLQ_STAGE;
  public static final String DLQ_EXCEPTION = io.tandem.core.change.HeaderNames.DLQ_EXCEPTION;
  public static final String DLQ_TOPIC = io.tandem.core.change.HeaderNames.DLQ_SOURCE_TOPIC;
  public static final String DLQ_PARTITION = io.tandem.core.change.HeaderNames.DLQ_SOURCE_PARTITION;
  public static final String DLQ_OFFSET = io.tandem.core.change.HeaderNames.DLQ_SOURCE_OFFSET;

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
