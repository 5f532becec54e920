package io.tandem.demo;

import io.tandem.runtime.Deployment;
import io.tandem.runtime.Supervisor;
import io.tandem.capture.SnapshotProgress;
import io.tandem.embedded.Workload;
import io.tandem.sink.SinkStats;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Live view of the demo: a bar per table during the snapshot, then throughput and lag. */
final class Progress {
  private static final int BAR = 30;
  private final Console console;
  private final Deployment deployment;
  private final Supervisor supervisor;

  Progress(Console console, Deployment deployment, Supervisor supervisor) {
    this.console = console;
    this.deployment = deployment;
    this.supervisor = supervisor;
  }

  void untilSnapshotDone(CountDownLatch stop) throws InterruptedException {
    long tick = console.terminal() ? 250 : 2000;
    while (!stop.await(tick, TimeUnit.MILLISECONDS)) {
      failIfStopped();
      Map<String, SnapshotProgress> progress = deployment.capture().orElseThrow().snapshotProgress();
      StringBuilder bars = new StringBuilder();
      boolean done = !progress.isEmpty();
      // MariaDB's tables are <database>.<table>, longer than PostgreSQL's public.<table>: one column for all.
      int nameWidth = Math.max(18, progress.keySet().stream().mapToInt(String::length).max().orElse(0));
      String row = "%-" + nameWidth + "s [%s%s] %8d / %s%n";
      for (SnapshotProgress table : progress.values()) {
        done &= table.finished();
        double fraction = table.fraction().orElse(0);
        int filled = (int) Math.round(fraction * BAR);
        bars.append(String.format(row, table.table(), "#".repeat(filled), ".".repeat(BAR - filled),
            table.done(), table.estimated() < 0 ? "?" : Long.toString(table.estimated())));
      }
      console.status("Snapshot\n" + bars.toString().stripTrailing());
      if (done) {
        console.line("Snapshot\n" + bars.toString().stripTrailing());
        return;
      }
    }
  }

  void streamUntil(CountDownLatch stop, Duration duration, Workload workload) throws InterruptedException {
    long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
    long lastCapture = deployment.capture().orElseThrow().stats().events();
    long lastSink = deployment.sink().orElseThrow().stats().records();
    long lastTime = System.nanoTime();
    long interval = console.terminal() ? 1000 : 5000;
    while (System.nanoTime() < deadline && !stop.await(Math.min(interval,
        Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))), TimeUnit.MILLISECONDS)) {
      failIfStopped();
      long now = System.nanoTime();
      long capture = deployment.capture().orElseThrow().stats().events();
      SinkStats sink = deployment.sink().orElseThrow().stats();
      double seconds = (now - lastTime) / 1e9;
      console.status(String.format("legacy changes %7d | captured %6.0f/s | applied %6.0f/s | lag p50 %s p99 %s | DLQ %d",
          workload.changes(), (capture - lastCapture) / seconds, (sink.records() - lastSink) / seconds,
          millis(sink.lagPercentile(50)), millis(sink.lagPercentile(99)), deadLetters()));
      lastCapture = capture;
      lastSink = sink.records();
      lastTime = now;
    }
  }

  private long deadLetters() {
    return deployment.capture().orElseThrow().stats().deadLettered() + deployment.transform().orElseThrow().metrics().deadLettered()
        + deployment.sink().orElseThrow().stats().dlqCount();
  }

  private static String millis(java.util.Optional<Duration> lag) {
    return lag.map(d -> d.toMillis() + " ms").orElse("-");
  }

  private void failIfStopped() {
    supervisor.firstFailure().ifPresent(reason -> {
      throw new IllegalStateException("pipeline stage stopped: " + reason);
    });
  }
}
