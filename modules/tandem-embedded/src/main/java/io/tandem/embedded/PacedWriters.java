package io.tandem.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Writers at a fixed total rate, each write one attempt on a random key, counting per key what was
 * acknowledged and what was refused (to be retried later), for the coexistence demo, benchmark and tests:
 * afterwards each key's value must be its start plus its acknowledged writes, on both sides.
 */
public final class PacedWriters {
  /** What one attempt came to. */
  public enum Outcome { ACKNOWLEDGED, REFUSED, FAILED }

  /** One write of {@code key}; must not throw (report FAILED instead). */
  @FunctionalInterface
  public interface Attempt {
    Outcome write(long key);
  }

  private final Map<Long, LongAdder> acknowledged = new ConcurrentHashMap<>();
  private final Map<Long, LongAdder> refused = new ConcurrentHashMap<>();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  /**
   * Starts {@code count} threads writing {@code rate} attempts per second in total (0: as fast as they can).
   *
   * @param onFailure told about each failed attempt (e.g. to print it)
   */
  public static PacedWriters start(int count, int rate, List<Long> keys, Attempt attempt, Consumer<Long> onFailure) {
    PacedWriters writers = new PacedWriters();
    long interval = rate <= 0 ? 0 : 1_000_000_000L * count / rate;
    for (int t = 0; t < count; t++) {
      Thread thread = new Thread(() -> writers.loop(interval, keys, attempt, onFailure), "paced-writer-" + t);
      thread.setDaemon(true);
      writers.threads.add(thread);
      thread.start();
    }
    return writers;
  }

  private void loop(long intervalNanos, List<Long> keys, Attempt attempt, Consumer<Long> onFailure) {
    long next = System.nanoTime();
    while (!stop.get()) {
      long key = keys.get(ThreadLocalRandom.current().nextInt(keys.size()));
      switch (attempt.write(key)) {
        case ACKNOWLEDGED -> acknowledged.computeIfAbsent(key, k -> new LongAdder()).increment();
        case REFUSED -> {
          refused.computeIfAbsent(key, k -> new LongAdder()).increment();
          pause(20);
        }
        case FAILED -> {
          failed.incrementAndGet();
          onFailure.accept(key);
          pause(100);
        }
      }
      if (intervalNanos > 0) {
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          pause(wait / 1_000_000);
        } else if (wait < -1_000_000_000L) {
          next = System.nanoTime(); // a second behind: do not burst to catch up
        }
      }
    }
  }

  /** Stops the writers and waits for their last attempts. */
  public void stop() throws InterruptedException {
    stop.set(true);
    for (Thread thread : threads) {
      thread.join(30_000);
    }
  }

  public long acknowledged(long key) {
    LongAdder count = acknowledged.get(key);
    return count == null ? 0 : count.sum();
  }

  public long refused(long key) {
    LongAdder count = refused.get(key);
    return count == null ? 0 : count.sum();
  }

  /** Keys with at least one acknowledged write. */
  public java.util.Set<Long> writtenKeys() {
    return java.util.Set.copyOf(acknowledged.keySet());
  }

  public long acknowledged() {
    return acknowledged.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long refused() {
    return refused.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long failed() {
    return failed.get();
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
