package io.tandem.routing.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Capture's lag rule: silence beyond the heartbeat interval. */
class CaptureLagReporterTest {
  private static final Instant START = Instant.parse("2026-11-21T12:00:00Z");
  private static final Duration HEARTBEAT = Duration.ofSeconds(10);

  @Test
  void batchesOrHeartbeatsOnTimeAreNoLag() {
    assertThat(CaptureLagReporter.lagMillis(Optional.of(START.plusSeconds(30)), START, HEARTBEAT,
        START.plusSeconds(40))).isZero();
    // The heartbeat interval and the slack are allowed, not a millisecond more.
    assertThat(CaptureLagReporter.lagMillis(Optional.of(START.plusSeconds(30)), START, HEARTBEAT,
        START.plusSeconds(41))).isZero();
    assertThat(CaptureLagReporter.lagMillis(Optional.of(START.plusSeconds(30)), START, HEARTBEAT,
        START.plusSeconds(41).plusMillis(1))).isEqualTo(1);
  }

  @Test
  void aSilentCaptureLagsByItsSilenceBeyondTheHeartbeat() {
    assertThat(CaptureLagReporter.lagMillis(Optional.of(START.plusSeconds(5)), START, HEARTBEAT,
        START.plusSeconds(41))).isEqualTo(25_000);
  }

  @Test
  void beforeTheFirstBatchTheSilenceCountsFromTheReportersStart() {
    assertThat(CaptureLagReporter.lagMillis(Optional.empty(), START, HEARTBEAT, START.plusSeconds(5))).isZero();
    assertThat(CaptureLagReporter.lagMillis(Optional.empty(), START, HEARTBEAT, START.plusSeconds(20)))
        .isEqualTo(9_000);
    // A batch from before the reporter started does not make the capture look silent for longer.
    assertThat(CaptureLagReporter.lagMillis(Optional.of(START.minusSeconds(60)), START, HEARTBEAT,
        START.plusSeconds(20))).isEqualTo(9_000);
  }

  @Test
  void withoutHeartbeatsSilenceMeansNothingSoThereIsNoReporter() {
    assertThatThrownBy(() -> new CaptureLagReporter(Optional::empty, Duration.ZERO, List.of("customer"), null,
        Clock.systemUTC(), Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat.interval.ms=0");
  }
}
