package io.tandem.routing;

import java.util.Optional;

/**
 * The membership ledger's rule: a change must not silently move a key that new serves (reads, or
 * reads and writes) back to legacy. Decided conservatively from the cohorts before and after: for every
 * cohort that new serves, it must keep (at least) its keys and its phase, and no cohort ordered before
 * it that new serves less may newly take keys it could hold.
 */
final class Retreats {
  private Retreats() {}

  static Optional<String> find(EntityRouting before, EntityRouting after) {
    for (int i = 0; i < before.cohorts().size(); i++) {
      Cohort served = before.cohorts().get(i);
      int newness = served.phase().newness();
      if (newness == 0) {
        continue;
      }
      Optional<Cohort> now = after.cohort(served.name());
      if (now.isEmpty()) {
        return Optional.of("deleting cohort '" + served.name() + "' (" + served.phase()
            + ") moves its keys back to legacy");
      }
      if (now.get().phase().newness() < newness) {
        return Optional.of("moving cohort '" + served.name() + "' from " + served.phase() + " to "
            + now.get().phase() + " moves its " + (newness == 2 ? "writes" : "reads") + " back to legacy");
      }
      if (!served.selector().coveredBy(now.get().selector())) {
        return Optional.of("cohort '" + served.name() + "' (" + served.phase() + ") would hold fewer keys ("
            + describe(served.selector()) + " -> " + describe(now.get().selector())
            + "), and the keys it drops would go back to legacy");
      }
      int position = after.indexOf(served.name());
      for (int j = 0; j < position; j++) {
        Cohort ahead = after.cohorts().get(j);
        if (ahead.phase().newness() >= newness) {
          continue;
        }
        int wasAt = before.indexOf(ahead.name());
        boolean wasAheadAndSame = wasAt >= 0 && wasAt < i
            && ahead.selector().coveredBy(before.cohorts().get(wasAt).selector());
        if (!wasAheadAndSame) {
          return Optional.of("cohort '" + ahead.name() + "' (" + ahead.phase() + ") is ordered before cohort '"
              + served.name() + "' (" + served.phase() + ") and would take keys from it");
        }
      }
    }
    return Optional.empty();
  }

  static String describe(Selector selector) {
    if (selector instanceof Selector.Percent p) {
      return String.format(java.util.Locale.ROOT, "%.2f %%", p.percent());
    }
    if (selector instanceof Selector.Keys k) {
      return k.keys().size() + " keys";
    }
    return "rule " + ((Selector.Rule) selector).expression();
  }
}
