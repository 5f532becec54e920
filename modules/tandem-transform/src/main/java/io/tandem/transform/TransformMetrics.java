package io.tandem.transform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the transform stage (exported as metrics by the runner). Thread-safe. */
public final class TransformMetrics {
  private final Map<String, LongAdder> migrated = new ConcurrentHashMap<>();
  private final LongAdder deadLettered = new LongAdder();
  /** Legacy table → columns seen that no mapping reads or drops; at most {@link #MAX_UNMAPPED} in all. */
  private final Map<String, java.util.Set<String>> unmapped = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger unmappedCount = new java.util.concurrent.atomic.AtomicInteger();
  static final int MAX_UNMAPPED = 1_000;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TransformMetrics.class);

  void unmappedColumn(String table, String column) {
    java.util.Set<String> columns = unmapped.computeIfAbsent(table, t -> ConcurrentHashMap.newKeySet());
    if (columns.contains(column) || unmappedCount.get() >= MAX_UNMAPPED) {
      return;
    }
    if (columns.add(column)) {
      unmappedCount.incrementAndGet();
      LOG.warn("Legacy table {} has column '{}' that no mapping reads or drops: its values are not migrated. Map it,"
          + " or list it under 'drop:' in the mapping (tandem inventory lists every column)", table, column);
    }
  }

  /** Columns of this legacy table seen in changes that no mapping reads or drops. */
  public java.util.Set<String> unmappedColumns(String table) {
    return java.util.Set.copyOf(unmapped.getOrDefault(table, java.util.Set.of()));
  }

  void countMigrated(String entity) {
    migrated.computeIfAbsent(entity, e -> new LongAdder()).increment();
  }

  void countDeadLetter() {
    deadLettered.increment();
  }

  /** Records written per entity since start. */
  public Map<String, Long> migratedByEntity() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    migrated.forEach((entity, count) -> copy.put(entity, count.sum()));
    return copy;
  }

  public long deadLettered() {
    return deadLettered.sum();
  }
}
