package io.tandem.sink;

import java.time.Duration;

/**
 * Who may write each key now (docs/coexistence.md, "Ownership"). A sink given one applies a change only when
 * the side it reads from owns the change's key; any other change is a conflict, recorded on {@link
 * JdbcSink#CONFLICT_TOPIC} and not applied. Implemented over the routing log (tandem-runtime); a sink
 * without one applies everything (forward sync without coexistence).
 */
public interface WriteOwnership {

  /** Whether the side this sink reads from owns {@code routingKey} of {@code entity} now. */
  Verdict check(String entity, String routingKey);

  /**
   * Waits, at most {@code timeout}, until the view holds everything the routing log held when called: a
   * change of ownership the view has not seen yet must not make a legitimate change look like a conflict.
   *
   * @return false when it could not catch up in time
   */
  boolean catchUp(Duration timeout);

  /**
   * @param sourceOwns whether the side the sink reads from owns the key
   * @param version the routing version decided with
   * @param cohort the cohort holding the key, or null
   * @param phase the cohort's phase ({@code LEGACY} when none holds the key)
   */
  record Verdict(boolean sourceOwns, long version, String cohort, String phase) {}
}
