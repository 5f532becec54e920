package io.tandem.router.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.router.RouterSettings;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalRejectedException;
import io.tandem.routing.RoutingState;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import io.tandem.routing.status.StatusRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate's logic with fake status facts, a fixed clock and a real routing history. */
class PromotionGateTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final RouterSettings.Gates GATES = RouterSettings.Gates.defaults();

  private final FakeStatus status = new FakeStatus();
  private final PromotionGate gate = new PromotionGate(GATES, status, Clock.fixed(NOW, ZoneOffset.UTC));
  private RoutingStateMachine machine;

  @BeforeEach
  void routing() {
    machine = new RoutingStateMachine();
    apply(new Command.DefineEntity("customer", List.of("region")));           // version 1
    apply(create("vip", new Selector.Keys(Set.of("1", "2")), Phase.LEGACY));  // version 2
    apply(create("beta", percent("beta", 1), Phase.SHADOW));                  // version 3
  }

  // ---- what is gated ----

  @Test
  void movesThatDoNotMakeNewServeMoreAreNotGated() {
    assertThat(evaluate(promote("vip", Phase.SHADOW)).gated()).isFalse();          // LEGACY -> SHADOW
    assertThat(evaluate(setPercent("beta", 50)).gated()).isFalse();                // grows, but in SHADOW
    apply(promote("beta", Phase.NEW_READS));
    assertThat(evaluate(rollback(promote("beta", Phase.SHADOW))).gated()).isFalse(); // demote
    assertThat(evaluate(rollback(setPercent("beta", 0.5))).gated()).isFalse();     // shrink
    assertThat(evaluate(new Command.DefineEntity("customer", List.of("region", "tier"))).gated()).isFalse();
  }

  @Test
  void disabledGatesGateNothing() {
    PromotionGate off = new PromotionGate(RouterSettings.Gates.disabled(), status, Clock.fixed(NOW, ZoneOffset.UTC));
    RoutingState before = machine.state();
    GateVerdict verdict = off.evaluate(before, check(promote("beta", Phase.NEW_READS)), machine::stateAt);
    assertThat(verdict.gated()).isFalse();
    assertThat(verdict.passed()).isTrue();
    assertThat(off.enabled()).isFalse();
  }

  @Test
  void promotionIntoNewReadsOrNewIsGated() {
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).moves()).containsExactly("customer/beta SHADOW -> NEW_READS");
    apply(promote("beta", Phase.NEW_READS));
    assertThat(evaluate(promote("beta", Phase.NEW)).moves()).containsExactly("customer/beta NEW_READS -> NEW");
  }

  @Test
  void writesMoveToNewOnlyWhileReverseSyncRunsAndIsCaughtUp() {
    apply(promote("beta", Phase.NEW_READS));                                   // version 4
    freshLag();
    status.put(clean("beta", 4, NOW.minusSeconds(60)));
    assertThat(evaluate(promote("beta", Phase.NEW)).failed())
        .containsExactly(
            "no reverse-sync lag report (is `--components reverse` running?) for customer in the last PT1M (none published)",
            "no reverse capture lag report (is `--components reverse` running?) for customer in the last PT1M (none published)");
    status.put(new StatusRecord.Lag("customer", 9_000, NOW.minusSeconds(5), StatusRecord.Lag.REVERSE_SINK));
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(5), StatusRecord.Lag.REVERSE_CAPTURE));
    assertThat(evaluate(promote("beta", Phase.NEW)).failed()).containsExactly("reverse-sync lag 9000 ms exceeds the"
        + " bound of 5000 ms (customer, measured at 2026-11-21T11:59:55Z by reverse-sink)");
    status.put(new StatusRecord.Lag("customer", 40, NOW.minusSeconds(5), StatusRecord.Lag.REVERSE_SINK));
    GateVerdict verdict = evaluate(promote("beta", Phase.NEW));
    assertThat(verdict.passed()).isTrue();
    assertThat(verdict.evidence()).anySatisfy(e -> assertThat(e).startsWith("reverse-sync lag of customer 40 ms"));
  }

  @Test
  void aCohortCreatedInNewReadsIsGated() {
    GateVerdict verdict = evaluate(create("wave", percent("wave", 5), Phase.NEW_READS));
    assertThat(verdict.moves()).containsExactly("customer/wave enters NEW_READS as a new cohort");
    assertThat(verdict.failed()).first().asString().contains("no clean verification of customer/wave");
  }

  @Test
  void aRollbackThatRestoresNewReadsIsGated() {
    apply(promote("beta", Phase.NEW_READS));                                   // version 4
    apply(rollback(promote("beta", Phase.SHADOW)));                            // version 5
    assertThat(evaluate(rollback(new Command.RollbackTo(4))).moves())
        .containsExactly("customer/beta SHADOW -> NEW_READS");
  }

  @Test
  void growingACohortNewServesIsGatedAndOnlyAnEntityWidePassCoversTheNewKeys() {
    apply(promote("beta", Phase.NEW_READS));                                   // version 4
    freshLag();
    status.put(clean("beta", 4, NOW.minusSeconds(60)));                        // verified the 1 % only
    GateVerdict grow = evaluate(setPercent("beta", 5));
    assertThat(grow.moves()).containsExactly(
        "customer/beta (NEW_READS) gains keys never verified as its members: its selector was 1 %, now 5 %");
    assertThat(grow.failed()).containsExactly("no clean verification of customer/beta newer than PT1H (the clean "
        + "customer/beta pass at 2026-11-21T11:59:00Z verified other members: at routing version 4 its selector "
        + "was 1 %, now 5 %)");

    status.put(clean("*", 4, NOW.minusSeconds(120)));
    GateVerdict covered = evaluate(setPercent("beta", 5));
    assertThat(covered.passed()).isTrue();
    assertThat(covered.evidence()).first().asString()
        .isEqualTo("customer/beta verified clean at 2026-11-21T11:58:00Z by the customer/* pass (routing version 4, "
            + "1000 rows)");
    // Replacing the selector with a rule may drop keys (a rollback) and gain others: still gated.
    status.remove("*");
    assertThat(evaluate(rollback(new Command.UpdateSelector("customer", "beta", new Selector.Rule("region == 'EU'"))))
        .failed()).first().asString().contains("its selector was 1 %, now rule region == 'EU'");
  }

  @Test
  void keysFallingThroughFromADeletedCohortAheadAreGrowth() {
    apply(promote("beta", Phase.NEW_READS));                                   // version 4
    freshLag();
    status.put(clean("beta", 4, NOW.minusSeconds(60)));
    GateVerdict verdict = evaluate(new Command.DeleteCohort("customer", "vip"));
    assertThat(verdict.moves()).containsExactly("customer/beta (NEW_READS) gains keys never verified as its "
        + "members: cohort 'vip', ordered before it, is gone, so keys it held may fall through to it");
    assertThat(verdict.passed()).isFalse();
    assertThat(evaluate(new Command.UpdateSelector("customer", "vip", new Selector.Keys(Set.of("1")))).moves())
        .first().asString().contains("cohort 'vip', ordered before it, holds fewer keys (2 keys -> 1 key)");
  }

  // ---- condition (a): verification ----

  @Test
  void withNoFactsBothConditionsFailAndAreNamed() {
    GateVerdict verdict = evaluate(promote("beta", Phase.NEW_READS));
    assertThat(verdict.gated()).isTrue();
    assertThat(verdict.passed()).isFalse();
    assertThat(verdict.failed()).containsExactly(
        "no clean verification of customer/beta newer than PT1H (none published)",
        "no replication-lag report for customer in the last PT1M (none published)",
        "no capture lag report for customer in the last PT1M (none published)");
    assertThat(verdict.evidence()).isEmpty();
  }

  @Test
  void aCleanRecentPassOfTheCohortAndALowLagPass() {
    status.put(clean("beta", 3, NOW.minus(Duration.ofHours(1))));              // exactly the maximum age
    status.put(new StatusRecord.Lag("customer", 5000, NOW.minusSeconds(60), "sink")); // exactly both bounds
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(3), "capture"));
    GateVerdict verdict = evaluate(promote("beta", Phase.NEW_READS));
    assertThat(verdict.failed()).isEmpty();
    assertThat(verdict.passed()).isTrue();
    assertThat(verdict.evidence()).containsExactly(
        "customer/beta verified clean at 2026-11-21T11:00:00Z by the customer/beta pass (routing version 3, 1000 rows)",
        "replication lag of customer 5000 ms at 2026-11-21T11:59:00Z (sink), within 5000 ms",
        "capture lag of customer 0 ms at 2026-11-21T11:59:57Z (capture), within 5000 ms");
  }

  @Test
  void aCleanRecentEntityWidePassCountsForEveryCohort() {
    freshLag();
    status.put(clean("*", 1, NOW.minusSeconds(10)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).isTrue();
  }

  @Test
  void promotionsWaitWhileAMappingChangeRollsOut() {
    freshLag();
    status.put(clean("*", 1, NOW.minusSeconds(10)).withMapping("aaaa000011112222"));
    status.put(new StatusRecord.MappingVersion("customer", "aaaa000011112222", NOW.minus(Duration.ofDays(1))));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).as("the pass used the running mapping").isTrue();

    // The transform restarts with a changed mapping: the clean pass made with the old one no longer counts.
    status.put(new StatusRecord.MappingVersion("customer", "bbbb000011112222", NOW.minusSeconds(5)));
    GateVerdict frozen = evaluate(promote("beta", Phase.NEW_READS));
    assertThat(frozen.passed()).isFalse();
    assertThat(frozen.failed()).singleElement().asString().contains("used mapping aaaa000011112222")
        .contains("the transform runs mapping bbbb000011112222").contains("promotions wait for a clean pass with it");
    status.put(clean("*", 1, NOW.minusSeconds(10)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).singleElement().asString()
        .contains("used mapping (unknown)");

    status.put(clean("*", 1, NOW.minusSeconds(1)).withMapping("bbbb000011112222"));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).as("verified with the new mapping").isTrue();
  }

  @Test
  void aDirtyNewestPassFailsWithItsDifferences() {
    freshLag();
    status.put(clean("*", 3, NOW.minusSeconds(600)));
    status.put(dirty("beta", 3, NOW.minusSeconds(60), 3));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "no clean verification of customer/beta newer than PT1H (newest: 3 differences in 1000 rows at "
            + "2026-11-21T11:59:00Z, customer/beta pass)");
    // A newer dirty entity-wide pass outweighs an older clean pass of the cohort.
    status.put(clean("beta", 3, NOW.minusSeconds(600)));
    status.put(dirty("*", 3, NOW.minusSeconds(60), 7));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).first().asString()
        .contains("newest: 7 differences in 1000 rows at 2026-11-21T11:59:00Z, customer/* pass");
    // ... and an older dirty one does not count against a newer clean one.
    status.put(clean("beta", 3, NOW.minusSeconds(30)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).isTrue();
  }

  @Test
  void aStaleCleanPassFails() {
    freshLag();
    status.put(clean("beta", 3, NOW.minus(Duration.ofHours(1)).minusSeconds(1)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "no clean verification of customer/beta newer than PT1H (newest clean: customer/beta pass at "
            + "2026-11-21T10:59:59Z)");
  }

  @Test
  void aPassOfTheCohortMadeBeforeItsSelectorChangedDoesNotCount() {
    freshLag();
    status.put(clean("beta", 3, NOW.minusSeconds(60)));                        // verified the 1 %
    apply(setPercent("beta", 5));                                              // version 4, still SHADOW
    GateVerdict verdict = evaluate(promote("beta", Phase.NEW_READS));
    assertThat(verdict.failed()).containsExactly("no clean verification of customer/beta newer than PT1H (the clean "
        + "customer/beta pass at 2026-11-21T11:59:00Z verified other members: at routing version 3 its selector was "
        + "1 %, now 5 %)");
    // An older clean entity-wide pass still covers it.
    status.put(clean("*", 2, NOW.minusSeconds(300)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).isTrue();
  }

  @Test
  void aPassOfALargerCohortCoversItAfterItShrank() {
    freshLag();
    apply(setPercent("beta", 5));                                              // version 4
    status.put(clean("beta", 4, NOW.minusSeconds(60)));                        // verified the 5 %
    apply(rollback(setPercent("beta", 2)));                                    // version 5
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).isTrue();
  }

  @Test
  void aPassMadeWhenACohortAheadHeldMoreKeysDoesNotCountAfterItShrank() {
    freshLag();
    status.put(clean("beta", 3, NOW.minusSeconds(60)));
    apply(new Command.UpdateSelector("customer", "vip", new Selector.Keys(Set.of("1"))));   // version 4
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).first().asString().contains(
        "at routing version 3 cohort 'vip', ordered before it, holds fewer keys (2 keys -> 1 key)");
    apply(new Command.UpdateSelector("customer", "vip", new Selector.Keys(Set.of("1", "2", "3")))); // version 5
    // vip took keys from beta since version 3: beta's members are a subset of the ones verified.
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).passed()).isTrue();
  }

  @Test
  void aPassAtARoutingVersionThisReplicaDoesNotKnowOrBeforeTheCohortExistedDoesNotCount() {
    freshLag();
    status.put(clean("beta", 99, NOW.minusSeconds(60)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).first().asString()
        .contains("at routing version 99 (unknown to this replica)");
    status.put(clean("beta", 2, NOW.minusSeconds(60)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).first().asString()
        .contains("at routing version 2 the cohort did not exist");
    status.put(clean("beta", 0, NOW.minusSeconds(60)));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).first().asString()
        .contains("at routing version 0 the entity was not declared");
  }

  // ---- condition (b): replication lag ----

  @Test
  void lagOverTheBoundFails() {
    status.put(clean("*", 3, NOW.minusSeconds(60)));
    status.put(new StatusRecord.Lag("customer", 7200, NOW.minusSeconds(5), "sink"));
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(5), "capture"));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "replication lag 7200 ms exceeds the bound of 5000 ms (customer, measured at 2026-11-21T11:59:55Z by sink)");
  }

  @Test
  void anOldLagReportFails() {
    status.put(clean("*", 3, NOW.minusSeconds(60)));
    status.put(new StatusRecord.Lag("customer", 120, NOW.minusSeconds(61), "sink"));
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(5), "capture"));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "no replication-lag report for customer in the last PT1M (newest: 120 ms at 2026-11-21T11:58:59Z from sink)");
  }

  @Test
  void aStalledCaptureFailsThoughTheIdleSinkReportsNoLag() {
    status.put(clean("*", 3, NOW.minusSeconds(60)));
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(5), "sink"));
    status.put(new StatusRecord.Lag("customer", 25_000, NOW.minusSeconds(5), "capture"));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "capture lag 25000 ms exceeds the bound of 5000 ms (customer, measured at 2026-11-21T11:59:55Z by capture)");
    // A capture process that is gone stops reporting: its last report ages out.
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(90), "capture"));
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed()).containsExactly(
        "no capture lag report for customer in the last PT1M (newest: 0 ms at 2026-11-21T11:58:30Z from capture)");
  }

  @Test
  void theLagOfEveryEntityWithAGatedMoveCounts() {
    apply(new Command.DefineEntity("order", List.of()));                       // version 4
    apply(new Command.CreateCohort("order", "all", percent("all", 100), Phase.SHADOW, -1)); // version 5
    status.put(clean("*", 3, NOW.minusSeconds(60)));
    freshLag();
    RoutingState before = machine.state();
    RoutingState after = check(promote("beta", Phase.NEW_READS));
    // Promote order/all on top of that, as a rollback to a state with both moved would.
    apply(promote("beta", Phase.NEW_READS));
    apply(new Command.SetPhase("order", "all", Phase.NEW_READS));
    GateVerdict both = gate.evaluate(before, machine.state(), machine::stateAt);
    assertThat(both.moves()).containsExactly("customer/beta SHADOW -> NEW_READS", "order/all SHADOW -> NEW_READS");
    assertThat(both.failed()).containsExactly(
        "no clean verification of order/all newer than PT1H (none published)",
        "no replication-lag report for order in the last PT1M (none published)",
        "no capture lag report for order in the last PT1M (none published)");
    assertThat(gate.evaluate(before, after, machine::stateAt).passed()).isTrue();
  }

  @Test
  void aStatusFollowerThatIsNotUsableFailsTheGate() {
    status.put(clean("*", 3, NOW.minusSeconds(60)));
    freshLag();
    status.problem = "the status topic tandem.status is no longer followed by this replica (stopped)";
    assertThat(evaluate(promote("beta", Phase.NEW_READS)).failed())
        .containsExactly("the status topic tandem.status is no longer followed by this replica (stopped)");
    // ... but only gated moves ask for it.
    assertThat(evaluate(promote("vip", Phase.SHADOW)).failed()).isEmpty();
  }

  // ---- helpers ----

  private GateVerdict evaluate(Command command) {
    return evaluate(new Proposal("p", machine.state().version(), "alice", "test", NOW, false, command));
  }

  private GateVerdict evaluate(Proposal proposal) {
    RoutingState before = machine.state();
    RoutingState after;
    try {
      after = machine.check(before, proposal);
    } catch (ProposalRejectedException e) {
      throw new AssertionError(e);
    }
    return gate.evaluate(before, after, machine::stateAt);
  }

  private RoutingState check(Command command) {
    try {
      return machine.check(machine.state(), new Proposal("p", machine.state().version(), "alice", "t", NOW, false,
          command));
    } catch (ProposalRejectedException e) {
      throw new AssertionError(e);
    }
  }

  private void apply(Command command) {
    apply(new Proposal("p", machine.state().version(), "alice", "test", NOW, false, command));
  }

  private void apply(Proposal proposal) {
    assertThat(machine.apply(machine.audit().size(), proposal).applied()).as(proposal.toString()).isTrue();
  }

  private Proposal rollback(Command command) {
    return new Proposal("p", machine.state().version(), "alice", "test", NOW, true, command);
  }

  private static Command create(String cohort, Selector selector, Phase phase) {
    return new Command.CreateCohort("customer", cohort, selector, phase, -1);
  }

  private static Command promote(String cohort, Phase phase) {
    return new Command.SetPhase("customer", cohort, phase);
  }

  private static Command setPercent(String cohort, double percent) {
    return new Command.UpdateSelector("customer", cohort, percent(cohort, percent));
  }

  private static Selector.Percent percent(String cohort, double percent) {
    return new Selector.Percent((int) Math.round(percent * 100), "customer/" + cohort);
  }

  private static StatusRecord.Verification clean(String cohort, long version, Instant finished) {
    return new StatusRecord.Verification("customer", cohort, true, finished.minusSeconds(30), finished, version, 1000,
        0);
  }

  private static StatusRecord.Verification dirty(String cohort, long version, Instant finished, long differences) {
    return new StatusRecord.Verification("customer", cohort, false, finished.minusSeconds(30), finished, version, 1000,
        differences);
  }

  private void freshLag() {
    status.put(new StatusRecord.Lag("customer", 120, NOW.minusSeconds(5), "sink"));
    status.put(new StatusRecord.Lag("customer", 0, NOW.minusSeconds(5), "capture"));
  }

  /** Status facts by compaction key, as a StatusBoard holds them. */
  private static final class FakeStatus implements StatusView {
    private final Map<String, StatusRecord> records = new HashMap<>();
    private String problem;

    void put(StatusRecord record) {
      records.put(record.key(), record);
    }

    void remove(String cohort) {
      records.remove(StatusRecord.verificationKey("customer", cohort));
    }

    @Override
    public Optional<StatusRecord.Verification> verification(String entity, String cohort) {
      return Optional.ofNullable((StatusRecord.Verification) records.get(StatusRecord.verificationKey(entity, cohort)));
    }

    @Override
    public Optional<StatusRecord.Lag> lag(String entity) {
      return Optional.ofNullable((StatusRecord.Lag) records.get(StatusRecord.lagKey(entity)));
    }

    @Override
    public Optional<StatusRecord.Lag> captureLag(String entity) {
      return Optional.ofNullable((StatusRecord.Lag) records.get(StatusRecord.captureLagKey(entity)));
    }

    @Override
    public Optional<StatusRecord.Lag> lag(String entity, String source) {
      return Optional.ofNullable((StatusRecord.Lag) records.get(StatusRecord.lagKey(entity, source)));
    }

    @Override
    public Optional<StatusRecord.MappingVersion> mapping(String entity) {
      return Optional.ofNullable((StatusRecord.MappingVersion) records.get(StatusRecord.mappingKey(entity)));
    }

    @Override
    public Optional<String> problem() {
      return Optional.ofNullable(problem);
    }
  }
}
