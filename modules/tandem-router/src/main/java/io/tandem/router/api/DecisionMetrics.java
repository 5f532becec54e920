package io.tandem.router.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.routing.Decision;
import io.tandem.routing.Target;
import java.util.concurrent.ConcurrentHashMap;

/** Counts decisions by entity, cohort and read target ({@code tandem.router.decisions}). */
public final class DecisionMetrics {
  private final MeterRegistry meters;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();

  public DecisionMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** A decision asked of the decision API: counted by its read target. */
  public void decided(Decision decision) {
    decided(decision.entity(), decision.cohort(), decision.read());
  }

  /** A decision the read proxy acted on: counted by the target it used (read or write). */
  public void decided(String entity, String cohort, Target target) {
    String cohortTag = cohort == null ? "none" : cohort;
    String targetTag = target.name().toLowerCase(java.util.Locale.ROOT);
    counters.computeIfAbsent(entity + '\0' + cohortTag + '\0' + targetTag,
        k -> Counter.builder("tandem.router.decisions").description("Routing decisions by the target they picked")
            .tag("entity", entity).tag("cohort", cohortTag).tag("target", targetTag).register(meters))
        .increment();
  }
}
