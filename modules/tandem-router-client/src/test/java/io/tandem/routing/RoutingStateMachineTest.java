package io.tandem.routing;

import static io.tandem.routing.Proposals.at;
import static io.tandem.routing.Proposals.entity;
import static io.tandem.routing.Proposals.keys;
import static io.tandem.routing.Proposals.percent;
import static io.tandem.routing.Proposals.rollback;
import static io.tandem.routing.Proposals.setPercent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingStateMachineTest {
  private final RoutingStateMachine machine = new RoutingStateMachine();

  private AuditEntry apply(Proposal proposal) {
    return machine.apply(machine.audit().size(), proposal);
  }

  private long applied(Command command) {
    AuditEntry entry = apply(at(machine.state().version(), command));
    assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
    return entry.version();
  }

  @Test
  void growingAPercentageKeepsEveryKeyItHeld() {
    applied(entity("customer"));
    applied(percent("wave", 1, Phase.NEW_READS));
    Set<String> atOnePercent = members("wave");
    assertThat(atOnePercent.size()).isBetween(700, 1_300); // 1 % of 100k keys
    applied(setPercent("wave", 5));
    Set<String> atFivePercent = members("wave");
    assertThat(atFivePercent).containsAll(atOnePercent);
    assertThat(atFivePercent.size()).isBetween(4_500, 5_500);
    applied(setPercent("wave", 25));
    assertThat(members("wave")).containsAll(atFivePercent);
  }

  @Test
  void firstMatchingCohortInOrderHoldsAKeyAndPhaseGivesTargets() {
    applied(entity("customer", "region"));
    applied(keys("vip", Phase.LEGACY, "7"));
    applied(new Command.CreateCohort("customer", "eu", new Selector.Rule("region == \"EU\""), Phase.NEW_READS, -1));
    applied(percent("all", 100, Phase.NEW));

    Decision vip = machine.state().decide("customer", "7", Map.of("region", "EU"));
    assertThat(vip.cohort()).isEqualTo("vip");
    assertThat(vip.read()).isEqualTo(Target.LEGACY);
    Decision eu = machine.state().decide("customer", "8", Map.of("region", "EU"));
    assertThat(eu.cohort()).isEqualTo("eu");
    assertThat(eu.read()).isEqualTo(Target.NEW);
    assertThat(eu.write()).isEqualTo(Target.LEGACY);
    Decision other = machine.state().decide("customer", "8", Map.of());
    assertThat(other.cohort()).isEqualTo("all");
    assertThat(other.write()).isEqualTo(Target.NEW);
    assertThat(other.version()).isEqualTo(4);
    Decision unknown = machine.state().decide("order", "8");
    assertThat(unknown.cohort()).isNull();
    assertThat(unknown.read()).isEqualTo(Target.LEGACY);
  }

  @Test
  void firstProposalForAVersionWinsAndLaterOnesAreRejected() {
    applied(entity("customer"));
    AuditEntry first = apply(at(1, percent("a", 1, Phase.LEGACY)));
    AuditEntry second = apply(at(1, percent("b", 1, Phase.LEGACY)));
    assertThat(first.applied()).isTrue();
    assertThat(first.version()).isEqualTo(2);
    assertThat(second.applied()).isFalse();
    assertThat(second.rejection()).isEqualTo(Rejection.VERSION_CONFLICT);
    assertThat(second.version()).isEqualTo(2);
    assertThat(machine.state().entity("customer").orElseThrow().cohort("b")).isEmpty();
  }

  @Test
  void invalidCommandsAreRejectedAndChangeNothing() {
    applied(entity("customer", "region"));
    applied(keys("a", Phase.LEGACY, "1", "2"));
    RoutingState before = machine.state();
    List<Command> bad = List.of(
        new Command.SetPhase("order", "a", Phase.SHADOW),
        new Command.SetPhase("customer", "nope", Phase.SHADOW),
        keys("a", Phase.LEGACY, "9"),
        keys("b", Phase.LEGACY, "2", "3"),
        new Command.CreateCohort("customer", "r", new Selector.Rule("region == "), Phase.LEGACY, -1),
        new Command.CreateCohort("customer", "r", new Selector.Rule("country == \"FR\""), Phase.LEGACY, -1),
        new Command.CreateCohort("customer", "r", new Selector.Rule("region"), Phase.LEGACY, -1),
        new Command.CreateCohort("customer", "Bad Name", new Selector.Keys(Set.of("5")), Phase.LEGACY, -1),
        new Command.CreateCohort("customer", "p", new Selector.Keys(Set.of("5")), Phase.LEGACY, 7),
        new Command.RollbackTo(99));
    for (Command command : bad) {
      AuditEntry entry = apply(at(before.version(), command));
      assertThat(entry.applied()).as(command.toString()).isFalse();
      assertThat(entry.message()).isNotBlank();
    }
    assertThat(machine.state()).isSameAs(before);
  }

  @Test
  void movingKeysBackFromNewNeedsAnExplicitRollback() {
    applied(entity("customer"));
    applied(keys("pilot", Phase.NEW, "1", "2"));
    applied(percent("wave", 5, Phase.NEW_READS));

    List<Command> retreats = List.of(
        setPercent("wave", 1),
        new Command.SetPhase("customer", "wave", Phase.SHADOW),
        new Command.SetPhase("customer", "pilot", Phase.NEW_READS),
        new Command.UpdateSelector("customer", "pilot", new Selector.Keys(Set.of("1"))),
        new Command.DeleteCohort("customer", "wave"),
        new Command.CreateCohort("customer", "hold", new Selector.Keys(Set.of("3")), Phase.LEGACY, 0));
    for (Command command : retreats) {
      AuditEntry refused = apply(at(machine.state().version(), command));
      assertThat(refused.rejection()).as(command.toString()).isEqualTo(Rejection.ROLLBACK_NOT_CONFIRMED);
    }
    // Forward moves need no confirmation.
    applied(setPercent("wave", 10));
    applied(new Command.UpdateSelector("customer", "pilot", new Selector.Keys(Set.of("1", "2", "3"))));
    applied(new Command.CreateCohort("customer", "late", new Selector.Keys(Set.of("4")), Phase.LEGACY, -1));
    // Confirmed, the same retreat applies.
    AuditEntry confirmed = apply(rollback(machine.state().version(), setPercent("wave", 1)));
    assertThat(confirmed.applied()).isTrue();
  }

  @Test
  void growingACohortOrderedBeforeOneThatNewServesMoreIsARetreat() {
    applied(entity("customer"));
    applied(percent("reads", 5, Phase.NEW_READS));
    applied(percent("full", 5, Phase.NEW));
    // Keys of "full" (reads and writes on new) that "reads" would take get their writes back on legacy.
    AuditEntry refused = apply(at(machine.state().version(), setPercent("reads", 10)));
    assertThat(refused.rejection()).isEqualTo(Rejection.ROLLBACK_NOT_CONFIRMED);
    assertThat(refused.message()).contains("'reads'", "'full'");
  }

  @Test
  void rollbackToAVersionRestoresItsStateAsANewVersion() {
    applied(entity("customer"));
    applied(percent("wave", 1, Phase.SHADOW));
    long shadowVersion = machine.state().version();
    applied(new Command.SetPhase("customer", "wave", Phase.NEW_READS));
    applied(setPercent("wave", 50));
    long restored = applied(new Command.RollbackTo(shadowVersion));
    assertThat(restored).isEqualTo(shadowVersion + 3);
    assertThat(machine.state().entities()).isEqualTo(machine.stateAt(shadowVersion).orElseThrow().entities());
  }

  @Test
  void rollbackToBeforeAnEntityWasDeclaredKeepsEveryDeclaration() {
    applied(entity("customer", "region"));
    applied(percent("wave", 5, Phase.SHADOW));
    applied(new Command.DefineEntity("order", List.of()));
    // Version 0 held no entity: its cohorts come back (none), the declarations of now stay.
    long restored = applied(new Command.RollbackTo(0));
    assertThat(machine.state().version()).isEqualTo(restored);
    assertThat(machine.state().entities().keySet()).containsExactly("customer", "order");
    assertThat(machine.state().entity("customer").orElseThrow().attributes()).containsExactly("region");
    assertThat(machine.state().entity("customer").orElseThrow().cohorts()).isEmpty();
    assertThat(machine.state().decide("customer", "42").read()).isEqualTo(Target.LEGACY);
    // And forward again: rolling back to the version with the cohort restores it under the same declaration.
    applied(new Command.RollbackTo(2));
    assertThat(machine.state().entity("customer").orElseThrow().cohort("wave")).isPresent();
  }

  @Test
  void aRolledBackRuleMustStillCompileAgainstTheAttributesDeclaredNow() {
    applied(entity("customer", "region"));
    applied(new Command.CreateCohort("customer", "eu", new Selector.Rule("region == \"EU\""), Phase.SHADOW, -1));
    long withRule = machine.state().version();
    applied(new Command.DeleteCohort("customer", "eu"));
    applied(entity("customer", "tier")); // region no longer declared
    AuditEntry refused = apply(rollback(machine.state().version(), new Command.RollbackTo(withRule)));
    assertThat(refused.applied()).isFalse();
    assertThat(refused.rejection()).isEqualTo(Rejection.INVALID);
    assertThat(refused.message()).contains("region");
  }

  @Test
  void aRollbackRecordWrittenBeforeDeclarationsWereKeptReplaysAsItWasApplied() {
    applied(entity("customer"));
    // What routers wrote before: no keepDeclarations, and the whole state of version 0 came back.
    Proposal old = ProposalCodec.decode(("{\"id\":\"x\",\"expectedVersion\":1,\"actor\":\"a\",\"reason\":\"r\","
        + "\"time\":\"2026-11-21T10:00:00Z\",\"rollback\":true,\"command\":{\"type\":\"rollback_to\",\"version\":0}}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(old.command()).isEqualTo(new Command.RollbackTo(0, false));
    assertThat(apply(old).applied()).isTrue();
    assertThat(machine.state().entities()).isEmpty();
  }

  @Test
  void versionsThatDoNotTouchABigCohortShareItsCompiledTestAndOnlyTheLatestStayCompiled() {
    RoutingStateMachine machine = new RoutingStateMachine(8);
    java.util.function.Function<Command, Long> apply = command -> {
      AuditEntry entry = machine.apply(machine.audit().size(), at(machine.state().version(), command));
      assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
      return entry.version();
    };
    apply.apply(entity("customer", "region"));
    Set<String> keys = new java.util.TreeSet<>();
    for (int i = 0; i < 100_000; i++) {
      keys.add("k-" + i);
    }
    apply.apply(new Command.CreateCohort("customer", "big", new Selector.Keys(keys), Phase.SHADOW, -1));
    StringBuilder rule = new StringBuilder("region == \"EU\"");
    for (int i = 0; i < 300; i++) {
      rule.append(" || key == \"r-").append(i).append('"');
    }
    apply.apply(new Command.CreateCohort("customer", "eu", new Selector.Rule(rule.toString()), Phase.SHADOW, -1));
    long created = apply.apply(percent("wave", 1, Phase.SHADOW));
    Object bigTest = machine.state().compiledTest("customer", "big");
    Object ruleTest = machine.state().compiledTest("customer", "eu");

    java.util.Set<Object> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (int i = 0; i < 200; i++) {
      apply.apply(setPercent("wave", i % 2 == 0 ? 2 : 1));
      // Each version compiles only what changed: the list and the rule are the same instances.
      distinct.add(machine.state().compiledTest("customer", "big"));
      distinct.add(machine.state().compiledTest("customer", "eu"));
    }
    assertThat(distinct).containsExactlyInAnyOrder(bigTest, ruleTest);
    assertThat(machine.materialisedVersions()).isLessThanOrEqualTo(8);

    // An old version is rebuilt on demand, and decides as it did.
    RoutingState old = machine.stateAt(created).orElseThrow();
    assertThat(old.decide("customer", "k-99999").cohort()).isEqualTo("big");
    assertThat(old.decide("customer", "x", Map.of("region", "EU")).cohort()).isEqualTo("eu");
    assertThat(machine.materialisedVersions()).as("asking did not keep it compiled").isLessThanOrEqualTo(8);
    // A rollback to it reuses the current compiled tests of the selectors it shares.
    apply.apply(new Command.RollbackTo(created));
    assertThat(machine.state().compiledTest("customer", "big")).isSameAs(bigTest);

    // A restart replays the log into the same state.
    RoutingStateMachine replayed = new RoutingStateMachine(8);
    machine.audit().forEach(e -> replayed.apply(e.offset(), ProposalCodec.decode(ProposalCodec.encode(e.proposal()))));
    assertThat(replayed.state().version()).isEqualTo(machine.state().version());
    assertThat(replayed.state().entities()).isEqualTo(machine.state().entities());
  }

  @Test
  void aRulesSizeIsTheNodeCountOfItsParsedExpression() {
    assertThat(new Selector.Rule("region == \"EU\"").nodeCount()).isEqualTo(3);
    assertThat(new Selector.Rule("region == \"EU\" && tier != \"VIP\"").nodeCount()).isEqualTo(7);
    assertThat(new Selector.Rule("region == ").nodeCount()).isEqualTo(-1);
  }

  @Test
  void sameLogGivesSameStateOnEveryReplica() {
    RoutingStateMachine other = new RoutingStateMachine();
    applied(entity("customer", "region"));
    applied(percent("wave", 3, Phase.SHADOW));
    apply(at(0, percent("lost", 3, Phase.SHADOW)));
    applied(new Command.SetPhase("customer", "wave", Phase.NEW_READS));
    for (AuditEntry entry : machine.audit()) {
      other.apply(entry.offset(), entry.proposal());
    }
    assertThat(other.state().version()).isEqualTo(machine.state().version());
    assertThat(other.state().entities()).isEqualTo(machine.state().entities());
    assertThat(other.audit()).isEqualTo(machine.audit());
  }

  @Test
  void proposalsSurviveTheLogFormat() {
    applied(entity("customer", "region"));
    List<Command> commands = List.of(entity("customer", "region", "tier"), percent("wave", 2.5, Phase.SHADOW),
        keys("vip", Phase.NEW, "a", "b"),
        new Command.CreateCohort("customer", "eu", new Selector.Rule("region == \"EU\""), Phase.LEGACY, 0),
        new Command.SetPhase("customer", "wave", Phase.NEW_READS), new Command.DeleteCohort("customer", "eu"),
        new Command.RollbackTo(3), new Command.RollbackTo(3, false));
    for (Command command : commands) {
      Proposal proposal = rollback(4, command);
      assertThat(ProposalCodec.decode(ProposalCodec.encode(proposal))).isEqualTo(proposal);
    }
  }

  private Set<String> members(String cohort) {
    Set<String> members = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      if (cohort.equals(machine.state().decide("customer", "cust-" + i).cohort())) {
        members.add("cust-" + i);
      }
    }
    return members;
  }

  @Test
  void anOperatorActionIsAuditedWithoutChangingTheRoutingOrItsVersion() {
    applied(entity("customer"));
    applied(percent("wave", 1, Phase.SHADOW));
    RoutingState before = machine.state();
    // Recorded whatever version it names: it is no compare-and-set on the routing.
    AuditEntry recorded = apply(at(0, new Command.RecordAction("dlq-replay", "customer", "stage=transform", 3)));
    assertThat(recorded.applied()).isTrue();
    assertThat(recorded.version()).isEqualTo(before.version());
    assertThat(machine.state()).isSameAs(before);
    // A routing change expecting the current version still applies: the action took no version.
    assertThat(applied(setPercent("wave", 5))).isEqualTo(before.version() + 1);

    AuditEntry bad = apply(at(machine.state().version(), new Command.RecordAction("Drop Table", null, "", 1)));
    assertThat(bad.applied()).isFalse();
    assertThat(bad.rejection()).isEqualTo(Rejection.INVALID);
    AuditEntry negative = apply(at(machine.state().version(), new Command.RecordAction("dlq-replay", null, "", -1)));
    assertThat(negative.applied()).isFalse();
    AuditEntry huge = apply(at(machine.state().version(), new Command.RecordAction("dlq-replay", null,
        "x".repeat(RoutingStateMachine.MAX_ACTION_SCOPE + 1), 1)));
    assertThat(huge.applied()).isFalse();
    assertThat(machine.audit()).filteredOn(AuditEntry::applied).hasSize(4);
  }

  @Test
  void anOperatorActionRoundTripsThroughTheLogFormat() {
    Command.RecordAction action = new Command.RecordAction("verify-repair", null, "entity=customer", 12);
    Proposal decoded = ProposalCodec.decode(ProposalCodec.encode(at(4, action)));
    assertThat(decoded.command()).isEqualTo(action);
    Command.RecordAction withEntity = new Command.RecordAction("dlq-replay", "customer", "stage=sink", 0);
    assertThat(ProposalCodec.decode(ProposalCodec.encode(at(4, withEntity))).command()).isEqualTo(withEntity);
  }
}
