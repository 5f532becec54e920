package io.tandem.core.mapping;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code reverse:} section of a mapping file: what the operator declares for the parts of a
 * mapping that cannot be inverted by themselves (docs/coexistence.md, "Reverse mapping").
 *
 * @param legacyKey legacy primary-key columns, when they are not the columns the new key is made from
 *     (re-keying); empty: derived
 * @param ignoredFields new fields that are not carried back to legacy (a constant default has no legacy
 *     column; a second field made from an already used column): their new-side values stay on new only
 * @param enumInverses per enum field, symbol → legacy code, where the forward table maps several codes to
 *     one symbol
 * @param insertValues legacy columns the forward mapping does not read, with the value a row inserted by
 *     reverse sync gets (existing legacy rows keep theirs): for NOT NULL columns without a default
 * @param protectFiltered declared {@code filter: protect}: reverse sync never changes a legacy row the
 *     forward filters keep out of the new model, and dead-letters a new row whose legacy form they would
 */
public record ReverseSpec(List<String> legacyKey, Set<String> ignoredFields, Map<String, Map<String, String>> enumInverses,
    Map<String, Object> insertValues, boolean protectFiltered) {

  public ReverseSpec {
    legacyKey = List.copyOf(legacyKey);
    ignoredFields = Set.copyOf(ignoredFields);
    enumInverses = Map.copyOf(enumInverses);
    insertValues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(insertValues));
  }

  /** No {@code reverse:} section. */
  public static ReverseSpec none() {
    return new ReverseSpec(List.of(), Set.of(), Map.of(), Map.of(), false);
  }
}
