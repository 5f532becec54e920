package io.tandem.core.lifecycle;

/**
 * Where a {@link Component} is in its life. It moves forward only: CREATED → STARTING → RUNNING →
 * STOPPING → STOPPED, or to FAILED from STARTING, RUNNING or STOPPING; a component runs once.
 */
public enum State {
  /** Built, not started. */
  CREATED,
  /** Starting: connecting, replaying, waiting for its first assignment. */
  STARTING,
  /** Doing its work. */
  RUNNING,
  /** Asked to stop; finishing what is in flight. */
  STOPPING,
  /** Stopped cleanly (asked to, or by itself: see {@link Component#failure()} and the supervisor). */
  STOPPED,
  /** Stopped on an error it could not get past; {@link Component#failure()} says which. */
  FAILED;

  /** STOPPED or FAILED: nothing runs any more. */
  public boolean isTerminal() {
    return this == STOPPED || this == FAILED;
  }
}
