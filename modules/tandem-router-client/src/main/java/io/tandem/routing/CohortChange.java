package io.tandem.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one routing change did to one cohort: created, moved to another phase, given another selector, or
 * deleted. The lifecycle events for customer communication are made of these ({@link #between}).
 *
 * @param from the cohort before (empty when created)
 * @param to the cohort after (empty when deleted)
 */
public record CohortChange(String entity, String cohort, Type type, Optional<Cohort> from, Optional<Cohort> to) {
  public enum Type { CREATED, PHASE_CHANGED, SELECTOR_CHANGED, DELETED }

  public CohortChange {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(cohort, "cohort");
    Objects.requireNonNull(type, "type");
  }

  /**
   * Every cohort that differs between two routing states, entity by entity in {@code after}'s order (a rollback
   * to an older version can change many at once). A cohort whose phase and selector both changed is one
   * {@link Type#PHASE_CHANGED}.
   */
  public static List<CohortChange> between(RoutingState before, RoutingState after) {
    List<CohortChange> changes = new ArrayList<>();
    java.util.Set<String> entities = new java.util.LinkedHashSet<>(after.entities().keySet());
    entities.addAll(before.entities().keySet());
    for (String entity : entities) {
      List<Cohort> was = before.entity(entity).map(EntityRouting::cohorts).orElse(List.of());
      List<Cohort> now = after.entity(entity).map(EntityRouting::cohorts).orElse(List.of());
      for (Cohort cohort : now) {
        Optional<Cohort> old = was.stream().filter(c -> c.name().equals(cohort.name())).findFirst();
        if (old.isEmpty()) {
          changes.add(new CohortChange(entity, cohort.name(), Type.CREATED, old, Optional.of(cohort)));
        } else if (old.get().phase() != cohort.phase()) {
          changes.add(new CohortChange(entity, cohort.name(), Type.PHASE_CHANGED, old, Optional.of(cohort)));
        } else if (!old.get().selector().equals(cohort.selector())) {
          changes.add(new CohortChange(entity, cohort.name(), Type.SELECTOR_CHANGED, old, Optional.of(cohort)));
        }
      }
      for (Cohort cohort : was) {
        if (now.stream().noneMatch(c -> c.name().equals(cohort.name()))) {
          changes.add(new CohortChange(entity, cohort.name(), Type.DELETED, Optional.of(cohort), Optional.empty()));
        }
      }
    }
    return changes;
  }
}
