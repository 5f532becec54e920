package io.tandem.routing;

import java.time.Instant;
import java.util.Objects;

/**
 * One record of the routing log: a change, the version it expects to replace, who asked and why.
 * {@code rollback} confirms that the change may move keys back from new to legacy.
 */
public record Proposal(String id, long expectedVersion, String actor, String reason, Instant time, boolean rollback,
    Command command) {
  public Proposal {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(command, "command");
  }
}
