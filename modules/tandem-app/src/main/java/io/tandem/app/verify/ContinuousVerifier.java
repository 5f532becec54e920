package io.tandem.app.verify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.VerificationReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code verify} component of {@code tandem run}: a pass over every mapped entity, published to
 * the status topic, then a pause, again and again. Metrics: rows read per entity (a counter, so
 * rows/s is its rate), differences by kind and unsettled rows of the last pass, and the time of the
 * last clean pass per entity and cohort ({@code *} = every key).
 */
public final class ContinuousVerifier implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousVerifier.class);

  private final VerifySetup setup;
  private final MeterRegistry meters;
  private final Duration interval;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
  private final Map<String, Counter> rows = new ConcurrentHashMap<>();
  private final Map<String, Long> rowsSeen = new ConcurrentHashMap<>();
  private final AtomicReference<String> state = new AtomicReference<>("RUNNING first pass starting");
  private final Counter passes;
  private final Counter failures;

  public ContinuousVerifier(VerifySetup setup, MeterRegistry meters, Duration interval, Clock clock) {
    this.setup = setup;
    this.meters = meters;
    this.interval = interval;
    this.clock = clock;
    this.thread = new Thread(this::loop, "tandem-verify");
    this.thread.setDaemon(true);
    this.passes = Counter.builder("tandem.verify.passes").description("Verification passes finished")
        .register(meters);
    this.failures = Counter.builder("tandem.verify.failures")
        .description("Verification passes that could not run (database or Kafka unreachable, ...)").register(meters);
  }

  public ContinuousVerifier start() {
    thread.start();
    return this;
  }

  /** One line for {@code tandem run}'s status output. */
  public String describe() {
    return state.get();
  }

  private void loop() {
    try {
      while (stop.getCount() > 0) {
        runPass();
        if (stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void runPass() throws InterruptedException {
    state.set("RUNNING pass " + ((long) passes.count() + 1));
    rowsSeen.clear();
    try {
      VerificationReport report = Verification.run(setup, new Verification.Request(List.of(), null, false, true),
          this::progress, clock);
      record(report);
      passes.increment();
      state.set("RUNNING last pass " + clock.instant() + ": " + (report.clean() ? "clean"
          : report.differences() + " differences") + "; next in " + interval.toSeconds() + " s");
      if (!report.clean()) {
        LOG.warn("verification pass: {} differences; {}", report.differences(), report.entities().stream()
            .flatMap(e -> e.differences().stream().limit(5)).toList());
      }
    } catch (RuntimeException e) {
      if (stop.getCount() == 0) {
        LOG.debug("verification pass interrupted by shutdown: {}", e.toString());
        return; // stopping: a pass cut short is not a failure
      }
      failures.increment();
      state.set("RUNNING last pass failed: " + e.getMessage());
      LOG.error("verification pass failed; next in {} s", interval.toSeconds(), e);
    }
  }

  private void progress(String entity, long rowsRead, long estimated) {
    long before = rowsSeen.getOrDefault(entity, 0L);
    rowsSeen.put(entity, rowsRead);
    rows.computeIfAbsent(entity, e -> Counter.builder("tandem.verify.rows").tag("entity", e)
        .description("Legacy rows read and compared by the verifier").register(meters)).increment(rowsRead - before);
  }

  private void record(VerificationReport report) {
    for (EntityResult result : report.entities()) {
      for (Difference.Kind kind : Difference.Kind.values()) {
        gauge("tandem.verify.differences", "Differences left after re-checking, last pass",
            result.entity(), "kind", kind.name().toLowerCase()).set(result.count(kind));
      }
      gauge("tandem.verify.unsettled", "Rows that kept changing through every re-check, last pass",
          result.entity(), "kind", "unsettled").set(result.unsettled().size());
      Instant finished = result.finishedAt();
      if (result.clean()) {
        gauge("tandem.verify.last.clean.pass", "Epoch seconds of the last clean pass",
            result.entity(), "cohort", "*").set(finished.getEpochSecond());
      }
      result.byCohort().forEach((cohort, tally) -> {
        if (cohort != null && tally.clean()) {
          gauge("tandem.verify.last.clean.pass", "Epoch seconds of the last clean pass",
              result.entity(), "cohort", cohort).set(finished.getEpochSecond());
        }
      });
    }
  }

  private AtomicLong gauge(String name, String description, String entity, String tag, String tagValue) {
    return gauges.computeIfAbsent(name + "|" + entity + "|" + tagValue, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, AtomicLong::get).tags("entity", entity, tag, tagValue).description(description)
          .register(meters);
      return value;
    });
  }

  @Override
  public void close() {
    stop.countDown();
    try {
      // A short pass finishes on its own; a long one is interrupted (its Kafka client may log that).
      thread.join(5_000);
      thread.interrupt();
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
