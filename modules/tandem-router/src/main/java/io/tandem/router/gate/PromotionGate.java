package io.tandem.router.gate;

import io.tandem.router.RouterSettings;
import io.tandem.routing.Cohort;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.RoutingState;
import io.tandem.routing.Selector;
import io.tandem.routing.status.StatusRecord;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * The promotion gates (docs/router.md, "Promotion gates"). A change is gated when it makes new serve keys
 * it did not serve before, without the verifier having compared them:
 * <ul>
 *   <li>a cohort moves forward into {@code NEW_READS} or {@code NEW} (promote; also a cohort created in,
 *       or restored by a rollback to, one of those phases);</li>
 *   <li>a cohort that new already serves may gain keys: its selector grows or is replaced, or a cohort
 *       ordered before it gives up keys (shrinks, moves behind it, is deleted), so keys fall through to it.</li>
 * </ul>
 * Each gated cohort needs a clean verification newer than the maximum age that covers its members
 * after the change: an entity-wide pass ({@code *}), or a pass of the cohort made at a routing version
 * whose definitions gave the cohort (at least) the members it will have. A cohort that grows therefore
 * needs an entity-wide pass in practice: its own pass compared only the keys it held, not the ones it
 * gains. A newer pass that found differences outweighs an older clean one. Each entity with a gated
 * cohort also needs two lag reports newer than their maximum age, each within the bound: the sink's
 * (legacy commit → visible) and capture's (silence beyond its heartbeats).
 * Pure: the facts come from a {@link StatusView}, the time from a clock, old definitions from the routing
 * history.
 */
public final class PromotionGate {
  private final RouterSettings.Gates settings;
  private final StatusView status;
  private final Clock clock;

  public PromotionGate(RouterSettings.Gates settings, StatusView status, Clock clock) {
    this.settings = settings;
    this.status = status;
    this.clock = clock;
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /**
   * What the gate says about changing {@code before} into {@code after}.
   *
   * @param history the routing state at an earlier version, if it exists (the state machine's history)
   */
  public GateVerdict evaluate(RoutingState before, RoutingState after, LongFunction<Optional<RoutingState>> history) {
    if (!settings.enabled()) {
      return GateVerdict.notGated();
    }
    Instant now = clock.instant();
    List<String> moves = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    List<String> evidence = new ArrayList<>();
    for (EntityRouting entity : after.entities().values()) {
      EntityRouting was = before.entity(entity.name()).orElse(null);
      boolean gated = false;
      boolean writesToNew = false;
      for (Cohort cohort : entity.cohorts()) {
        Optional<String> move = move(was, entity, cohort);
        if (move.isPresent()) {
          gated = true;
          writesToNew |= cohort.phase().write() == io.tandem.routing.Target.NEW;
          moves.add(move.get());
          verified(entity, cohort, history, now, failed, evidence);
        }
      }
      if (gated) {
        lag(entity.name(), now, failed, evidence);
      }
      if (writesToNew) {
        // Writes on new must reach legacy, or an undo loses them: reverse sync must be running and caught up.
        withinBound("reverse-sync lag", "reverse-sync lag report (is `--components reverse` running?)",
            status.lag(entity.name(), StatusRecord.Lag.REVERSE_SINK), entity.name(), now, failed, evidence);
        withinBound("reverse capture lag", "reverse capture lag report (is `--components reverse` running?)",
            status.lag(entity.name(), StatusRecord.Lag.REVERSE_CAPTURE), entity.name(), now, failed, evidence);
      }
    }
    if (!moves.isEmpty()) {
      status.problem().ifPresent(failed::add);
    }
    return new GateVerdict(moves, failed, evidence);
  }

  /** The gated move of {@code cohort} from {@code was} to {@code now}, if it has one. */
  private static Optional<String> move(EntityRouting was, EntityRouting now, Cohort cohort) {
    if (cohort.phase().newness() == 0) {
      return Optional.empty();
    }
    String name = now.name() + "/" + cohort.name();
    Optional<Cohort> previous = was == null ? Optional.empty() : was.cohort(cohort.name());
    if (previous.isEmpty()) {
      return Optional.of(name + " enters " + cohort.phase() + " as a new cohort");
    }
    if (previous.get().phase().newness() < cohort.phase().newness()) {
      return Optional.of(name + " " + previous.get().phase() + " -> " + cohort.phase());
    }
    return gains(was, now, cohort.name())
        .map(why -> name + " (" + cohort.phase() + ") gains keys never verified as its members: " + why);
  }

  /**
   * Why {@code cohort} may hold keys in {@code now} that it did not hold in {@code then}, if it may.
   * Conservative like the membership ledger: two different rules never cover each other.
   */
  static Optional<String> gains(EntityRouting then, EntityRouting now, String cohort) {
    Optional<Cohort> old = then.cohort(cohort);
    Cohort current = now.cohort(cohort).orElseThrow();
    if (old.isEmpty()) {
      return Optional.of("the cohort did not exist");
    }
    if (!current.selector().coveredBy(old.get().selector())) {
      return Optional.of("its selector was " + describe(old.get().selector()) + ", now "
          + describe(current.selector()));
    }
    List<Cohort> aheadNow = ahead(now, cohort);
    for (Cohort before : ahead(then, cohort)) {
      Optional<Cohort> still = aheadNow.stream().filter(c -> c.name().equals(before.name())).findFirst();
      if (still.isEmpty()) {
        return Optional.of("cohort '" + before.name() + "', ordered before it, "
            + (now.cohort(before.name()).isPresent() ? "is now ordered after it" : "is gone")
            + ", so keys it held may fall through to it");
      }
      if (!before.selector().coveredBy(still.get().selector())) {
        return Optional.of("cohort '" + before.name() + "', ordered before it, holds fewer keys ("
            + describe(before.selector()) + " -> " + describe(still.get().selector())
            + "), so keys it held may fall through to it");
      }
    }
    return Optional.empty();
  }

  private static List<Cohort> ahead(EntityRouting entity, String cohort) {
    List<Cohort> ahead = new ArrayList<>();
    for (Cohort c : entity.cohorts()) {
      if (c.name().equals(cohort)) {
        break;
      }
      ahead.add(c);
    }
    return ahead;
  }

  /**
   * Condition (a): a clean, recent verification that covers the cohort's members after the change, made with
   * the mapping the transform runs (when it publishes one).
   */
  private void verified(EntityRouting entity, Cohort cohort, LongFunction<Optional<RoutingState>> history,
      Instant now, List<String> failed, List<String> evidence) {
    String scope = entity.name() + "/" + cohort.name();
    Optional<StatusRecord.MappingVersion> running = status.mapping(entity.name());
    List<StatusRecord.Verification> candidates = new ArrayList<>();
    status.verification(entity.name(), cohort.name()).ifPresent(candidates::add);
    status.verification(entity.name(), StatusRecord.ALL_COHORTS).ifPresent(candidates::add);
    // Newest first; on a tie the dirty one first.
    candidates.sort(Comparator.comparing(StatusRecord.Verification::finishedAt).reversed()
        .thenComparing(StatusRecord.Verification::clean));
    List<String> notes = new ArrayList<>();
    for (StatusRecord.Verification pass : candidates) {
      String pair = pass.entity() + "/" + pass.cohort();
      if (!pass.clean()) {
        notes.add("newest: " + pass.differences() + " differences in " + pass.rowsChecked() + " rows at "
            + pass.finishedAt() + ", " + pair + " pass");
        break;
      }
      if (Duration.between(pass.finishedAt(), now).compareTo(settings.maxVerificationAge()) > 0) {
        notes.add("newest clean: " + pair + " pass at " + pass.finishedAt());
        break;
      }
      if (running.isPresent() && !running.get().fingerprint().equals(pass.mapping())) {
        // A mapping change is rolling out: only a pass made with the running mapping proves the data.
        notes.add("the clean " + pair + " pass at " + pass.finishedAt() + " used mapping "
            + (pass.mapping() == null ? "(unknown)" : pass.mapping()) + ", the transform runs mapping "
            + running.get().fingerprint() + " since " + running.get().since() + ": promotions wait for a clean pass"
            + " with it");
        break;
      }
      if (!pass.entityWide()) {
        Optional<String> different = differentMembers(pass.routingVersion(), entity, cohort.name(), history);
        if (different.isPresent()) {
          notes.add("the clean " + pair + " pass at " + pass.finishedAt() + " verified other members: at routing version "
              + pass.routingVersion() + " " + different.get());
          continue;
        }
      }
      evidence.add(scope + " verified clean at " + pass.finishedAt() + " by the " + pair + " pass (routing version "
          + pass.routingVersion() + ", " + pass.rowsChecked() + " rows)");
      return;
    }
    if (notes.isEmpty()) {
      notes.add("none published");
    }
    failed.add("no clean verification of " + scope + " newer than " + settings.maxVerificationAge() + " ("
        + String.join("; ", notes) + ")");
  }

  private static Optional<String> differentMembers(long version, EntityRouting now, String cohort,
      LongFunction<Optional<RoutingState>> history) {
    Optional<RoutingState> then = history.apply(version);
    if (then.isEmpty()) {
      return Optional.of("(unknown to this replica)");
    }
    Optional<EntityRouting> entity = then.get().entity(now.name());
    if (entity.isEmpty()) {
      return Optional.of("the entity was not declared");
    }
    return gains(entity.get(), now, cohort);
  }

  /**
   * Condition (b): recent lag reports within the bound, from the sink (end to end) and from capture (its
   * liveness: a stalled capture leaves the sink idle, which the sink alone would report as no lag).
   */
  private void lag(String entity, Instant now, List<String> failed, List<String> evidence) {
    withinBound("replication lag", "replication-lag report", status.lag(entity), entity, now, failed, evidence);
    withinBound("capture lag", "capture lag report", status.captureLag(entity), entity, now, failed, evidence);
  }

  private void withinBound(String what, String report, Optional<StatusRecord.Lag> newest, String entity, Instant now,
      List<String> failed, List<String> evidence) {
    String within = "in the last " + settings.maxLagReportAge();
    if (newest.isEmpty()) {
      failed.add("no " + report + " for " + entity + " " + within + " (none published)");
      return;
    }
    StatusRecord.Lag lag = newest.get();
    if (Duration.between(lag.measuredAt(), now).compareTo(settings.maxLagReportAge()) > 0) {
      failed.add("no " + report + " for " + entity + " " + within + " (newest: " + lag.lagMillis()
          + " ms at " + lag.measuredAt() + " from " + lag.source() + ")");
      return;
    }
    long bound = settings.maxLag().toMillis();
    if (lag.lagMillis() > bound) {
      failed.add(what + " " + lag.lagMillis() + " ms exceeds the bound of " + bound + " ms (" + entity
          + ", measured at " + lag.measuredAt() + " by " + lag.source() + ")");
      return;
    }
    evidence.add(what + " of " + entity + " " + lag.lagMillis() + " ms at " + lag.measuredAt() + " ("
        + lag.source() + "), within " + bound + " ms");
  }

  /** A selector in a sentence: {@code 5 %}, {@code 3 keys}, {@code rule region == "EU"}. */
  static String describe(Selector selector) {
    if (selector instanceof Selector.Percent p) {
      return BigDecimal.valueOf(p.basisPoints(), 2).stripTrailingZeros().toPlainString() + " %";
    }
    if (selector instanceof Selector.Keys k) {
      return k.keys().size() + (k.keys().size() == 1 ? " key" : " keys");
    }
    return "rule " + ((Selector.Rule) selector).expression();
  }
}
