package io.tandem.verify;

import java.util.List;
import java.util.Map;

/**
 * One row that is not what the mapping says it should be.
 *
 * @param key the new key as canonical text ({@code 42}, or {@code 7,EUR} for composite keys)
 * @param cohort the router cohort of the key at the verification's routing version; null when it is in none
 * @param fields for {@link Kind#DIFFERENT}: the fields whose values differ
 * @param expected for {@link Kind#DIFFERENT}, when values are shown: field → value the mapping gives
 * @param actual for {@link Kind#DIFFERENT}, when values are shown: field → value in the new database
 * @param reason for {@link Kind#UNMAPPABLE}: why the mapping refuses the row; for a row found in a
 *     dead-letter topic: the dead letter's reason
 * @param deadLettered whether a dead-letter topic holds a record for this key (the difference is
 *     accounted for: the pipeline said so when it happened)
 */
public record Difference(String entity, String key, String cohort, Kind kind, List<String> fields,
    Map<String, String> expected, Map<String, String> actual, String reason, boolean deadLettered) {

  public enum Kind {
    /** In legacy (through the mapping), not in new. */
    MISSING,
    /** In new, not in legacy (or the mapping filters the legacy row out). */
    EXTRA,
    /** In both, with different values. */
    DIFFERENT,
    /** The mapping refuses the legacy row (the pipeline dead-letters it too). */
    UNMAPPABLE
  }

  public Difference {
    fields = fields == null ? List.of() : List.copyOf(fields);
    expected = expected == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(expected));
    actual = actual == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(actual));
  }

  Difference withDeadLetter(String deadLetterReason) {
    return new Difference(entity, key, cohort, kind, fields, expected, actual,
        reason == null ? deadLetterReason : reason, true);
  }

  @Override
  public String toString() {
    return entity + " " + key + (cohort == null ? "" : " [" + cohort + "]") + ": " + kind.name().toLowerCase()
        + (fields.isEmpty() ? "" : " " + fields) + (reason == null ? "" : " (" + reason + ")");
  }
}
