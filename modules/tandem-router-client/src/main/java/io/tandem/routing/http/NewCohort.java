package io.tandem.routing.http;

import io.tandem.routing.Phase;
import java.util.Objects;

/**
 * A cohort to create: its name, its keys, and optionally its starting phase and its place in the
 * evaluation order (null: the router's default, {@link Phase#LEGACY} and last).
 */
public record NewCohort(String name, SelectorRequest selector, Phase phase, Integer position) {
  public NewCohort {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(selector, "selector");
  }

  /** At the router's default phase and position. */
  public NewCohort(String name, SelectorRequest selector) {
    this(name, selector, null, null);
  }
}
