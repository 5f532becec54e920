package io.tandem.core.mapping;

import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

/**
 * How one field of the new row is produced: from a legacy column (renamed if the names differ),
 * cast, and defaulted when the column is null or absent.
 *
 * @param target new-model field name
 * @param from legacy column, or null for a constant (then {@code hasDefault} must be true)
 * @param cast conversion applied to the column value
 * @param enumValues legacy code → enum symbol, for {@link Cast#ENUM}
 * @param zone zone of legacy local timestamps, for {@link Cast#UTC_INSTANT}
 * @param scale decimal places, for {@link Cast#DECIMAL}
 * @param hasDefault whether {@code defaultValue} applies (a default may itself be null)
 * @param defaultValue value used when the column is null or absent
 */
public record FieldRule(String target, String from, Cast cast, Map<String, String> enumValues, ZoneId zone, int scale,
    boolean hasDefault, Object defaultValue) {

  public FieldRule {
    Objects.requireNonNull(target, "target");
    cast = cast == null ? Cast.NONE : cast;
    enumValues = enumValues == null ? Map.of() : Map.copyOf(enumValues);
    zone = zone == null ? ZoneOffset.UTC : zone;
  }

  public static FieldRule copy(String target, String from) {
    return new FieldRule(target, from, Cast.NONE, Map.of(), null, 0, false, null);
  }

  Object produce(Map<String, ?> row) {
    Object raw = from == null ? null : row.get(from);
    if (raw == null) {
      return hasDefault ? defaultValue : null;
    }
    return cast.apply(raw, this);
  }
}
