package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SinkStatsTest {
  @Test
  void snapshotsAreConsistentAndBounded() {
    StatsRecorder recorder = new StatsRecorder();
    assertThat(recorder.snapshot().lagPercentile(50)).isEmpty();
    assertThat(recorder.snapshot().entity("customer")).isEqualTo(new SinkStats.EntityStats(0, 0, 0, 0, 0));

    recorder.add("customer", 5, 1, 2, 3, 1);
    recorder.add("customer", 1, 0, 0, 0, 1);
    for (int ms = 1; ms <= 2000; ms++) {
      recorder.lag(Duration.ofMillis(ms));
    }
    recorder.committed(13, Instant.EPOCH);
    recorder.retried();
    SinkStats stats = recorder.snapshot();

    assertThat(stats.entity("customer")).isEqualTo(new SinkStats.EntityStats(6, 1, 2, 3, 2));
    assertThat(stats.dlqCount()).isEqualTo(2);
    assertThat(stats.records()).isEqualTo(13);
    assertThat(stats.batches()).isEqualTo(1);
    assertThat(stats.retries()).isEqualTo(1);
    assertThat(stats.lastCommit()).isEqualTo(Instant.EPOCH);
    assertThat(stats.lagSamples()).hasSize(1024).startsWith(Duration.ofMillis(977));
    assertThat(stats.lagPercentile(100)).contains(Duration.ofMillis(2000));
    assertThat(stats.lagPercentile(0)).contains(Duration.ofMillis(977));
    assertThatThrownBy(() -> stats.lagPercentile(101)).isInstanceOf(IllegalArgumentException.class);
  }
}
