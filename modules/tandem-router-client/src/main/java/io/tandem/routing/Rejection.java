package io.tandem.routing;

/** Why a proposal was not applied. */
public enum Rejection {
  /** Another proposal took the expected version first (compare-and-set lost). */
  VERSION_CONFLICT,
  UNKNOWN_ENTITY,
  UNKNOWN_COHORT,
  DUPLICATE_COHORT,
  UNKNOWN_VERSION,
  /** The command is malformed or breaks a rule (range, overlapping lists, a rule that does not compile). */
  INVALID,
  /** The change could move keys that read from new back to legacy and was not marked as a rollback. */
  ROLLBACK_NOT_CONFIRMED,
  /** A write switch is pending: it must complete or be aborted before writes may move again. */
  SWITCH_IN_PROGRESS,
  /** No pending switch has that id. */
  UNKNOWN_SWITCH,
  /** The log record could not be decoded. */
  MALFORMED
}
