package io.tandem.routing.api;

import io.tandem.routing.Command;
import io.tandem.routing.GateOutcome;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A routing log's worth of history, applied by the real state machine: every selector kind, a forced
 * promotion, a rejected proposal, an undecodable record and a rollback. What the codec tests encode.
 */
public final class RoutingHistory {
  private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

  private RoutingHistory() {}

  public static RoutingStateMachine applied() {
    RoutingStateMachine machine = new RoutingStateMachine();
    propose(machine, "alice", false, new Command.DefineEntity("customer", List.of("region")), null);
    propose(machine, "alice", false, new Command.DefineEntity("order", List.of()), null);
    propose(machine, "alice", false, new Command.CreateCohort("customer", "canary",
        new Selector.Percent(150, "customer/canary"), Phase.SHADOW, -1), null);
    propose(machine, "alice", false, new Command.CreateCohort("customer", "vip",
        new Selector.Keys(Set.of("7", "1", "a/b c")), Phase.NEW, 0), null);
    propose(machine, "bob", false, new Command.CreateCohort("customer", "eu", new Selector.Rule("region == 'EU'"),
        Phase.LEGACY, -1), null);
    propose(machine, "root", false, new Command.SetPhase("customer", "canary", Phase.NEW_READS),
        new GateOutcome(true, List.of("replication lag 7200 ms exceeds the bound of 5000 ms"),
            List.of("customer/canary verified clean at 2026-11-21T09:30:00Z")));
    // Expects a version that is gone: rejected, and the audit says why.
    machine.apply(machine.audit().size(), new Proposal("stale", 1, "carol", "too late", T, false,
        new Command.DeleteCohort("customer", "eu")));
    machine.applyMalformed(machine.audit().size(), "not JSON: Unexpected character");
    propose(machine, "alice", true, new Command.RollbackTo(5), null);
    return machine;
  }

  private static void propose(RoutingStateMachine machine, String actor, boolean rollback, Command command,
      GateOutcome gate) {
    long version = machine.state().version();
    machine.apply(machine.audit().size(), new Proposal("p" + machine.audit().size(), version, actor,
        "because\nof reasons", T.plusSeconds(machine.audit().size()), rollback, command, gate));
  }
}
