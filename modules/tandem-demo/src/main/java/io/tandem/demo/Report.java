package io.tandem.demo;

import io.tandem.core.model.MappedEntity;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.Supervisor;
import io.tandem.verify.CohortResolver;
import io.tandem.verify.Connector;
import io.tandem.verify.DeadLetters;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerifyOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The demo's closing report: legacy vs new per entity, compared by the verifier through the mappings. */
final class Report {
  /** No re-check delay: the report polls until the two sides agree anyway. */
  private static final VerifyOptions OPTIONS = new VerifyOptions(10_000, 0, Duration.ZERO, 1, false, null);
  private static final int EXAMPLES = 5;

  private final List<EntityResult> results;
  private final long deadLetters;
  private final Duration caughtUpAfter;

  private Report(List<EntityResult> results, long deadLetters, Duration caughtUpAfter) {
    this.results = results;
    this.deadLetters = deadLetters;
    this.caughtUpAfter = caughtUpAfter;
  }

  /** Verifies until nothing differs (the pipeline has caught up) or the timeout passes. */
  static Report waitUntilEqual(Deployment deployment, Supervisor supervisor, Connector legacy, Connector target,
      Duration timeout) throws InterruptedException {
    return waitUntilEqual(deployment, supervisor, legacy, java.util.Map.of(), target, timeout);
  }

  /** As above, with legacy sources merged into the entities ({@code merge.sources}) by name. */
  static Report waitUntilEqual(Deployment deployment, Supervisor supervisor, Connector legacy,
      java.util.Map<String, Connector> otherSources, Connector target, Duration timeout) throws InterruptedException {
    java.util.Map<String, Connector> sources = new java.util.HashMap<>(otherSources);
    sources.put(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE, legacy);
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      List<EntityResult> results = new ArrayList<>();
      for (MappedEntity entity : deployment.model().entities()) {
        if (entity.merge().isPresent()) {
          results.add(io.tandem.verify.MergedEntityVerifier.create(entity, entity.name(), sources, target, OPTIONS,
              Clock.systemUTC()).run(EntityVerifier.Progress.NONE));
          continue;
        }
        results.add(EntityVerifier.create(entity.mapping(), entity.schema(), entity.name(), legacy, target,
            OPTIONS, CohortResolver.NONE, DeadLetters.NONE, Clock.systemUTC()).run(EntityVerifier.Progress.NONE));
      }
      boolean clean = results.stream().allMatch(Report::agrees);
      if (clean || System.nanoTime() > deadline || supervisor.firstFailure().isPresent()) {
        long deadLetters = deployment.capture().orElseThrow().stats().deadLettered()
            + otherSources.keySet().stream().mapToLong(source -> deployment.capture(source)
                .map(c -> c.stats().deadLettered()).orElse(0L)).sum()
            + deployment.transform().orElseThrow().metrics().deadLettered()
            + deployment.sink().orElseThrow().stats().dlqCount();
        return new Report(results, deadLetters, Duration.ofNanos(System.nanoTime() - start));
      }
      Thread.sleep(500); // polling two databases; there is no event to wait on
    }
  }

  /**
   * Unmappable legacy rows are dead-lettered by design (counted apart); everything else must agree, on the first
   * comparison: a row cleared by the re-check was still in flight, and the pass's row counts (legacy, expected,
   * new) were taken before it arrived, so the report would show them unequal.
   */
  private static boolean agrees(EntityResult result) {
    return differing(result) == 0 && result.cleared() == 0;
  }

  private static long differing(EntityResult result) {
    return result.count(Difference.Kind.MISSING) + result.count(Difference.Kind.EXTRA)
        + result.count(Difference.Kind.DIFFERENT) + result.unsettled().size();
  }

  boolean clean() {
    return results.stream().allMatch(Report::agrees);
  }

  void print(Console console, Duration total) {
    console.line("");
    console.line(String.format("%-16s %10s %10s %10s %8s %8s %10s %10s", "entity", "legacy", "expected", "new",
        "missing", "extra", "different", "unmappable"));
    for (EntityResult r : results) {
      console.line(String.format("%-16s %10d %10d %10d %8d %8d %10d %10d", r.entity(), r.rowsRead(), r.expectedRows(),
          r.newRows(), r.count(Difference.Kind.MISSING), r.count(Difference.Kind.EXTRA),
          r.count(Difference.Kind.DIFFERENT), r.count(Difference.Kind.UNMAPPABLE)));
      r.differences().stream().limit(EXAMPLES).forEach(d -> console.line("    " + d));
    }
    long differing = results.stream().mapToLong(Report::differing).sum();
    console.line("");
    console.line("Rows differing through the mapping (checked by the verifier, `tandem verify`): " + differing
        + (differing == 0 ? " (legacy and new agree)" : ""));
    console.line("Dead-lettered records: " + deadLetters + " (legacy rows filtered out by mappings are not counted)");
    console.line(String.format("Caught up %.1f s after the workload stopped; total run %.0f s.",
        caughtUpAfter.toNanos() / 1e9, total.toNanos() / 1e9));
  }
}
