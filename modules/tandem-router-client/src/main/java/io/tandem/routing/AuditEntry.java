package io.tandem.routing;

/**
 * One routing-log record and what the state machine made of it: applied (with the version it created)
 * or rejected (with why, and the version that stood). The log, read this way, is the audit trail.
 *
 * @param proposal null when the record could not be decoded
 */
public record AuditEntry(long offset, Proposal proposal, boolean applied, long version, Rejection rejection,
    String message) {
}
