package io.tandem.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of the routing log: a change, the version it expects to replace, who asked and why.
 * {@code rollback} confirms that the change may move keys back from new to legacy. {@code gate} is what
 * the promotion gate said when the change was made (null: nothing was gated, or a record written before
 * gates existed); applying a proposal never looks at it.
 */
public record Proposal(String id, long expectedVersion, String actor, String reason, Instant time, boolean rollback,
    Command command, GateOutcome gate) {
  public Proposal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(command, "command");
  }

  /** A proposal without a gate outcome. */
  public Proposal(String id, long expectedVersion, String actor, String reason, Instant time, boolean rollback,
      Command command) {
    this(id, expectedVersion, actor, reason, time, rollback, command, null);
  }

  /** This proposal with the gate's outcome recorded. */
  public Proposal withGate(GateOutcome outcome) {
    return new Proposal(id, expectedVersion, actor, reason, time, rollback, command, outcome);
  }
}
