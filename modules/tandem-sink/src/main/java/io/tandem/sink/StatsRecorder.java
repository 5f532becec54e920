package io.tandem.sink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/** The sink thread writes, anyone may read; one lock keeps snapshots consistent. */
final class StatsRecorder {
  private static final int MAX_LAG_SAMPLES = 1024;

  private final Map<String, long[]> counters = new HashMap<>();
  private final ArrayDeque<Duration> lags = new ArrayDeque<>();
  private long dlq;
  private long batches;
  private long records;
  private long retries;
  private Instant lastCommit;

  /** Adds one entity's outcome of a batch: upserted, deleted, stale, superseded, rejected. */
  synchronized void add(String entity, long upserted, long deleted, long stale, long superseded, long rejected) {
    long[] c = counters.computeIfAbsent(entity, e -> new long[5]);
    c[0] += upserted;
    c[1] += deleted;
    c[2] += stale;
    c[3] += superseded;
    c[4] += rejected;
    dlq += rejected;
  }

  synchronized void lag(Duration lag) {
    if (lags.size() == MAX_LAG_SAMPLES) {
      lags.removeFirst();
    }
    lags.addLast(lag);
  }

  private long tombstonesPruned;

  synchronized void tombstonesPruned(long count) {
    tombstonesPruned += count;
  }

  synchronized void retried() {
    retries++;
  }

  synchronized void committed(int recordCount, Instant at) {
    batches++;
    records += recordCount;
    lastCommit = at;
  }

  synchronized SinkStats snapshot() {
    Map<String, SinkStats.EntityStats> entities = new HashMap<>();
    counters.forEach((entity, c) -> entities.put(entity, new SinkStats.EntityStats(c[0], c[1], c[2], c[3], c[4])));
    return new SinkStats(entities, dlq, batches, records, retries, lastCommit, tombstonesPruned, lags.stream().toList());
  }
}
