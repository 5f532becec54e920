package io.tandem.core.mapping;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A condition a legacy row must meet to exist in the new model: a column compared as text with
 * {@code values}, or a CEL condition ({@code when}) over the row's columns.
 *
 * @param column the compared column; null for a {@code when} condition
 * @param op the comparison; null for a {@code when} condition
 * @param when the condition ({@code filter: [{ when: "..." }]}), else null
 */
public record RowFilter(String column, Op op, List<String> values, Expression when) {

  /** Comparison on the column's text value. */
  public enum Op {
    EQUALS, NOT_EQUALS, IN, NOT_IN, IS_NULL, NOT_NULL;

    public static Optional<Op> parse(String text) {
      try {
        return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }

  public RowFilter {
    if (when == null) {
      Objects.requireNonNull(column, "column");
      Objects.requireNonNull(op, "op");
    }
    values = values == null ? List.of() : List.copyOf(values);
  }

  public RowFilter(String column, Op op, List<String> values) {
    this(column, op, values, null);
  }

  /** A CEL condition. */
  public static RowFilter when(Expression condition) {
    return new RowFilter(null, null, List.of(), Objects.requireNonNull(condition, "condition"));
  }

  /** The legacy columns the condition reads. */
  public Set<String> columns() {
    return when != null ? when.columns() : Set.of(column);
  }

  boolean accepts(Map<String, ?> row) {
    if (when != null) {
      Object holds = when.evaluate(null, row);
      if (holds instanceof Boolean b) {
        return b;
      }
      throw new MappingException(null, "filter when '" + when.text() + "' gave " + (holds == null ? "null"
          : "a " + holds.getClass().getSimpleName()) + ", not true or false");
    }
    Object raw = row.get(column);
    String value = raw == null ? null : raw.toString();
    return switch (op) {
      case EQUALS, IN -> value != null && values.contains(value);
      case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
      case IS_NULL -> value == null;
      case NOT_NULL -> value != null;
    };
  }

  String describe() {
    if (when != null) {
      return "when " + when.text();
    }
    return column + " " + op.name().toLowerCase(Locale.ROOT) + (values.isEmpty() ? "" : " " + values);
  }
}
