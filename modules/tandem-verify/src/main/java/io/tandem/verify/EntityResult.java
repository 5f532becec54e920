package io.tandem.verify;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One entity's pass.
 *
 * @param cohort the cohort the pass was restricted to, or null for every key
 * @param rowsRead legacy rows read (all of them, whatever their cohort)
 * @param rowsChecked legacy rows compared that count for this pass (in the cohort, if restricted)
 * @param expectedRows rows the mapping gives for all legacy rows read (filtered-out and refused ones not counted)
 * @param newRows rows in the new table
 * @param chunks chunks compared; {@code chunksDiffering} of them had different fingerprints
 * @param differences what remained after re-checking
 * @param rechecked differences seen in the first comparison and read again after the lag
 * @param cleared of those, how many matched on a re-check (changes in flight)
 * @param unsettled keys whose legacy row kept changing through every re-check: not proven either way
 * @param byCohort per cohort (null key: keys in no cohort): rows checked and differences
 */
public record EntityResult(String entity, String cohort, long routingVersion, Instant startedAt, Instant finishedAt,
    long rowsRead, long rowsChecked, long expectedRows, long newRows, long chunks, long chunksDiffering,
    List<Difference> differences, long rechecked,
    long cleared, List<String> unsettled, Map<String, CohortTally> byCohort) {

  public EntityResult {
    differences = List.copyOf(differences);
    unsettled = List.copyOf(unsettled);
    byCohort = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byCohort));
  }

  /** Clean: no difference left and nothing unsettled. */
  public boolean clean() {
    return differences.isEmpty() && unsettled.isEmpty();
  }

  public Duration duration() {
    return Duration.between(startedAt, finishedAt);
  }

  public long count(Difference.Kind kind) {
    return differences.stream().filter(d -> d.kind() == kind).count();
  }

  /** Rows checked and differences of one cohort. */
  public record CohortTally(long rowsChecked, long differences, long unsettled) {
    public boolean clean() {
      return differences == 0 && unsettled == 0;
    }
  }
}
