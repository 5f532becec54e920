package io.tandem.core.retry;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * The one retry primitive: bounded attempts, exponential back-off with full jitter. The caller
 * decides which failures are retriable; everything else is rethrown at once.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("backoff must satisfy 0 <= initial <= max");
    }
  }

  public static RetryPolicy none() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  /** Runs {@code action}, retrying failures that {@code retriable} accepts. */
  public <T> T call(Callable<T> action, Predicate<Exception> retriable) throws Exception {
    Exception last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return action.call();
      } catch (Exception e) {
        if (!retriable.test(e) || attempt == maxAttempts) {
          if (last != null && e != last) {
            e.addSuppressed(last);
          }
          throw e;
        }
        last = e;
        sleep(backoffFor(attempt));
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** Back-off before the attempt after {@code attempt}: random in [0, min(max, initial * 2^(attempt-1))]. */
  public Duration backoffFor(int attempt) {
    long base = initialBackoff.toMillis();
    long cap = maxBackoff.toMillis();
    long ceiling = Math.min(cap, base << Math.min(attempt - 1, 20));
    if (ceiling <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
  }

  private static void sleep(Duration d) throws InterruptedException {
    if (!d.isZero()) {
      Thread.sleep(d.toMillis());
    }
  }
}
