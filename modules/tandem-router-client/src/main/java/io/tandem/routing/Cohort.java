package io.tandem.routing;

import java.util.Objects;

/** A named group of an entity's keys and the phase it is in. */
public record Cohort(String name, Selector selector, Phase phase) {
  public Cohort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(phase, "phase");
  }

  Cohort withSelector(Selector newSelector) {
    return new Cohort(name, newSelector, phase);
  }

  Cohort withPhase(Phase newPhase) {
    return new Cohort(name, selector, newPhase);
  }
}
