package io.tandem.sink;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/** Header names and encodings of docs/data-model.md ("Migrated topics", "Dead-letter topics"). */
final class SinkHeaders {
  static final String POSITION = "tandem.position";
  static final String COMMIT_TS = "tandem.commit.ts";
  static final String OP = "tandem.op";
  static final String SOURCE = "tandem.source";

  static final String DLQ_REASON = "tandem.dlq.reason";
  static final String DLQ_STAGE = "tandem.dlq.stage";
  static final String DLQ_EXCEPTION = "tandem.dlq.exception";
  static final String DLQ_SOURCE_TOPIC = "tandem.dlq.source.topic";
  static final String DLQ_SOURCE_PARTITION = "tandem.dlq.source.partition";
  static final String DLQ_SOURCE_OFFSET = "tandem.dlq.source.offset";

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
