package io.tandem.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The Kafka headers of docs/data-model.md that carry a change's provenance on migrated records, and
 * their encoding: longs are 8-byte big-endian, text is UTF-8. Dead-letter headers: {@link DeadLetter}.
 */
public final class ChangeHeaders {
  /** Source position of the legacy change (long). */
  public static final String POSITION = "tandem.position";
  /** Legacy commit time, epoch millis (long). */
  public static final String COMMIT_TS = "tandem.commit.ts";
  /** {@code c}, {@code u}, {@code d} or {@code r}. */
  public static final String OP = "tandem.op";
  /** {@code <db>.<schema>.<table>}. */
  public static final String SOURCE = "tandem.source";
  /** The entity key as the router decides on it ({@code RoutingKeys}), on reverse records keyed by the legacy key. */
  public static final String ROUTING_KEY = "tandem.routing.key";

  private ChangeHeaders() {}

  /** Sets {@code name} to {@code value}, replacing earlier values. */
  public static void putLong(Headers headers, String name, long value) {
    headers.remove(name);
    headers.add(name, longBytes(value));
  }

  /** Sets {@code name} to {@code value}, replacing earlier values. */
  public static void putText(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, utf8(value));
  }

  /**
   * The last value of a long header, or null when absent.
   *
   * @throws IllegalArgumentException when it is not 8 bytes
   */
  public static Long longValue(Headers headers, String name) {
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

  /** The last value of a long header, or {@code fallback} when absent or malformed. */
  public static long longValue(Headers headers, String name, long fallback) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null || header.value().length != Long.BYTES
        ? fallback
        : ByteBuffer.wrap(header.value()).getLong();
  }

  /** The last value of a text header, or null when absent. */
  public static String text(Headers headers, String name) {
    Header header = headers.lastHeader(name);
    return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  public static byte[] longBytes(long value) {
    return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
  }

  public static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
