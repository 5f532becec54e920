package io.tandem.core.mapping;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How rows of several legacy sources become one entity ({@code merge:} in a mapping file): which rows
 * are the same customer, and what the merged row holds.
 *
 * @param match a CEL expression over the <em>new</em> fields (each source's own mapping made them), e.g.
 *     {@code email.lowerAscii().trim()}; rows of different sources with equal non-empty values are
 *     duplicates; a row with a null field the expression reads matches none
 * @param prefer every source feeding the entity, most trusted first: the survivor of a duplicate group is
 *     the row of the first source, its key and values are the merged row's
 * @param fillNulls a null field of the survivor takes the first non-null value of the other rows, in
 *     {@code prefer} order (never a key field)
 * @param onDuplicate {@link OnDuplicate#MERGE} duplicates, or {@link OnDuplicate#REPORT} them for a
 *     decision and keep every row under its own key
 */
public record MergeRule(Expression match, List<String> prefer, boolean fillNulls, OnDuplicate onDuplicate) {
  /** Rows one match value may hold and still be merged; a larger group is reported, not merged. */
  public static final int MAX_GROUP = 10;
  /** The name of the {@code legacy} section's source, for mappings that do not name one. */
  public static final String PRIMARY_SOURCE = "legacy";

  public enum OnDuplicate { MERGE, REPORT }

  /**
   * The compacted topic of a merged entity's key map ({@code <source>:<legacy key>} → new key): the merge
   * topology writes it, router replicas read it.
   */
  public static String keyMapTopic(String entity) {
    return "tandem.keymap." + entity;
  }

  public MergeRule {
    Objects.requireNonNull(match, "match");
    prefer = List.copyOf(prefer);
    Objects.requireNonNull(onDuplicate, "onDuplicate");
  }

  /**
   * The match value of a new row; empty when a field the expression reads is null, or it gives null or
   * blank text: such a row matches no other.
   */
  public Optional<String> matchValue(Map<String, ?> newRow) {
    for (String field : match.columns()) {
      if (newRow.get(field) == null) {
        return Optional.empty();
      }
    }
    Object value = match.evaluate("merge.match", newRow);
    if (value == null) {
      return Optional.empty();
    }
    String text = value instanceof byte[] bytes ? java.util.HexFormat.of().formatHex(bytes) : value.toString();
    return text.isBlank() ? Optional.empty() : Optional.of(text);
  }

  /** How far {@code source} is trusted: its place in {@link #prefer}. */
  public int rank(String source) {
    int rank = prefer.indexOf(source);
    if (rank < 0) {
      throw new IllegalArgumentException("source '" + source + "' is not in merge.prefer " + prefer);
    }
    return rank;
  }
}
