package io.tandem.router.proxy;

import java.util.ArrayDeque;
import java.util.List;

/** The latest shadow mismatches, at most {@code capacity} of them (the oldest is dropped first). */
final class MismatchSamples {
  private final int capacity;
  private final ArrayDeque<ShadowMismatch> latest;

  MismatchSamples(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("sampleSize must be 0 or more, was " + capacity);
    }
    this.capacity = capacity;
    this.latest = new ArrayDeque<>(capacity);
  }

  synchronized void add(ShadowMismatch mismatch) {
    if (capacity == 0) {
      return;
    }
    if (latest.size() == capacity) {
      latest.removeFirst();
    }
    latest.addLast(mismatch);
  }

  /** Oldest first; an immutable copy. */
  synchronized List<ShadowMismatch> snapshot() {
    return List.copyOf(latest);
  }
}
