package io.tandem.routing.status;

import io.tandem.core.lifecycle.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the lag reporters share: a daemon thread that publishes what a report returns to the status topic
 * at a fixed delay (a report that fails is logged and the next one is tried), and their lifecycle.
 * Closing stops the thread and the publisher.
 */
final class PeriodicPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeriodicPublisher.class);

  private final String what;
  private final Supplier<StatusPublisher> opener;
  private final Lifecycle lifecycle;
  private final ScheduledExecutorService timer;
  private volatile StatusPublisher publisher;

  /**
   * @param lifecycle the reporting component's, which this drives
   * @param threadName its thread's name
   * @param what what is reported, for the warning when a report fails ("the replication lag")
   * @param opener opens the publisher at start (it creates the topic and connects)
   */
  PeriodicPublisher(Lifecycle lifecycle, String threadName, String what, Supplier<StatusPublisher> opener) {
    this.what = what;
    this.opener = opener;
    this.lifecycle = lifecycle;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, threadName);
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Opens the publisher (a failure to is a failed start), then publishes every {@code every}. */
  void start(Duration initialDelay, Duration every, Supplier<List<? extends StatusRecord>> report) {
    lifecycle.beginStart();
    try {
      publisher = opener.get();
    } catch (RuntimeException e) {
      lifecycle.finish(e);
      throw e;
    }
    timer.scheduleWithFixedDelay(() -> {
      try {
        publisher.publish(report.get());
      } catch (RuntimeException e) {
        LOG.warn("cannot publish {}: {}", what, e.getMessage());
      }
    }, initialDelay.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    lifecycle.markRunning();
  }

  @Override
  public void close() {
    close(null);
  }

  /** Stops, then withdraws {@code key} (when not null) so readers stop showing what this published. */
  void close(String withdrawn) {
    lifecycle.requestStop();
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    StatusPublisher opened = publisher;
    if (opened != null) {
      if (withdrawn != null) {
        try {
          opened.withdraw(withdrawn);
        } catch (RuntimeException e) {
          LOG.warn("cannot withdraw {}: {}", what, e.getMessage());
        }
      }
      opened.close();
    }
    lifecycle.finish(null);
  }
}
