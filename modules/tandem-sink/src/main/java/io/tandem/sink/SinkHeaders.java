package io.tandem.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names and encodings of docs/data-model.md ("Migrated topics", "Dead-letter topics"). */
final class SinkHeaders {
  static final String POSITION = io.tandem.core.change.HeaderNames.POSITION;
  static final String COMMIT_TS = io.tandem.core.change.HeaderNames.COMMIT_TS;
  static final String OP = io.tandem.core.change.HeaderNames.OP;
  static final String SOURCE = io.tandem.core.change.HeaderNames.SOURCE;

  static final String DLQ_REASON = io.tandem.core.change.HeaderNames.DLQ_REASON;
  static final String DLQ_STAGE = io.tandem.core.change.HeaderNames.DLQ_STAGE;
  static final String DLQ_EXCEPTION = io.tandem.core.change.HeaderNames.DLQ_EXCEPTION;
  static final String DLQ_SOURCE_TOPIC = io.tandem.core.change.HeaderNames.DLQ_SOURCE_TOPIC;
  static final String DLQ_SOURCE_PARTITION = io.tandem.core.change.HeaderNames.DLQ_SOURCE_PARTITION;
  static final String DLQ_SOURCE_OFFSET = io.tandem.core.change.HeaderNames.DLQ_SOURCE_OFFSET;

  private SinkHeaders() {}

  /** The last value of an 8-byte big-endian long header, or null when absent. */
  static Long longValue(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    if (header == null || header.value() == null) {
      return null;
    }
    byte[] value = header.value();
    if (value.length != Long.BYTES) {
      throw new IllegalArgumentException("header " + name + " must be an 8-byte big-endian long, got "
          + value.length + " bytes");
    }
    return ByteBuffer.wrap(value).getLong();
  }

  static byte[] longBytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
