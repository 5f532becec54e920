package io.tandem.routing.api;

import io.tandem.routing.AuditEntry;
import io.tandem.routing.GateOutcome;
import io.tandem.routing.Proposal;
import java.time.Instant;

/**
 * One routing-log record as the audit API shows it: whether it was applied (and the version it made or
 * found), else why not, and the proposal's who, why and what. Read tolerantly, because the audit is
 * what an operator looks at when something went wrong: a value the router did not send is null, and a
 * rejection or command type this client does not know is still shown (see {@link AuditedCommand}).
 * A record whose proposal could not be decoded has no proposal fields.
 *
 * @param rejection the {@link io.tandem.routing.Rejection} name, or null when applied
 * @param gate what the promotion gate said, or null when nothing was gated
 */
public record AuditRecord(long offset, boolean applied, Long version, String rejection, String message, String id,
    Long expectedVersion, String actor, String reason, Instant time, boolean rollback, AuditedCommand command,
    GateOutcome gate) {

  /** What a client reads for {@code entry}, as the router encodes it. */
  public static AuditRecord of(AuditEntry entry) {
    String rejection = entry.rejection() == null ? null : entry.rejection().name();
    Proposal p = entry.proposal();
    if (p == null) {
      return new AuditRecord(entry.offset(), entry.applied(), entry.version(), rejection, entry.message(), null, null,
          null, null, null, false, null, null);
    }
    return new AuditRecord(entry.offset(), entry.applied(), entry.version(), rejection, entry.message(), p.id(),
        p.expectedVersion(), p.actor(), p.reason(), p.time(), p.rollback(), AuditedCommand.of(p.command()), p.gate());
  }
}
