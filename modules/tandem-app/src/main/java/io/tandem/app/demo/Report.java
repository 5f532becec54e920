package io.tandem.app.demo;

import io.tandem.app.Pipeline;
import io.tandem.app.check.MappingCheck;
import io.tandem.core.mapping.Mapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The demo's closing report: legacy vs new per entity, compared through the mapping. */
final class Report {
  private final List<MappingCheck.Result> results;
  private final long deadLetters;
  private final Duration caughtUpAfter;

  private Report(List<MappingCheck.Result> results, long deadLetters, Duration caughtUpAfter) {
    this.results = results;
    this.deadLetters = deadLetters;
    this.caughtUpAfter = caughtUpAfter;
  }

  /** Compares until nothing differs (the pipeline has caught up) or the timeout passes. */
  static Report waitUntilEqual(Pipeline pipeline, Connection legacy, Connection target, Duration timeout)
      throws SQLException, InterruptedException {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    while (true) {
      List<MappingCheck.Result> results = new ArrayList<>();
      for (int i = 0; i < pipeline.mappings().size(); i++) {
        Mapping mapping = pipeline.mappings().get(i);
        results.add(MappingCheck.run(mapping, pipeline.entities().get(i), legacy, target));
      }
      boolean clean = results.stream().allMatch(r -> r.differences() == 0);
      if (clean || System.nanoTime() > deadline || pipeline.failure().isPresent()) {
        long deadLetters = pipeline.capture().stats().deadLettered() + pipeline.transform().metrics().deadLettered()
            + pipeline.sink().stats().dlqCount();
        return new Report(results, deadLetters, Duration.ofNanos(System.nanoTime() - start));
      }
      Thread.sleep(500); // polling two databases; there is no event to wait on
    }
  }

  boolean clean() {
    return results.stream().allMatch(r -> r.differences() == 0);
  }

  void print(Console console, Duration total) {
    console.line("");
    console.line(String.format("%-16s %10s %10s %10s %8s %8s %10s %10s", "entity", "legacy", "expected", "new",
        "missing", "extra", "different", "unmappable"));
    for (MappingCheck.Result r : results) {
      console.line(String.format("%-16s %10d %10d %10d %8d %8d %10d %10d", r.entity(), r.legacyRows(), r.expectedRows(),
          r.newRows(), r.missing(), r.extra(), r.different(), r.unmappable()));
      r.examples().forEach(example -> console.line("    " + example));
    }
    long differing = results.stream().mapToLong(MappingCheck.Result::differences).sum();
    console.line("");
    console.line("Rows differing through the mapping: " + differing + (differing == 0 ? " (legacy and new agree)" : ""));
    console.line("Dead-lettered records: " + deadLetters + " (legacy rows filtered out by mappings are not counted)");
    console.line(String.format("Caught up %.1f s after the workload stopped; total run %.0f s.",
        caughtUpAfter.toNanos() / 1e9, total.toNanos() / 1e9));
  }
}
