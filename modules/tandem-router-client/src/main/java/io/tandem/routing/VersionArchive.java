package io.tandem.routing;

/**
 * Where a state machine finds a routing version it no longer keeps in memory: the routing log, replayed up to
 * that version. The log decides every version, so every replica recalls the same state whatever it keeps.
 */
@FunctionalInterface
public interface VersionArchive {
  /**
   * The state (definitions; compiled on first decision) at {@code version}, which exists: it is at most the
   * current version. May block; throws when the log cannot be read.
   */
  RoutingState recall(long version);
}
