package io.tandem.verify;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The row fingerprint both sides compute: each field's canonical text as {@code +<length>:<text>}
 * (length in characters) or {@code -} for null, concatenated in schema order, MD5, first 8 bytes
 * as a signed big-endian long. A chunk's fingerprint is the row count and the sum of its row
 * hashes modulo 2^64: order-free, so neither side has to sort.
 */
final class RowHash {
  private final MessageDigest md5;
  private final StringBuilder text = new StringBuilder(256);

  RowHash() {
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every JVM", e);
    }
  }

  long hash(String[] canonical) {
    text.setLength(0);
    for (String value : canonical) {
      if (value == null) {
        text.append('-');
      } else {
        text.append('+').append(value.codePointCount(0, value.length())).append(':').append(value);
      }
    }
    byte[] digest = md5.digest(text.toString().getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
  }

  /** The SQL for one row's hash over the given canonical expressions (PostgreSQL, UTF-8 database). */
  static String sql(List<String> canonicalExpressions) {
    StringBuilder concat = new StringBuilder();
    for (String expression : canonicalExpressions) {
      if (concat.length() > 0) {
        concat.append(" || ");
      }
      concat.append("coalesce('+' || length(").append(expression).append(") || ':' || ").append(expression)
          .append(", '-')");
    }
    return "('x' || left(md5(" + concat + "), 16))::bit(64)::bigint";
  }
}
