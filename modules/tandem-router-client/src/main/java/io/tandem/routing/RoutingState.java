package io.tandem.routing;

import io.tandem.core.cohort.CohortBuckets;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
  /** Compiled per entity, in cohort order; null until first needed (a state kept only as definitions). */
  private volatile Map<String, Matcher[]> matchers;
  private final PendingSwitch pending;

  /**
   * A write switch under way: {@code change} will be applied when it completes; until then the keys whose
   * writes it moves (in {@code entities}) are fenced.
   *
   * @param target the state the change gives, to tell which keys it moves
   * @param beganAt the routing version that began it
   * @param rollback whether it was confirmed as a rollback (it moves keys new serves back to legacy)
   * @param losing the sides that lose some keys' writes: the ones to fence and drain
   * @param beginOffset the routing-log offset of the record that began it (-1 while only checked, not applied)
   */
  public record PendingSwitch(String id, Command change, Set<String> entities, RoutingState target, long beganAt,
      boolean rollback, Set<Target> losing, long beginOffset) {
    public PendingSwitch {
      entities = Set.copyOf(entities);
      losing = Set.copyOf(losing);
    }

    PendingSwitch definitions() {
      return new PendingSwitch(id, change, entities, target.definitions(), beganAt, rollback, losing, beginOffset);
    }

    PendingSwitch at(long offset) {
      return new PendingSwitch(id, change, entities, target, beganAt, rollback, losing, offset);
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
    return of(version, entities, List.of());
  }

  /**
   * A state holding {@code entities} at {@code version}, its rules compiled (a rule that does not compile is
   * refused). A cohort whose selector is the very instance a {@code donor} compiled, under the same attributes,
   * reuses the donor's compiled test: a version that does not touch a 100,000-key list or a long rule shares
   * them instead of copying or recompiling them.
   */
  static RoutingState of(long version, Map<String, EntityRouting> entities, List<RoutingState> donors)
      throws ProposalRejectedException {
    Map<String, EntityRouting> copy = new LinkedHashMap<>();
    for (EntityRouting entity : entities.values()) {
      copy.put(entity.name(), entity);
    }
    return new RoutingState(version, Collections.unmodifiableMap(copy), compile(copy, donors), null);
  }

  private static Map<String, Matcher[]> compile(Map<String, EntityRouting> entities, List<RoutingState> donors)
      throws ProposalRejectedException {
    Map<String, Matcher[]> compiled = new HashMap<>();
    for (EntityRouting entity : entities.values()) {
      Map<Selector, KeyTest> reusable = new IdentityHashMap<>();
      for (RoutingState donor : donors) {
        Map<String, Matcher[]> donated = donor == null ? null : donor.matchers;
        EntityRouting before = donor == null ? null : donor.entities.get(entity.name());
        if (donated != null && before != null && before.attributes().equals(entity.attributes())) {
          for (Matcher matcher : donated.getOrDefault(entity.name(), new Matcher[0])) {
            reusable.putIfAbsent(matcher.cohort.selector(), matcher.test);
          }
        }
      }
      Matcher[] list = new Matcher[entity.cohorts().size()];
      for (int i = 0; i < list.length; i++) {
        Cohort cohort = entity.cohorts().get(i);
        KeyTest test = reusable.get(cohort.selector());
        list[i] = new Matcher(cohort, test != null ? test : KeyTest.of(cohort.selector(), entity.attributes()));
      }
      compiled.put(entity.name(), list);
    }
    return compiled;
  }

  /** The compiled tests, built on first use for a state kept only as definitions. */
  private Map<String, Matcher[]> matchers() {
    Map<String, Matcher[]> current = matchers;
    if (current == null) {
      try {
        current = compile(entities, List.of());
      } catch (ProposalRejectedException e) {
        // Every rule compiled when its version was applied; the same code compiles it the same way.
        throw new IllegalStateException("routing version " + version + " no longer compiles: " + e.getMessage(), e);
      }
      matchers = current;
    }
    return current;
  }

  /**
   * This state without its compiled tests (rebuilt on first decision): what the history keeps of versions
   * older than the latest few. Its definitions share their selectors with the state and the log's commands.
   */
  RoutingState definitions() {
    return new RoutingState(version, entities, null, pending == null ? null : pending.definitions());
  }

  /** Whether this state holds compiled tests (for the history's bounds and tests). */
  boolean materialised() {
    return matchers != null;
  }

  /** The compiled test of a cohort's selector, for tests of structural sharing; null if none. */
  Object compiledTest(String entity, String cohort) {
    for (Matcher matcher : matchers().getOrDefault(entity, new Matcher[0])) {
      if (matcher.cohort.name().equals(cohort)) {
        return matcher.test;
      }
    }
    return null;
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
    Matcher[] list = matchers().get(entity);
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

  /** A cohort (name and phase, which change often) with its selector's compiled test (shared across versions). */
  private static final class Matcher {
    final Cohort cohort;
    final KeyTest test;

    Matcher(Cohort cohort, KeyTest test) {
      this.cohort = cohort;
      this.test = test;
    }

    boolean holds(String key, byte[] keyBytes, Map<String, String> attributes) {
      return test.holds(key, keyBytes, attributes);
    }
  }

  /** A selector's test of one key, compiled once. Immutable, so versions share it. */
  private interface KeyTest {
    boolean holds(String key, byte[] keyBytes, Map<String, String> attributes);

    static KeyTest of(Selector selector, List<String> attributes) throws ProposalRejectedException {
      if (selector instanceof Selector.Percent p) {
        byte[] salt = CohortBuckets.saltPrefix(p.salt());
        int below = p.basisPoints();
        return (key, keyBytes, attrs) -> below > 0 && CohortBuckets.bucket(salt, keyBytes) < below;
      }
      if (selector instanceof Selector.Keys k) {
        Set<String> keys = Set.copyOf(k.keys());
        return (key, keyBytes, attrs) -> keys.contains(key);
      }
      Rules.CompiledRule rule = Rules.compile(((Selector.Rule) selector).expression(), attributes);
      return (key, keyBytes, attrs) -> rule.holds(key, attrs);
    }
  }
}
