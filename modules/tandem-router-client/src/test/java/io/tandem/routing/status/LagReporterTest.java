package io.tandem.routing.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LagReporterTest {
  private static final Instant STARTED = Instant.parse("2026-11-21T20:00:00Z");
  private static final Instant NOW = STARTED.plusSeconds(60);

  private static AppliedChanges stats(long records, Instant lastCommit, long... lagMillis) {
    return new AppliedChanges(records, java.util.Arrays.stream(lagMillis).mapToObj(Duration::ofMillis).toList(),
        lastCommit);
  }

  @Test
  void theHighestLagAmongTheChangesAppliedSinceTheLastReport() {
    AppliedChanges snapshot = stats(10, NOW, 900, 40, 70, 55);
    assertThat(LagReporter.lagMillis(snapshot, 7, 0, STARTED, NOW)).as("3 applied: the last 3 samples").isEqualTo(70);
    assertThat(LagReporter.lagMillis(snapshot, -1, 0, STARTED, NOW)).as("first report: every sample").isEqualTo(900);
  }

  @Test
  void nothingAppliedAndNothingPendingIsNoLag() {
    assertThat(LagReporter.lagMillis(stats(10, STARTED, 900), 10, 0, STARTED, NOW)).isZero();
  }

  @Test
  void nothingAppliedWithRecordsPendingIsTheTimeSinceTheLastCommit() {
    assertThat(LagReporter.lagMillis(stats(10, NOW.minusSeconds(12), 900), 10, 250, STARTED, NOW))
        .isEqualTo(12_000);
    assertThat(LagReporter.lagMillis(stats(10, NOW.minusSeconds(12)), 10, Double.NaN, STARTED, NOW))
        .as("consumer lag not known yet").isEqualTo(12_000);
  }

  @Test
  void aSinkThatNeverCommittedCountsFromTheReportersStart() {
    assertThat(LagReporter.lagMillis(stats(0, null), -1, 5, STARTED, NOW)).isEqualTo(60_000);
    assertThat(List.of(LagReporter.lagMillis(stats(0, null), -1, 0, STARTED, NOW))).containsExactly(0L);
  }
}
