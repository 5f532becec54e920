package io.tandem.routing;

import io.tandem.core.cohort.CohortBuckets;
import java.util.Set;
import java.util.TreeSet;

/** Which keys a cohort holds. */
public sealed interface Selector permits Selector.Percent, Selector.Keys, Selector.Rule {

  /**
   * Whether every key this selector holds is also held by {@code wider} (so moving from this to
   * {@code wider} moves no key out). Conservative: two different rules never cover each other.
   */
  boolean coveredBy(Selector wider);

  /** What kind of selector, as named in the API and the log. */
  String kind();

  /**
   * A sticky share of the keys: those whose bucket {@code murmur3(salt ":" key) mod 10000} is below
   * {@code basisPoints}. Growing the share keeps every key it held.
   */
  record Percent(int basisPoints, String salt) implements Selector {
    public Percent {
      if (basisPoints < 0 || basisPoints > CohortBuckets.BUCKETS) {
        throw new IllegalArgumentException("percentage must be between 0 and 100, was " + basisPoints / 100.0);
      }
      if (salt == null || salt.isBlank()) {
        throw new IllegalArgumentException("salt must not be empty");
      }
    }

    @Override
    public boolean coveredBy(Selector wider) {
      return wider instanceof Percent p && p.salt.equals(salt) && p.basisPoints >= basisPoints;
    }

    @Override
    public String kind() {
      return "percent";
    }

    /** The share as a percentage (basis points / 100). */
    public double percent() {
      return basisPoints / 100.0;
    }
  }

  /** An explicit list of keys. */
  record Keys(Set<String> keys) implements Selector {
    public Keys {
      if (keys == null || keys.isEmpty()) {
        throw new IllegalArgumentException("a key list must hold at least one key");
      }
      for (String key : keys) {
        if (key == null || key.isEmpty()) {
          throw new IllegalArgumentException("keys must not be empty");
        }
      }
      keys = java.util.Collections.unmodifiableSet(new TreeSet<>(keys));
    }

    @Override
    public boolean coveredBy(Selector wider) {
      return wider instanceof Keys k && k.keys.containsAll(keys);
    }

    @Override
    public String kind() {
      return "keys";
    }
  }

  /** A CEL expression over the request's attributes and {@code key}, e.g. {@code region == "EU"}. */
  record Rule(String expression) implements Selector {
    public Rule {
      if (expression == null || expression.isBlank()) {
        throw new IllegalArgumentException("a rule must not be empty");
      }
    }

    @Override
    public boolean coveredBy(Selector wider) {
      return wider instanceof Rule r && r.expression.equals(expression);
    }

    /** Nodes of the parsed expression (its complexity), or -1 when it does not parse. */
    public int nodeCount() {
      return Rules.nodeCount(expression);
    }

    @Override
    public String kind() {
      return "rule";
    }
  }
}
