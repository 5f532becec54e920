package io.tandem.runtime;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Reads a sink counter once it has stopped moving. */
final class SinkCounters {
  private SinkCounters() {}

  /**
   * A sink counts a batch after committing its offsets, a moment after its rows are visible: a
   * baseline read as soon as the rows show could miss the last batch.
   */
  static long settled(LongSupplier counter) {
    long[] last = {counter.getAsLong()};
    await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ofSeconds(1)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          long now = counter.getAsLong();
          boolean settled = now == last[0];
          last[0] = now;
          return settled;
        });
    return last[0];
  }
}
