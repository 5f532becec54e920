package io.tandem.core.mapping;

import java.util.Objects;

/**
 * A child table joined to a mapping's source table (N→1): every child row whose {@code column} holds
 * the parent row's {@code references} value. Expressions see the children as a list named {@code name}
 * of rows (column → value), ordered by the child's primary key as text; e.g. {@code size(addresses)}
 * or {@code addresses.filter(a, a.is_primary).map(a, a.city)}.
 *
 * @param name the list's name in expressions (not a legacy column)
 * @param table the child table, {@code <schema>.<table>}
 * @param column the child's column holding the parent's value (a foreign key)
 * @param references the parent's column it holds: unique in the parent table (its primary key, usually)
 */
public record Join(String name, String table, String column, String references) {
  /**
   * Children kept per parent row; a parent with more is dead-lettered rather than held without bound (a
   * parent's child set is one record in a Kafka Streams changelog, which must fit a Kafka record).
   */
  public static final int MAX_CHILDREN = 1_000;
  /** Joins per mapping. */
  public static final int MAX_JOINS = 4;

  /**
   * A join value or key part as text, the same in the topology and the verifier: bytes as {@code 0x} and
   * hex, anything else as its string.
   */
  public static String keyText(Object value) {
    if (value instanceof java.nio.ByteBuffer buffer) {
      java.nio.ByteBuffer copy = buffer.duplicate();
      byte[] data = new byte[copy.remaining()];
      copy.get(data);
      return "0x" + java.util.HexFormat.of().formatHex(data);
    }
    if (value instanceof byte[] data) {
      return "0x" + java.util.HexFormat.of().formatHex(data);
    }
    return String.valueOf(value);
  }

  /** A child's identity, the same in the topology and the verifier: its primary-key parts as text, joined by ','. */
  public static String keyText(java.util.List<?> parts) {
    StringBuilder text = new StringBuilder();
    for (Object part : parts) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(keyText(part));
    }
    return text.toString();
  }

  /** Why a parent row with more than {@link #MAX_CHILDREN} rows of this join is not migrated. */
  public String tooManyChildren(String parentTable) {
    return "more than " + MAX_CHILDREN + " rows of " + table + " join this " + parentTable + " row; not migrated";
  }

  public Join {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(references, "references");
  }
}
