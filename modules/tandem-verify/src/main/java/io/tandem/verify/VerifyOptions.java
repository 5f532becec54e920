package io.tandem.verify;

import java.time.Duration;
import java.util.Objects;

/**
 * How a pass runs.
 *
 * @param chunkSize legacy rows per chunk (hash-compared as one unit)
 * @param legacyRowsPerSecond read budget on the legacy side; 0 = unlimited
 * @param recheckDelay how long to wait before re-reading a differing row (at least the replication lag)
 * @param recheckRounds how many re-checks a row whose legacy value keeps changing gets
 * @param showValues whether reports carry the differing values (they may be personal data)
 * @param cohort only this cohort's keys count; null = every key
 * @param revealSensitive whether shown values include those of sensitive fields (else they read
 *     {@value #SENSITIVE}); the CLI allows it only to an admin, audited
 */
public record VerifyOptions(int chunkSize, double legacyRowsPerSecond, Duration recheckDelay, int recheckRounds,
    boolean showValues, String cohort, boolean revealSensitive) {
  /** What a report shows in place of a sensitive field's value. */
  public static final String SENSITIVE = "<sensitive>";

  public static final VerifyOptions DEFAULTS = new VerifyOptions(10_000, 0, Duration.ofSeconds(2), 5, false, null);

  public VerifyOptions(int chunkSize, double legacyRowsPerSecond, Duration recheckDelay, int recheckRounds,
      boolean showValues, String cohort) {
    this(chunkSize, legacyRowsPerSecond, recheckDelay, recheckRounds, showValues, cohort, false);
  }

  public VerifyOptions {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunkSize must be >= 1, got " + chunkSize);
    }
    if (legacyRowsPerSecond < 0) {
      throw new IllegalArgumentException("legacyRowsPerSecond must be >= 0, got " + legacyRowsPerSecond);
    }
    Objects.requireNonNull(recheckDelay, "recheckDelay");
    if (recheckRounds < 1) {
      throw new IllegalArgumentException("recheckRounds must be >= 1, got " + recheckRounds);
    }
  }

  public VerifyOptions withCohort(String cohort) {
    return new VerifyOptions(chunkSize, legacyRowsPerSecond, recheckDelay, recheckRounds, showValues, cohort,
        revealSensitive);
  }

  public VerifyOptions withRecheckDelay(Duration delay) {
    return new VerifyOptions(chunkSize, legacyRowsPerSecond, delay, recheckRounds, showValues, cohort, revealSensitive);
  }
}
