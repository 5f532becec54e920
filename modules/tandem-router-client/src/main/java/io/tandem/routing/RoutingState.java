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
  private final PendingSwitch pending;

  /**
   * A write switch under way: {@code change} will be applied when it completes; until then the keys whose
   * writes it moves (in {@code entities}) are fenced.
   *
   * @param target the state the change gives, to tell which keys it moves
   * @param beganAt the routing version that began it
   * @param rollback whether it was confirmed as a rollback (it moves keys new serves back to legacy)
   * @param losing the sides that lose some keys' writes: the ones to fence and drain
   */
  public record PendingSwitch(String id, Command change, Set<String> entities, RoutingState target, long beganAt,
      boolean rollback, Set<Target> losing) {
    public PendingSwitch {
      entities = Set.copyOf(entities);
      losing = Set.copyOf(losing);
    }
  }

  private RoutingState(long version, Map<String, EntityRouting> entities, Map<String, Matcher[]> matchers,
      PendingSwitch pending) {
    this.version = version;
    this.entities = entities;
    this.matchers = matchers;
    this.pending = pending;
  }

  public static RoutingState empty() {
    return new RoutingState(0, Map.of(), Map.of(), null);
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
    return new RoutingState(version, Collections.unmodifiableMap(copy), compiled, null);
  }

  /** The write switch under way, if any. */
  public Optional<PendingSwitch> pendingSwitch() {
    return Optional.ofNullable(pending);
  }

  RoutingState withPending(PendingSwitch switching) {
    return new RoutingState(version, entities, matchers, switching);
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
    return new RoutingState(newVersion, entities, matchers, pending);
  }

  /**
   * Decides one key. An unknown entity or a key no cohort holds stays on legacy (cohort null).
   *
   * @param attributes request attributes the entity's rules may use (missing ones make a rule not hold)
   */
  public Decision decide(String entity, String key, Map<String, String> attributes) {
    Decision decision = decideHere(entity, key, attributes);
    if (pending != null && pending.entities().contains(entity)) {
      Decision after = pending.target().decideHere(entity, key, attributes);
      if (after.write() != decision.write()) {
        return new Decision(entity, key, decision.cohort(), decision.phase(), decision.read(), decision.write(),
            decision.shadow(), version, true);
      }
    }
    return decision;
  }

  private Decision decideHere(String entity, String key, Map<String, String> attributes) {
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
