package io.tandem.sink;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A consistent snapshot of what a {@link JdbcSink} has done since it started.
 *
 * @param entities counters per entity name
 * @param dlqCount records sent to the dead-letter topic (undecodable or refused by the database)
 * @param batches polls applied and committed
 * @param records records consumed and committed
 * @param retries attempts repeated after the database or the schema registry was unavailable
 * @param lastCommit when offsets were last committed, or null before the first commit
 * @param tombstonesPruned tombstones deleted because they outlived the retention
 * @param lagSamples the most recent commit-to-visible lags: the time of the database commit minus
 *     the record's {@code tandem.commit.ts}, oldest first (bounded; records without the header are
 *     not sampled)
 */
public record SinkStats(
    Map<String, EntityStats> entities,
    long dlqCount,
    long batches,
    long records,
    long retries,
    Instant lastCommit,
    long tombstonesPruned,
    List<Duration> lagSamples) {

  /**
   * Counters of one entity.
   *
   * @param upserted rows inserted or updated
   * @param deleted deletes applied: newer than both the stored row and the key's tombstone
   * @param skippedStale changes not applied because the database already held an equal or newer
   *     position for the key (replays, redeliveries)
   * @param superseded changes dropped inside a batch because a newer change to the same key followed
   * @param rejected records sent to the dead-letter topic
   */
  public record EntityStats(long upserted, long deleted, long skippedStale, long superseded, long rejected) {
    static final EntityStats ZERO = new EntityStats(0, 0, 0, 0, 0);

    /** The counter named as the {@code result} tag of {@code tandem_sink_rows_total}. */
    public long count(String result) {
      return switch (result) {
        case "upserted" -> upserted;
        case "deleted" -> deleted;
        case "stale" -> skippedStale;
        case "superseded" -> superseded;
        case "rejected" -> rejected;
        default -> throw new IllegalArgumentException("no sink result '" + result + "'");
      };
    }
  }

  public SinkStats {
    entities = Map.copyOf(entities);
    lagSamples = List.copyOf(lagSamples);
  }

  /** Counters of {@code entity}, zero if it has seen nothing. */
  public EntityStats entity(String entity) {
    return entities.getOrDefault(entity, EntityStats.ZERO);
  }

  /** The {@code p}-th percentile (0..100) of the lag samples, empty when there are none. */
  public Optional<Duration> lagPercentile(double p) {
    if (p < 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be within 0..100, got " + p);
    }
    if (lagSamples.isEmpty()) {
      return Optional.empty();
    }
    List<Duration> sorted = lagSamples.stream().sorted().toList();
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return Optional.of(sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))));
  }
}
