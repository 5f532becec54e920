package io.tandem.core.flow;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A budget of rows per second that paces its callers: {@link #acquire} waits until the rows fit. It lets
 * a caller that was idle catch up by at most one second's worth, so an idle stage never bursts beyond
 * that. A rate of 0 means unlimited (acquire never waits).
 */
public final class RateBudget {
  private static final long BURST_NANOS = TimeUnit.SECONDS.toNanos(1);
  private final double rowsPerSecond;
  private final LongSupplier nanoClock;
  private final AtomicLong waitedNanos = new AtomicLong();
  private long nextFreeNanos;

  public RateBudget(double rowsPerSecond) {
    this(rowsPerSecond, System::nanoTime);
  }

  RateBudget(double rowsPerSecond, LongSupplier nanoClock) {
    if (!(rowsPerSecond >= 0) || Double.isInfinite(rowsPerSecond)) {
      throw new IllegalArgumentException("rows per second must be 0 (unlimited) or more, was " + rowsPerSecond);
    }
    this.rowsPerSecond = rowsPerSecond;
    this.nanoClock = nanoClock;
    this.nextFreeNanos = nanoClock.getAsLong();
  }

  public static RateBudget unlimited() {
    return new RateBudget(0);
  }

  public boolean limited() {
    return rowsPerSecond > 0;
  }

  /** Rows per second; 0 = unlimited. */
  public double rowsPerSecond() {
    return rowsPerSecond;
  }

  /** Total time callers waited for the budget, in seconds (a meter: how much the budget held back). */
  public double waitedSeconds() {
    return waitedNanos.get() / 1e9;
  }

  /** Waits until {@code rows} fit in the budget; returns how long it waited, in nanoseconds. */
  public long acquire(int rows) throws InterruptedException {
    long wait = reserve(rows);
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
      waitedNanos.addAndGet(wait);
    }
    return Math.max(0, wait);
  }

  /**
   * Books {@code rows} and says how long the caller must wait before using them (GCRA: the budget's clock
   * runs ahead of real time by the rows booked; up to one second ahead is free, beyond that is waited).
   */
  synchronized long reserve(int rows) {
    if (!limited() || rows <= 0) {
      return 0;
    }
    long now = nanoClock.getAsLong();
    nextFreeNanos = Math.max(nextFreeNanos, now) + (long) (rows / rowsPerSecond * 1e9);
    return Math.max(0, nextFreeNanos - now - BURST_NANOS);
  }
}
