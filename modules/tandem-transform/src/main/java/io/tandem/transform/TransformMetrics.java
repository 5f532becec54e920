package io.tandem.transform;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the transform stage (exported as metrics by the runner). Thread-safe. */
public final class TransformMetrics {
  private final Map<String, LongAdder> migrated = new ConcurrentHashMap<>();
  private final LongAdder deadLettered = new LongAdder();

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
