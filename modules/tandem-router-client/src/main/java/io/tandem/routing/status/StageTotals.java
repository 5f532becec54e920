package io.tandem.routing.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stage's progress across its running instances, as the console and {@code tandem status} show it: the
 * instances that reported within {@code stale} summed, the others only counted (a stage that died leaves its
 * last report behind).
 *
 * @param reportedAt the newest report of any instance
 * @param snapshot the fresh instances' snapshot tables
 * @param backlog the stage's consumer-group backlog (records), the highest a fresh instance reported (each
 *     reports the whole group's); -1 when none knows it
 */
public record StageTotals(String stage, int instances, int staleInstances, long records, double perSecond,
    Instant reportedAt, List<StatusRecord.TableSnapshot> snapshot, long backlog) {

  /** Per stage, sorted by name, from every fact held (other kinds are ignored). */
  public static List<StageTotals> of(Collection<StatusRecord> facts, Instant now, Duration stale) {
    Map<String, List<StatusRecord.StageProgress>> byStage = new TreeMap<>();
    for (StatusRecord fact : facts) {
      if (fact instanceof StatusRecord.StageProgress progress) {
        byStage.computeIfAbsent(progress.stage(), s -> new ArrayList<>()).add(progress);
      }
    }
    List<StageTotals> totals = new ArrayList<>();
    byStage.forEach((stage, reports) -> {
      List<StatusRecord.StageProgress> fresh = reports.stream()
          .filter(p -> Duration.between(p.measuredAt(), now).compareTo(stale) <= 0).toList();
      Instant newest = reports.stream().map(StatusRecord.StageProgress::measuredAt).max(Instant::compareTo)
          .orElseThrow();
      totals.add(new StageTotals(stage, fresh.size(), reports.size() - fresh.size(),
          fresh.stream().mapToLong(StatusRecord.StageProgress::records).sum(),
          Math.round(fresh.stream().mapToDouble(StatusRecord.StageProgress::perSecond).sum() * 10) / 10.0, newest,
          fresh.stream().flatMap(p -> p.snapshot().stream()).toList(),
          fresh.stream().mapToLong(StatusRecord.StageProgress::backlog).max().orElse(-1)));
    });
    return totals;
  }
}
