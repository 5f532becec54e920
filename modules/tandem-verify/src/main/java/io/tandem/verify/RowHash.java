package io.tandem.verify;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.apache.avro.generic.GenericRecord;

/**
 * The row fingerprint both sides compute, with PostgreSQL's own hash functions chained through the
 * fields in schema order (each seeded with the previous hash, starting from 1): integer-like fields
 * (integers, dates, times, timestamps as epoch units) with {@code hashint8extended}, the others'
 * canonical text with {@code hashtextextended}; a null hashes as 0 or {@code ''}, and a bitmap of the
 * null fields among the nullable columns (blocks of 62, as decimal text) is hashed last, so null and
 * 0 or {@code ''} differ. Chaining needs no separators or quoting: half the cost in PostgreSQL of
 * hashing the row's record text (docs/benchmarks.md). A chunk's fingerprint is the row count and the
 * sum of its row hashes modulo 2^64: order-free, so neither side sorts.
 */
final class RowHash {
  static final int BLOCK = 62;
  private static final long START = 1;
  /** Mixed in when a value is null for a NOT NULL column: the database cannot hold that row. */
  private static final long IMPOSSIBLE = 0x5DEECE66DL;

  private final List<FieldForm> forms;
  private final int[] nullBit;
  private final int blocks;
  private final StringBuilder text = new StringBuilder(64);
  private byte[] bytes = new byte[256];

  /**
   * @param nullable per field, whether its column in the new table may hold null (only those get a
   *     bit: a NOT NULL column never is)
   */
  RowHash(List<FieldForm> forms, boolean[] nullable) {
    this.forms = List.copyOf(forms);
    this.nullBit = new int[forms.size()];
    int next = 0;
    for (int i = 0; i < nullBit.length; i++) {
      nullBit[i] = nullable[i] ? next++ : -1;
    }
    this.blocks = (next + BLOCK - 1) / BLOCK;
  }

  /** The fingerprint of a mapped row straight from its Avro values. */
  long hash(GenericRecord record) {
    return hash(record::get);
  }

  /**
   * The fingerprint of the row whose field {@code i} has the Avro value {@code valueAt.apply(i)}
   * (integer-like fields as numbers, null for null).
   */
  long hash(IntFunction<Object> valueAt) {
    long hash = START;
    long[] nulls = new long[blocks];
    for (int i = 0; i < forms.size(); i++) {
      Object value = valueAt.apply(i);
      FieldForm form = forms.get(i);
      if (value == null) {
        hash = hashNull(i, form, hash, nulls);
      } else if (form.integral()) {
        hash = PgHash.hashInt8Extended(((Number) value).longValue(), hash);
      } else {
        text.setLength(0);
        form.append(text, value);
        hash = hashText(text, hash);
      }
    }
    return finish(nulls, hash);
  }

  private long hashNull(int field, FieldForm form, long hash, long[] nulls) {
    int bit = nullBit[field];
    if (bit < 0) {
      return hash ^ IMPOSSIBLE;
    }
    nulls[bit / BLOCK] |= 1L << (bit % BLOCK);
    if (form.integral()) {
      return PgHash.hashInt8Extended(0, hash);
    }
    text.setLength(0);
    return hashText(text, hash);
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
   * The SQL for one row's hash over the new table's columns.
   *
   * @param columns per field, the quoted column
   */
  static String sql(List<FieldForm> forms, List<String> columns, boolean[] nullable) {
    String hash = Long.toString(START);
    List<String> nullableColumns = new ArrayList<>();
    for (int i = 0; i < forms.size(); i++) {
      FieldForm form = forms.get(i);
      String column = columns.get(i);
      hash = form.integral()
          ? "hashint8extended(coalesce(" + form.sqlInteger(column) + ", 0), " + hash + ")"
          : "hashtextextended(coalesce(" + form.sql(column) + ", ''), " + hash + ")";
      if (nullable[i]) {
        nullableColumns.add(column);
      }
    }
    for (int start = 0; start < nullableColumns.size(); start += BLOCK) {
      StringBuilder bits = new StringBuilder("(0::bigint");
      for (int i = start; i < Math.min(nullableColumns.size(), start + BLOCK); i++) {
        bits.append(" | ((").append(nullableColumns.get(i)).append(" IS NULL)::int::bigint << ").append(i - start)
            .append(')');
      }
      hash = "hashtextextended(" + bits.append(')') + "::text, " + hash + ")";
    }
    return hash;
  }
}
