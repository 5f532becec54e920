package io.tandem.routing;

import io.tandem.core.cohort.CohortBuckets;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routing truth at one version: every entity's cohorts in order. Immutable; decisions read it
 * without locks. Rules and salts are compiled once per state, so a decision allocates only the key's
 * bytes.
 */
public final class RoutingState {
  private final long version;
  private final Map<String, EntityRouting> entities;
  private final Map<String, Matcher[]> matchers;

  private RoutingState(long version, Map<String, EntityRouting> entities, Map<String, Matcher[]> matchers) {
    this.version = version;
    this.entities = entities;
    this.matchers = matchers;
  }

  public static RoutingState empty() {
    return new RoutingState(0, Map.of(), Map.of());
  }

  /** A state holding {@code entities} at {@code version}; rules must compile (they did when applied). */
  static RoutingState of(long version, Map<String, EntityRouting> entities) throws ProposalRejectedException {
    Map<String, EntityRouting> copy = new LinkedHashMap<>();
    Map<String, Matcher[]> compiled = new HashMap<>();
    for (EntityRouting entity : entities.values()) {
      copy.put(entity.name(), entity);
      Matcher[] list = new Matcher[entity.cohorts().size()];
      for (int i = 0; i < list.length; i++) {
        list[i] = Matcher.of(entity.cohorts().get(i), entity.attributes());
      }
      compiled.put(entity.name(), list);
    }
    return new RoutingState(version, Collections.unmodifiableMap(copy), compiled);
  }

  public long version() {
    return version;
  }

  public Map<String, EntityRouting> entities() {
    return entities;
  }

  public Optional<EntityRouting> entity(String name) {
    return Optional.ofNullable(entities.get(name));
  }

  RoutingState withVersion(long newVersion) {
    return new RoutingState(newVersion, entities, matchers);
  }

  /**
   * Decides one key. An unknown entity or a key no cohort holds stays on legacy (cohort null).
   *
   * @param attributes request attributes the entity's rules may use (missing ones make a rule not hold)
   */
  public Decision decide(String entity, String key, Map<String, String> attributes) {
    Matcher[] list = matchers.get(entity);
    if (list != null && list.length > 0) {
      byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
      for (Matcher matcher : list) {
        if (matcher.holds(key, keyBytes, attributes)) {
          Phase phase = matcher.cohort.phase();
          return new Decision(entity, key, matcher.cohort.name(), phase, phase.read(), phase.write(),
              phase.shadowReads(), version);
        }
      }
    }
    return new Decision(entity, key, null, Phase.LEGACY, Target.LEGACY, Target.LEGACY, false, version);
  }

  public Decision decide(String entity, String key) {
    return decide(entity, key, Map.of());
  }

  /** A cohort's test of one key, compiled from its selector. */
  private abstract static class Matcher {
    final Cohort cohort;

    Matcher(Cohort cohort) {
      this.cohort = cohort;
    }

    abstract boolean holds(String key, byte[] keyBytes, Map<String, String> attributes);

    static Matcher of(Cohort cohort, List<String> attributes) throws ProposalRejectedException {
      Selector selector = cohort.selector();
      if (selector instanceof Selector.Percent p) {
        byte[] salt = CohortBuckets.saltPrefix(p.salt());
        int below = p.basisPoints();
        return new Matcher(cohort) {
          @Override
          boolean holds(String key, byte[] keyBytes, Map<String, String> attrs) {
            return below > 0 && CohortBuckets.bucket(salt, keyBytes) < below;
          }
        };
      }
      if (selector instanceof Selector.Keys k) {
        Set<String> keys = Set.copyOf(k.keys());
        return new Matcher(cohort) {
          @Override
          boolean holds(String key, byte[] keyBytes, Map<String, String> attrs) {
            return keys.contains(key);
          }
        };
      }
      Rules.CompiledRule rule = Rules.compile(((Selector.Rule) selector).expression(), attributes);
      return new Matcher(cohort) {
        @Override
        boolean holds(String key, byte[] keyBytes, Map<String, String> attrs) {
          return rule.holds(key, attrs);
        }
      };
    }
  }
}
