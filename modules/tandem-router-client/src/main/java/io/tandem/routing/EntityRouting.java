package io.tandem.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An entity's cohorts in evaluation order (a key belongs to the first that holds it) and the request
 * attributes its rules may use.
 */
public record EntityRouting(String name, List<String> attributes, List<Cohort> cohorts) {
  public EntityRouting {
    attributes = List.copyOf(attributes);
    cohorts = List.copyOf(cohorts);
  }

  public Optional<Cohort> cohort(String cohortName) {
    return cohorts.stream().filter(c -> c.name().equals(cohortName)).findFirst();
  }

  int indexOf(String cohortName) {
    for (int i = 0; i < cohorts.size(); i++) {
      if (cohorts.get(i).name().equals(cohortName)) {
        return i;
      }
    }
    return -1;
  }

  EntityRouting replace(Cohort cohort) {
    List<Cohort> next = new ArrayList<>(cohorts);
    next.set(indexOf(cohort.name()), cohort);
    return new EntityRouting(name, attributes, next);
  }

  EntityRouting insert(Cohort cohort, int position) {
    List<Cohort> next = new ArrayList<>(cohorts);
    next.add(position, cohort);
    return new EntityRouting(name, attributes, next);
  }

  EntityRouting remove(String cohortName) {
    List<Cohort> next = new ArrayList<>(cohorts);
    next.remove(indexOf(cohortName));
    return new EntityRouting(name, attributes, next);
  }
}
