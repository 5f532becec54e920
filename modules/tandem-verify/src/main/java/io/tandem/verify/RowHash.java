package io.tandem.verify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/**
 * The row fingerprint both sides compute: PostgreSQL's {@code hashtextextended} chained through the
 * fields in schema order — each field's canonical text ({@code ''} for null) hashed with the previous
 * hash as the seed, starting from 1 — then the null bitmap (one bit per field, in blocks of 62, as
 * decimal text) hashed the same way, so null and {@code ''} differ. Chaining needs no separators or
 * quoting, and measured half the cost in PostgreSQL of hashing the row's record text
 * (docs/benchmarks.md). A chunk's fingerprint is the row count and the sum of its row hashes modulo
 * 2^64: order-free, so neither side sorts.
 */
final class RowHash {
  static final int BLOCK = 62;
  private static final long START = 1;

  private final StringBuilder text = new StringBuilder(64);
  private byte[] bytes = new byte[256];

  /** The fingerprint of a mapped row straight from its Avro values. */
  long hash(GenericRecord record, List<FieldForm> forms) {
    long hash = START;
    long[] nulls = new long[(forms.size() + BLOCK - 1) / BLOCK];
    for (int i = 0; i < forms.size(); i++) {
      Object value = record.get(i);
      text.setLength(0);
      if (value == null) {
        nulls[i / BLOCK] |= 1L << (i % BLOCK);
      } else {
        forms.get(i).append(text, value);
      }
      hash = hashText(text, hash);
    }
    return finish(nulls, hash);
  }

  /** The same fingerprint from canonical texts (null for null). */
  long hash(String[] canonical) {
    long hash = START;
    long[] nulls = new long[(canonical.length + BLOCK - 1) / BLOCK];
    for (int i = 0; i < canonical.length; i++) {
      text.setLength(0);
      if (canonical[i] == null) {
        nulls[i / BLOCK] |= 1L << (i % BLOCK);
      } else {
        text.append(canonical[i]);
      }
      hash = hashText(text, hash);
    }
    return finish(nulls, hash);
  }

  private long finish(long[] nulls, long hash) {
    for (long block : nulls) {
      text.setLength(0);
      text.append(block);
      hash = hashText(text, hash);
    }
    return hash;
  }

  private long hashText(CharSequence value, long seed) {
    int n = value.length();
    if (bytes.length < n) {
      bytes = new byte[Math.max(n, bytes.length * 2)];
    }
    for (int i = 0; i < n; i++) {
      char ch = value.charAt(i);
      if (ch >= 0x80) {
        byte[] utf8 = value.toString().getBytes(StandardCharsets.UTF_8);
        return PgHash.hashExtended(utf8, utf8.length, seed);
      }
      bytes[i] = (byte) ch;
    }
    return PgHash.hashExtended(bytes, n, seed);
  }

  /**
   * The SQL for one row's hash.
   *
   * @param canonicalExpressions per field, its canonical text (null when the column is null)
   * @param columns per field, the column (its {@code IS NULL} makes the null bitmap)
   */
  static String sql(List<String> canonicalExpressions, List<String> columns) {
    String hash = Long.toString(START);
    for (String expression : canonicalExpressions) {
      hash = "hashtextextended(coalesce(" + expression + ", ''), " + hash + ")";
    }
    List<String> blocks = new ArrayList<>();
    for (int start = 0; start < columns.size(); start += BLOCK) {
      StringBuilder bits = new StringBuilder("(0::bigint");
      for (int i = start; i < Math.min(columns.size(), start + BLOCK); i++) {
        bits.append(" | ((").append(columns.get(i)).append(" IS NULL)::int::bigint << ").append(i - start).append(')');
      }
      blocks.add(bits.append(')').toString());
    }
    for (String block : blocks) {
      hash = "hashtextextended(" + block + "::text, " + hash + ")";
    }
    return hash;
  }
}
