package io.tandem.router.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.routing.Decision;
import java.util.concurrent.ConcurrentHashMap;

/** Counts decisions by entity, cohort and read target ({@code tandem.router.decisions}). */
public final class DecisionMetrics {
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  public DecisionMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  public void decided(Decision decision) {
    String cohort = decision.cohort() == null ? "none" : decision.cohort();
    String target = decision.read().name().toLowerCase(java.util.Locale.ROOT);
    counters.computeIfAbsent(decision.entity() + '\0' + cohort + '\0' + target,
        k -> Counter.builder("tandem.router.decisions").description("Routing decisions by read target")
            .tag("entity", decision.entity()).tag("cohort", cohort).tag("target", target).register(meters))
        .increment();
  }
}
