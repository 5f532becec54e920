package io.tandem.routing.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class StageProgressReporterTest {
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T03:00:00Z"));
  private final Clock clock = new Clock() {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  };

  @Test
  void ratesAndEtasComeFromTheLastInterval() {
    AtomicLong records = new AtomicLong(100);
    AtomicLong done = new AtomicLong(0);
    AtomicLong backlog = new AtomicLong(-1);
    StageProgressReporter reporter = new StageProgressReporter("capture", records::get, backlog::get,
        () -> List.of(new StageProgressReporter.Table("public.customers", done.get(), 1000, false),
            new StageProgressReporter.Table("public.orders", 5, -1, false),
            new StageProgressReporter.Table("public.addresses", 40, 40, true)),
        () -> null, clock, Duration.ofSeconds(5));

    StatusRecord.StageProgress first = reporter.report();
    assertThat(first.records()).isEqualTo(100);
    assertThat(first.perSecond()).as("no interval yet").isZero();
    assertThat(first.snapshot().get(0).etaSeconds()).as("no rate yet").isEqualTo(-1);
    assertThat(first.snapshot().get(2).etaSeconds()).as("finished").isZero();

    now.set(now.get().plusSeconds(5));
    records.set(600);
    done.set(250);
    backlog.set(7);
    StatusRecord.StageProgress second = reporter.report();
    assertThat(first.backlog()).isEqualTo(-1);
    assertThat(second.backlog()).isEqualTo(7);
    assertThat(second.perSecond()).isEqualTo(100.0);
    assertThat(second.snapshot().get(0).etaSeconds()).as("750 rows left at 50 rows/s").isEqualTo(15);
    assertThat(second.snapshot().get(1).etaSeconds()).as("no estimate: no ETA").isEqualTo(-1);
    assertThat(second.key()).isEqualTo(StatusRecord.progressKey("capture", reporter.instance()));

    now.set(now.get().plusSeconds(5));
    StatusRecord.StageProgress stalled = reporter.report();
    assertThat(stalled.perSecond()).isZero();
    assertThat(stalled.snapshot().get(0).etaSeconds()).as("no progress in the interval: unknown").isEqualTo(-1);
  }

  @Test
  void eachStartOfAStageInAProcessIsItsOwnInstance() {
    StageProgressReporter a = new StageProgressReporter("sink", () -> 0, List::of, () -> null, clock,
        Duration.ofSeconds(5));
    StageProgressReporter b = new StageProgressReporter("sink", () -> 0, List::of, () -> null, clock,
        Duration.ofSeconds(5));
    assertThat(a.instance()).isNotEqualTo(b.instance()).contains("/" + ProcessHandle.current().pid() + "/");
  }
}
