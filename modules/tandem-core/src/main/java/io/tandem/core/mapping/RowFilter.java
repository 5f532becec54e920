package io.tandem.core.mapping;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/** A condition a legacy row must meet to exist in the new model. Values compare as text. */
public record RowFilter(String column, Op op, List<String> values) {

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
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(op, "op");
    values = values == null ? List.of() : List.copyOf(values);
  }

  boolean accepts(java.util.Map<String, ?> row) {
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
    return column + " " + op.name().toLowerCase(Locale.ROOT) + (values.isEmpty() ? "" : " " + values);
  }
}
