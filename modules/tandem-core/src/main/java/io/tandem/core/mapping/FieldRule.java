package io.tandem.core.mapping;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How one field of the new row is produced: from a legacy column (renamed if the names differ) or a CEL
 * expression over the row's columns, cast, defaulted when null, and protected when it holds personal data.
 *
 * @param target new-model field name
 * @param from legacy column, or null for an expression or a constant (then {@code hasDefault} must be true)
 * @param cast conversion applied to the column value
 * @param enumValues legacy code → enum symbol, for {@link Cast#ENUM}
 * @param zone zone of legacy local timestamps, for {@link Cast#UTC_INSTANT}
 * @param scale decimal places, for {@link Cast#DECIMAL}
 * @param hasDefault whether {@code defaultValue} applies (a default may itself be null)
 * @param defaultValue value used when the column is null or absent
 * @param expression the value's expression ({@code expr:}), or null when it comes from {@code from}
 * @param protection what is done to a personal value ({@code protect:})
 * @param hashKey the key of {@link Protection#HASH}, else null
 * @param sensitive whether the legacy value is personal data: never shown in logs, dead letters or reports
 */
public record FieldRule(String target, String from, Cast cast, Map<String, String> enumValues, ZoneId zone, int scale,
    boolean hasDefault, Object defaultValue, Expression expression, Protection protection,
    Protection.HashKey hashKey, boolean sensitive) {

  public FieldRule {
    Objects.requireNonNull(target, "target");
    cast = cast == null ? Cast.NONE : cast;
    enumValues = enumValues == null ? Map.of() : Map.copyOf(enumValues);
    zone = zone == null ? ZoneOffset.UTC : zone;
    protection = protection == null ? Protection.NONE : protection;
    sensitive = sensitive || protection != Protection.NONE;
    if (protection == Protection.HASH && hashKey == null) {
      throw new IllegalArgumentException("field '" + target + "': protect hash needs a key");
    }
    if (from != null && expression != null) {
      throw new IllegalArgumentException("field '" + target + "': 'from' or 'expr', not both");
    }
  }

  public static FieldRule copy(String target, String from) {
    return new FieldRule(target, from, Cast.NONE, Map.of(), null, 0, false, null, null, Protection.NONE, null, false);
  }

  /** The legacy columns this field reads: its {@code from} column or its expression's columns. */
  public Set<String> columns() {
    if (expression != null) {
      return expression.columns();
    }
    return from == null ? Set.of() : Set.of(from);
  }

  /** Whether the value is computed by an expression. */
  public boolean computed() {
    return expression != null;
  }

  Object produce(Map<String, ?> row) {
    Object raw = expression != null ? expression.evaluate(target, row) : from == null ? null : row.get(from);
    Object value = raw == null ? (hasDefault ? defaultValue : null) : cast.apply(raw, this);
    return protection.apply(value, hashKey);
  }

  static Set<String> columnsOf(Iterable<FieldRule> rules) {
    Set<String> columns = new LinkedHashSet<>();
    rules.forEach(rule -> columns.addAll(rule.columns()));
    return columns;
  }
}
