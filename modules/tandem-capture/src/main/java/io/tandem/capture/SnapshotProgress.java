package io.tandem.capture;

import java.util.OptionalDouble;

/**
 * Initial-snapshot progress of one table.
 *
 * @param table {@code schema.table}
 * @param done snapshot rows delivered to Kafka (acknowledged) by this engine run
 * @param estimated PostgreSQL's row estimate ({@code pg_class.reltuples}) when the engine started, or
 *     {@link #UNKNOWN} if the table was never analysed or could not be read
 * @param finished no snapshot rows of this table remain to be delivered (also true when this run did not
 *     need a snapshot because stored offsets say it was done before)
 */
public record SnapshotProgress(String table, long done, long estimated, boolean finished) {
  public static final long UNKNOWN = -1;

  /** {@code done / estimated} capped at 1, 1 once finished, empty while the estimate is unknown. */
  public OptionalDouble fraction() {
    if (finished) {
      return OptionalDouble.of(1.0);
    }
    if (estimated < 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(estimated == 0 ? 0.0 : Math.min(1.0, (double) done / estimated));
  }
}
