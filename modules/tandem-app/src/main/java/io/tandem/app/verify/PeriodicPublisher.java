package io.tandem.app.verify;

import io.tandem.routing.status.StatusRecord;
import io.tandem.verify.StatusPublisher;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what a report returns to the status topic on its own daemon thread, at a fixed delay; a
 * report that fails is logged and the next one is tried. Closing stops the thread and the publisher.
 */
final class PeriodicPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicPublisher.class);

  private final String what;
  private final StatusPublisher publisher;
  private final ScheduledExecutorService timer;

  /** @param what what is reported, for the warning when a report fails ("the replication lag") */
  PeriodicPublisher(String threadName, String what, StatusPublisher publisher) {
    this.what = what;
    this.publisher = publisher;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  void start(Duration initialDelay, Duration every, Supplier<List<? extends StatusRecord>> report) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        publisher.publish(report.get());
      } catch (RuntimeException e) {
        LOG.warn("cannot publish {}: {}", what, e.getMessage());
      }
    }, initialDelay.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    publisher.close();
  }
}
