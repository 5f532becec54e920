package io.tandem.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The latest audit entries of a routing log, at most a fixed number, in log order. Older entries are not lost:
 * the log holds them, and {@link RoutingLog#auditBefore} reads them again on demand. Appending is O(1) (a
 * ring), so replaying a long log costs no more than the log; readers copy what they ask for under the lock.
 */
public final class AuditTrail {
  private final AuditEntry[] ring;
  private final Predicate<AuditEntry> kept;
  private int start;
  private int size;
  private long dropped;

  /** Keeps the latest {@code capacity} entries. */
  public AuditTrail(int capacity) {
    this(capacity, entry -> true);
  }

  /** Keeps the latest {@code capacity} entries that {@code kept} accepts (the others are not counted). */
  public AuditTrail(int capacity, Predicate<AuditEntry> kept) {
    if (capacity < 1) {
      throw new IllegalArgumentException("an audit trail keeps at least one entry, was " + capacity);
    }
    this.ring = new AuditEntry[capacity];
    this.kept = kept;
  }

  synchronized void add(AuditEntry entry) {
    if (!kept.test(entry)) {
      return;
    }
    if (size < ring.length) {
      ring[(start + size++) % ring.length] = entry;
    } else {
      ring[start] = entry;
      start = (start + 1) % ring.length;
      dropped++;
    }
  }

  /** The newest {@code limit} entries that {@code filter} accepts, oldest first. */
  public synchronized List<AuditEntry> latest(int limit, Predicate<AuditEntry> filter) {
    List<AuditEntry> newestFirst = new ArrayList<>(Math.min(limit, size));
    for (int i = size - 1; i >= 0 && newestFirst.size() < limit; i--) {
      AuditEntry entry = get(i);
      if (filter.test(entry)) {
        newestFirst.add(entry);
      }
    }
    return reversed(newestFirst);
  }

  /** The newest {@code limit} entries before log offset {@code before} that {@code filter} accepts, oldest first. */
  public synchronized List<AuditEntry> before(long before, int limit, Predicate<AuditEntry> filter) {
    return latest(limit, entry -> entry.offset() < before && filter.test(entry));
  }

  /**
   * As {@link #before}, when memory alone answers it: it gives {@code limit} entries (older ones, only in the
   * log, cannot be newer) or nothing was ever dropped. Empty when the log must be read.
   */
  public synchronized Optional<List<AuditEntry>> answers(long before, int limit, Predicate<AuditEntry> filter) {
    List<AuditEntry> found = before(before, limit, filter);
    return found.size() == limit || dropped == 0 ? Optional.of(found) : Optional.empty();
  }

  /** The entry of the record at {@code offset}, if it is still kept. */
  public synchronized Optional<AuditEntry> at(long offset) {
    int low = 0;
    int high = size - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      long found = get(middle).offset();
      if (found < offset) {
        low = middle + 1;
      } else if (found > offset) {
        high = middle - 1;
      } else {
        return Optional.of(get(middle));
      }
    }
    return Optional.empty();
  }

  /** Every kept entry, oldest first. */
  public synchronized List<AuditEntry> all() {
    return latest(size, entry -> true);
  }

  /** Whether entries were dropped to keep the bound: older ones are then only in the log. */
  public synchronized boolean truncated() {
    return dropped > 0;
  }

  /** The log offset of the oldest kept entry, or -1 when none is kept. */
  public synchronized long oldestOffset() {
    return size == 0 ? -1 : get(0).offset();
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return ring.length;
  }

  private AuditEntry get(int index) {
    return ring[(start + index) % ring.length];
  }

  private static List<AuditEntry> reversed(List<AuditEntry> list) {
    List<AuditEntry> out = new ArrayList<>(list.size());
    for (int i = list.size() - 1; i >= 0; i--) {
      out.add(list.get(i));
    }
    return out;
  }
}
