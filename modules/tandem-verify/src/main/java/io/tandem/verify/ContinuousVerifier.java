package io.tandem.verify;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
public final class ContinuousVerifier extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(ContinuousVerifier.class);

  private final Verifier verifier;
  private final Duration interval;
  private final Clock clock;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();
  private final Map<String, Counter> rows = new ConcurrentHashMap<>();
  private final Map<String, Long> rowsSeen = new ConcurrentHashMap<>();
  private final AtomicReference<String> activity = new AtomicReference<>("first pass starting");
  private final AtomicLong passes = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile MeterRegistry meters = new SimpleMeterRegistry();

  ContinuousVerifier(Verifier verifier, Duration interval, Clock clock) {
    super("verify");
    this.verifier = verifier;
    this.interval = interval;
    this.clock = clock;
    this.thread = new Thread(this::loop, "tandem-verify");
    this.thread.setDaemon(true);
  }

  /**
   * Rows read per entity (a counter, so rows/s is its rate), passes and failed passes, differences by kind
   * and unsettled rows of the last pass, and the time of the last clean pass per entity and cohort.
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    this.meters = registry;
    FunctionCounter.builder("tandem.verify.passes", passes, AtomicLong::get)
        .description("Verification passes finished").register(registry);
    FunctionCounter.builder("tandem.verify.failures", failures, AtomicLong::get)
        .description("Verification passes that could not run (database or Kafka unreachable, ...)").register(registry);
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    thread.start();
    lifecycle.markRunning();
  }

  /** One line for status output: what the last pass found, or what is happening now. */
  @Override
  public String status() {
    return state() + " " + activity.get();
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
    activity.set("pass " + (passes.get() + 1));
    rowsSeen.clear();
    try {
      VerificationReport report = verifier.pass(new Verifier.Request(List.of(), null, false, true), this::progress,
          clock);
      record(report);
      passes.incrementAndGet();
      activity.set("last pass " + clock.instant() + ": " + (report.clean() ? "clean"
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
      failures.incrementAndGet();
      activity.set("last pass failed: " + e.getMessage());
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
    if (lifecycle.requestStop() == State.CREATED) {
      return;
    }
    stop.countDown();
    try {
      // A short pass finishes on its own; a long one is interrupted (its Kafka client may log that).
      thread.join(5_000);
      thread.interrupt();
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lifecycle.finish(null);
  }
}
