package io.tandem.capture;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the engine has delivered so far. Written by the engine's handler thread after Kafka
 * acknowledged a batch, read from any thread.
 */
final class CaptureCounters {
  private static final long NO_POSITION = Long.MIN_VALUE;
  private static final long NO_BATCH = Long.MIN_VALUE;

  private final ConcurrentMap<String, LongAdder> events = new ConcurrentHashMap<>();
  private final LongAdder deadLettered = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder echoSuppressed = new LongAdder();
  private final AtomicLong lastPosition = new AtomicLong(NO_POSITION);
  private final ConcurrentMap<String, TableSnapshot> snapshot = new ConcurrentHashMap<>();
  private final LongAdder resnapshotted = new LongAdder();
  private volatile Set<String> ignoredTables = Set.of();
  private volatile long lastBatchMillis = NO_BATCH;
  private volatile boolean snapshotOver;
  /** The position of this run's initial-snapshot rows (all share one), once the first is delivered. */
  private final AtomicLong snapshotRowPosition = new AtomicLong(NO_POSITION);

  private static final class TableSnapshot {
    final LongAdder done = new LongAdder();
    volatile long estimated = SnapshotProgress.UNKNOWN;
    volatile boolean finished;
  }

  /** Tables that are captured but are not data (signal, origin, fence): never listed in snapshot progress. */
  void ignore(Set<String> tables) {
    ignoredTables = Set.copyOf(tables);
  }

  void estimates(Map<String, Long> estimates) {
    estimates.forEach((table, estimate) -> table(table).estimated = estimate);
  }

  void delivered(RawChange change) {
    events.computeIfAbsent(change.table(), t -> new LongAdder()).increment();
    lastPosition.set(change.position());
    if (change.resnapshot()) {
      resnapshotted.increment(); // a row read again on request: not progress of the initial snapshot
    } else if (change.snapshot()) {
      snapshotRowPosition.compareAndSet(NO_POSITION, change.position());
      TableSnapshot table = table(change.table());
      table.done.increment();
      // Debezium marks the last snapshot row of each table, and of the whole snapshot.
      if ("last_in_data_collection".equals(change.snapshotMarker())) {
        table.finished = true;
      } else if ("last".equals(change.snapshotMarker())) {
        snapshotOver = true;
      }
    } else if (!"r".equals(change.op())) {
      snapshotOver = true; // streaming has begun: the initial snapshot is behind us
    }
  }

  /** The position this run's initial-snapshot rows carry, if one has been delivered. */
  java.util.OptionalLong snapshotRowPosition() {
    long position = snapshotRowPosition.get();
    return position == NO_POSITION ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(position);
  }

  /** Debezium handed over a batch (changes, heartbeats, anything): it is alive and reading the slot. */
  void batchReceived(long epochMillis) {
    lastBatchMillis = epochMillis;
  }

  Optional<Instant> lastBatchAt() {
    long millis = lastBatchMillis;
    return millis == NO_BATCH ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
  }

  void deadLettered() {
    deadLettered.increment();
  }

  void skipped() {
    skipped.increment();
  }

  void echoSuppressed() {
    echoSuppressed.increment();
  }

  /** Applies what Debezium's snapshot metrics say; see {@link SnapshotMetrics}. */
  void snapshotMetrics(SnapshotMetrics metrics) {
    if (metrics.skipped()) {
      snapshotOver = true;
      return;
    }
    if (!metrics.completed()) {
      return;
    }
    // The snapshot has read everything: a table is done once every row it read was delivered.
    metrics.rowsScanned().forEach((table, scanned) -> {
      if (ignoredTables.contains(table)) {
        return;
      }
      TableSnapshot progress = table(table);
      if (progress.done.sum() >= scanned) {
        progress.finished = true;
      }
    });
  }

  CaptureStats stats() {
    Map<String, Long> byTable = new TreeMap<>();
    events.forEach((table, count) -> byTable.put(table, count.sum()));
    long position = lastPosition.get();
    return new CaptureStats(byTable, deadLettered.sum(), skipped.sum(),
        position == NO_POSITION ? OptionalLong.empty() : OptionalLong.of(position), resnapshotted.sum(),
        echoSuppressed.sum());
  }

  Map<String, SnapshotProgress> snapshotProgress() {
    Map<String, SnapshotProgress> progress = new TreeMap<>();
    boolean over = snapshotOver;
    snapshot.forEach((table, s) -> {
      if (!ignoredTables.contains(table)) {
        progress.put(table, new SnapshotProgress(table, s.done.sum(), s.estimated, over || s.finished));
      }
    });
    return progress;
  }

  private TableSnapshot table(String table) {
    return snapshot.computeIfAbsent(table, t -> new TableSnapshot());
  }
}
