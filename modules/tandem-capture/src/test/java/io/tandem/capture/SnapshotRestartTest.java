package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class SnapshotRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anOffsetWrittenDuringAnUnfinishedSnapshotMeansTheSnapshotStartsAgain() throws Exception {
    // As Debezium 3.6's PostgresOffsetContext writes them.
    assertThat(SnapshotRestart.snapshotRunning(JSON.readTree(
        "{\"last_snapshot_record\":false,\"lsn\":24166432,\"txId\":775,\"ts_usec\":1,\"snapshot\":\"INITIAL\","
            + "\"snapshot_completed\":false}"))).isTrue();
    assertThat(SnapshotRestart.snapshotRunning(JSON.readTree(
        "{\"last_snapshot_record\":true,\"lsn\":24166432,\"snapshot\":\"INITIAL\",\"snapshot_completed\":true}")))
        .as("the snapshot's last record: complete").isFalse();
    assertThat(SnapshotRestart.snapshotRunning(JSON.readTree(
        "{\"lsn_proc\":24170000,\"lsn\":24170000,\"txId\":780,\"ts_usec\":2}"))).as("streaming").isFalse();
    assertThat(SnapshotRestart.snapshotRunning(JSON.readTree("{\"snapshot\":true}")))
        .as("an older Debezium's boolean").isTrue();
    assertThat(SnapshotRestart.snapshotRunning(JSON.readTree("{\"snapshot\":false,\"lsn\":1}"))).isFalse();
  }

  @Test
  void theSweepMarkerKeepsEveryPartitionsEndOffset() {
    SnapshotRestart.SweepMarker marker = new SnapshotRestart.SweepMarker(Map.of(
        new TopicPartition("legacy.shop.public.customers", 0), 120L,
        new TopicPartition("legacy.shop.public.customers", 1), 98L,
        new TopicPartition("legacy.shop.public.orders", 0), 0L), Instant.parse("2026-12-06T03:00:00Z"));
    assertThat(SnapshotRestart.SweepMarker.of(marker.json())).isEqualTo(marker);
  }

  @Test
  void offsetKeysAreTheArraysConnectWrites() {
    assertThat(OffsetsTopic.key("legacy-postgres", "legacy.shop").toString())
        .isEqualTo("[\"legacy-postgres\",{\"server\":\"legacy.shop\"}]");
  }
}
