package io.tandem.app.dlq;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which dead letters a command looks at. Pure: {@code tandem dlq list}, {@code show} and {@code replay}
 * select with the same filter.
 *
 * @param stages the stages to read (never empty)
 * @param entitySources when not null, a record is kept only if its source topic equals one of these or ends
 *     with {@code "." + } one of them (an entity's {@code migrated.}/{@code reverse.} topics, its legacy table)
 * @param table when not null, the source topic must end with {@code "." + table} ({@code customers} or
 *     {@code public.customers})
 * @param reason when not null, the reason must contain it (case-insensitive)
 * @param fromOffset when not null, the lowest dead-letter topic offset kept
 * @param toOffset when not null, the highest dead-letter topic offset kept
 */
public record DeadLetterFilter(Set<DlqStage> stages, List<String> entitySources, String table, String reason,
    Long fromOffset, Long toOffset) {

  public DeadLetterFilter {
    stages = Set.copyOf(stages);
    entitySources = entitySources == null ? null : List.copyOf(entitySources);
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("at least one stage");
    }
    if (fromOffset != null && toOffset != null && fromOffset > toOffset) {
      throw new IllegalArgumentException("--from-offset " + fromOffset + " is after --to-offset " + toOffset);
    }
  }

  /** Every dead letter of every stage. */
  public static DeadLetterFilter all() {
    return new DeadLetterFilter(Set.of(DlqStage.values()), null, null, null, null, null);
  }

  /**
   * The sources of {@code entity}: its migrated and reverse topics exactly, and as topic suffixes its new
   * table (reverse capture's topics) and the legacy tables its mappings read.
   */
  public static List<String> entitySources(String entity, List<String> legacyTables) {
    List<String> sources = new java.util.ArrayList<>(List.of("migrated." + entity, "reverse." + entity, entity));
    sources.addAll(legacyTables);
    return sources;
  }

  public boolean matches(DeadLetterEntry entry) {
    if (!stages.contains(entry.stage())) {
      return false;
    }
    long offset = entry.record().offset();
    if ((fromOffset != null && offset < fromOffset) || (toOffset != null && offset > toOffset)) {
      return false;
    }
    if (reason != null && !entry.reason().toLowerCase(Locale.ROOT).contains(reason.toLowerCase(Locale.ROOT))) {
      return false;
    }
    String source = entry.envelope() == null ? null : entry.envelope().sourceTopic();
    if (table != null && (source == null || !source.endsWith("." + table))) {
      return false;
    }
    if (entitySources != null) {
      if (source == null) {
        return false;
      }
      return entitySources.stream().anyMatch(s -> source.equals(s) || source.endsWith("." + s));
    }
    return true;
  }

  /** The filter as the audit and the replay markers record it: {@code stage=transform reason~'code'}. */
  public String describe(String entity) {
    StringBuilder text = new StringBuilder("stage=");
    text.append(String.join(",", stages.stream().sorted().map(DlqStage::label).toList()));
    if (entity != null) {
      text.append(" entity=").append(entity);
    }
    if (table != null) {
      text.append(" table=").append(table);
    }
    if (reason != null) {
      text.append(" reason~'").append(reason).append('\'');
    }
    if (fromOffset != null || toOffset != null) {
      text.append(" offsets=").append(fromOffset == null ? "" : fromOffset).append("..")
          .append(toOffset == null ? "" : toOffset);
    }
    return text.toString();
  }
}
