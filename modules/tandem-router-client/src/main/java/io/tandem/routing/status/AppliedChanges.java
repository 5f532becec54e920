package io.tandem.routing.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a sink has applied, as the lag reporter needs it.
 *
 * @param records records applied and committed since the sink started
 * @param lagSamples the most recent commit-to-visible lags, oldest first
 * @param lastCommit when the sink last committed; null before the first commit
 */
public record AppliedChanges(long records, List<Duration> lagSamples, Instant lastCommit) {
  public AppliedChanges {
    lagSamples = List.copyOf(lagSamples);
  }
}
