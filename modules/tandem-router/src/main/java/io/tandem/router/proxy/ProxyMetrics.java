package io.tandem.router.proxy;

import io.micrometer.core.instrument.Counter;
import io.tandem.router.api.DecisionMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tandem.routing.Target;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/** The proxy's meters. Cohort tags read "none" for keys no cohort holds. */
final class ProxyMetrics {
  static final String DECISIONS = "tandem.router.decisions";
  static final String LATENCY = "tandem.router.proxy.latency";
  static final String FALLBACKS = "tandem.router.proxy.fallbacks";
  static final String SHADOW_COMPARISONS = "tandem.router.shadow.comparisons";
  static final String NO_COHORT = "none";

  enum Comparison {
    MATCH,
    MISMATCH,
    /** Differed at first, agreed when both were read again after the re-check delay: replication lag, not a bug. */
    LAGGED,
    /** One side could not be compared: a connection error or a timeout. */
    ERROR
  }

  private final MeterRegistry registry;

  private final DecisionMetrics decisions;

  ProxyMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.decisions = new DecisionMetrics(registry);
  }

  /** Same counter as the decision API's (one meter, one description). */
  void decision(String entity, String cohort, Target target) {
    decisions.decided(entity, cohort, target);
  }

  void latency(String entity, Target upstream, long nanos) {
    Timer.builder(LATENCY)
        .description("Time for one upstream exchange, failed ones included")
        .tags("entity", entity, "upstream", tag(upstream))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void fallback(String entity, String cohort) {
    Counter.builder(FALLBACKS)
        .description("Reads new failed that were served from legacy instead")
        .tags("entity", entity, "cohort", cohortTag(cohort))
        .register(registry)
        .increment();
  }

  void comparison(String entity, String cohort, Comparison result) {
    Counter.builder(SHADOW_COMPARISONS)
        .description("Shadow reads compared between legacy and new")
        .tags("entity", entity, "cohort", cohortTag(cohort), "result", result.name().toLowerCase(Locale.ROOT))
        .register(registry)
        .increment();
  }

  static String tag(Target target) {
    return target.name().toLowerCase(Locale.ROOT);
  }

  static String cohortTag(String cohort) {
    return cohort == null ? NO_COHORT : cohort;
  }
}
