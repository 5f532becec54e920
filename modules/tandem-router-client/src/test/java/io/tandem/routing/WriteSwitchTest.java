package io.tandem.routing;

import static io.tandem.routing.Proposals.at;
import static io.tandem.routing.Proposals.entity;
import static io.tandem.routing.Proposals.keys;
import static io.tandem.routing.Proposals.rollback;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fenced write switches in the routing state machine (docs/coexistence.md, "Write cutover"). */
class WriteSwitchTest {
  private final RoutingStateMachine machine = new RoutingStateMachine();

  private AuditEntry apply(Proposal proposal) {
    return machine.apply(machine.audit().size(), proposal);
  }

  private void applied(Command command) {
    AuditEntry entry = apply(at(machine.state().version(), command));
    assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
  }

  private AuditEntry refused(Proposal proposal, Rejection why) {
    long before = machine.state().version();
    AuditEntry entry = apply(proposal);
    assertThat(entry.applied()).isFalse();
    assertThat(entry.rejection()).as(entry.message()).isEqualTo(why);
    assertThat(machine.state().version()).isEqualTo(before);
    return entry;
  }

  private Decision decide(String key) {
    return machine.state().decide("customer", key);
  }

  @BeforeEach
  void pilotReadsFromNew() {
    applied(entity("customer"));
    applied(keys("pilot", Phase.NEW_READS, "1", "2"));
  }

  @Test
  void aSwitchFencesTheKeysItMovesUntilItCompletesThenTheirWritesGoToNew() {
    applied(new Command.BeginSwitch("s1", new Command.SetPhase("customer", "pilot", Phase.NEW)));

    Decision fenced = decide("1");
    assertThat(fenced.writeFenced()).isTrue();
    assertThat(fenced.write()).as("the old side owns it until the switch completes").isEqualTo(Target.LEGACY);
    assertThat(fenced.phase()).isEqualTo(Phase.NEW_READS);
    assertThat(decide("3").writeFenced()).as("a key the switch does not move").isFalse();
    assertThat(machine.state().pendingSwitch()).get().extracting(RoutingState.PendingSwitch::id).isEqualTo("s1");
    assertThat(machine.state().pendingSwitch().get().losing()).as("only legacy gives writes up")
        .containsExactly(Target.LEGACY);

    applied(new Command.CompleteSwitch("s1"));
    Decision moved = decide("1");
    assertThat(moved.writeFenced()).isFalse();
    assertThat(moved.write()).isEqualTo(Target.NEW);
    assertThat(moved.phase()).isEqualTo(Phase.NEW);
    assertThat(machine.state().pendingSwitch()).isEmpty();
  }

  @Test
  void oneSwitchAtATimeAndNoOtherChangeMayMoveWritesMeanwhile() {
    applied(new Command.BeginSwitch("s1", new Command.SetPhase("customer", "pilot", Phase.NEW)));

    refused(at(machine.state().version(), new Command.BeginSwitch("s2",
        new Command.CreateCohort("customer", "more", new Selector.Keys(java.util.Set.of("9")), Phase.NEW, -1))),
        Rejection.SWITCH_IN_PROGRESS);
    refused(at(machine.state().version(), new Command.CreateCohort("customer", "more",
        new Selector.Keys(java.util.Set.of("9")), Phase.NEW, 0)), Rejection.SWITCH_IN_PROGRESS);
    // Changes that move no writes go on: a shadow cohort behind the others.
    applied(new Command.CreateCohort("customer", "watch", new Selector.Keys(java.util.Set.of("9")), Phase.SHADOW, -1));
    refused(at(machine.state().version(), new Command.CompleteSwitch("nope")), Rejection.UNKNOWN_SWITCH);

    applied(new Command.CompleteSwitch("s1"));
    assertThat(decide("1").write()).isEqualTo(Target.NEW);
    assertThat(decide("9").phase()).as("the change made meanwhile survives completion").isEqualTo(Phase.SHADOW);
  }

  @Test
  void anAbortedSwitchLiftsTheFenceAndMovesNothing() {
    applied(new Command.BeginSwitch("s1", new Command.SetPhase("customer", "pilot", Phase.NEW)));
    applied(new Command.AbortSwitch("s1"));

    assertThat(decide("1").writeFenced()).isFalse();
    assertThat(decide("1").write()).isEqualTo(Target.LEGACY);
    assertThat(machine.state().pendingSwitch()).isEmpty();
  }

  @Test
  void undoIsASwitchTooAndMustBeConfirmedAsARollback() {
    applied(new Command.BeginSwitch("up", new Command.SetPhase("customer", "pilot", Phase.NEW)));
    applied(new Command.CompleteSwitch("up"));

    Command back = new Command.BeginSwitch("down", new Command.SetPhase("customer", "pilot", Phase.NEW_READS));
    refused(at(machine.state().version(), back), Rejection.ROLLBACK_NOT_CONFIRMED);
    AuditEntry entry = apply(rollback(machine.state().version(), back));
    assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
    Decision fenced = decide("2");
    assertThat(fenced.writeFenced()).isTrue();
    assertThat(machine.state().pendingSwitch().get().losing()).containsExactly(Target.NEW);
    assertThat(fenced.write()).as("new keeps the writes until the undo completes").isEqualTo(Target.NEW);

    applied(new Command.CompleteSwitch("down"));
    assertThat(decide("2").write()).isEqualTo(Target.LEGACY);
  }

  @Test
  void aSwitchThatMovesNoWritesIsRefused() {
    refused(at(machine.state().version(), new Command.BeginSwitch("s1", new Command.UpdateSelector("customer",
        "pilot", new Selector.Keys(java.util.Set.of("1", "2", "3"))))), Rejection.INVALID);
    refused(at(machine.state().version(), new Command.BeginSwitch("bad id!",
        new Command.SetPhase("customer", "pilot", Phase.NEW))), Rejection.INVALID);
  }

  @Test
  void aCohortChosenByRequestAttributesCannotOwnWritesOnNew() {
    applied(entity("account", "region"));
    applied(new Command.CreateCohort("account", "eu", new Selector.Rule("region == \"EU\""), Phase.NEW_READS, -1));
    AuditEntry entry = refused(at(machine.state().version(), new Command.BeginSwitch("s1",
        new Command.SetPhase("account", "eu", Phase.NEW))), Rejection.INVALID);
    assertThat(entry.message()).contains("key alone");
  }

  @Test
  void switchesSurviveTheLogCodec() {
    Proposal proposal = at(7, new Command.BeginSwitch("s-1", new Command.SetPhase("customer", "pilot", Phase.NEW)));
    assertThat(ProposalCodec.decode(ProposalCodec.encode(proposal))).isEqualTo(proposal);
    Proposal complete = at(8, new Command.CompleteSwitch("s-1"));
    assertThat(ProposalCodec.decode(ProposalCodec.encode(complete))).isEqualTo(complete);
    Proposal abort = at(8, new Command.AbortSwitch("s-1"));
    assertThat(ProposalCodec.decode(ProposalCodec.encode(abort))).isEqualTo(abort);
  }
}
