package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An initial snapshot that starts again over an interrupted one, on real PostgreSQL 17, Kafka and Debezium: the
 * new snapshot's rows outrank the old ones and the keys legacy deleted in between are deleted, so that the raw
 * topic, applied as the sink applies it (newest position wins, deletes leave a tombstone), equals legacy without
 * any repair.
 */
class SnapshotRestartIT {
  private static final int ROWS = 3_000;
  private static CaptureHarness harness;

  @BeforeAll
  static void start() {
    harness = new CaptureHarness();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void aSnapshotStartedAgainReplacesTheInterruptedOneExactly() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("resnap", "public.customers")) {
      legacy.sql("CREATE TABLE customers (id bigint PRIMARY KEY, name text, status char(1))",
          "ALTER TABLE customers REPLICA IDENTITY FULL",
          "INSERT INTO customers SELECT i, 'C' || i, 'A' FROM generate_series(1, " + ROWS + ") i", "ANALYZE customers");
      String topic = legacy.topic("customers");

      // First run: a slow snapshot with a short queue (what is queued is delivered on close), stopped part way.
      legacy.env.put("LEGACY_MAX_BATCH_SIZE", "50");
      legacy.env.put("LEGACY_MAX_QUEUE_SIZE", "100");
      CaptureEngine first = CaptureEngine.builder(legacy.config()).schemaRegistry(harness.client)
          .snapshotRowsPerSecond(500).build();
      first.start();
      try (first; KafkaConsumer<byte[], byte[]> raw = harness.rawConsumer(topic)) {
        CaptureHarness.take(raw, new ArrayList<>(), ROWS / 5);
      }
      legacy.env.remove("LEGACY_MAX_BATCH_SIZE");
      legacy.env.remove("LEGACY_MAX_QUEUE_SIZE");
      long oldFloor = positions(topic).stream().mapToLong(Long::longValue).max().orElseThrow();
      long oldRecords = endOffset(topic);
      assertThat(oldRecords).as("stopped during the snapshot").isLessThan(ROWS);

      // While nothing runs: updates, deletes and inserts, among the rows the first run produced and beyond.
      legacy.sql("UPDATE customers SET name = 'changed ' || id WHERE id <= 200",
          "DELETE FROM customers WHERE id BETWEEN 201 AND 260",
          "DELETE FROM customers WHERE id BETWEEN 2901 AND 2910",
          "INSERT INTO customers SELECT i, 'N' || i, 'B' FROM generate_series(" + (ROWS + 1) + ", " + (ROWS + 50) + ") i");
      Set<Long> deletedAmongOld = new HashSet<>(ids(topic));
      deletedAmongOld.removeIf(id -> !(id >= 201 && id <= 260) && !(id >= 2901 && id <= 2910));

      try (CaptureEngine second = legacy.start()) {
        await().atMost(Duration.ofSeconds(120)).until(() -> second.sweptDeletes() > 0
            || (deletedAmongOld.isEmpty() && endOffset(topic) >= oldRecords + ROWS + 40));
        await().atMost(Duration.ofSeconds(30)).until(() -> second.sweptDeletes() == deletedAmongOld.size());
        // A change after the sweep is streamed as usual and outranks everything before it.
        legacy.sql("UPDATE customers SET status = 'S' WHERE id = 1", "INSERT INTO customers VALUES (201, 'back', 'A')");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(legacyRows(legacy)));
      }
      assertThat(deletedAmongOld).as("the first run had read some of the deleted rows").isNotEmpty();
      assertThat(positions(topic).stream().mapToLong(Long::longValue).max().orElseThrow())
          .as("the new snapshot outranks the old one").isGreaterThan(oldFloor);

      // A later restart, after the snapshot completed: no new snapshot, no new sweep, the slot kept.
      long records = endOffset(topic);
      String restartLsn = restartLsn(legacy);
      try (CaptureEngine third = legacy.start()) {
        legacy.sql("UPDATE customers SET name = 'third' WHERE id = 2");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(legacyRows(legacy)));
        assertThat(third.sweptDeletes()).isZero();
        assertThat(endOffset(topic)).as("only the one update").isEqualTo(records + 1);
        assertThat(restartLsn(legacy)).isNotNull();
        assertThat(third.snapshotProgress().get("public.customers").done()).isZero();
      }
      assertThat(restartLsn).isNotNull();
    }
  }

  private static Map<Long, String> applied(String topic) {
    return AppliedAsTheSinkApplies.rows(all(topic), after -> after.get("name") + "/" + after.get("status"));
  }

  private static Map<Long, String> legacyRows(CaptureHarness.Legacy legacy) throws SQLException {
    Map<Long, String> rows = new HashMap<>();
    try (Connection connection = legacy.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT id, name, status FROM customers")) {
      while (result.next()) {
        rows.put(result.getLong(1), result.getString(2) + "/" + result.getString(3));
      }
    }
    return rows;
  }

  private static String restartLsn(CaptureHarness.Legacy legacy) throws SQLException {
    try (Connection connection = legacy.connect(); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = '"
            + legacy.slot + "'")) {
      return result.next() ? result.getString(1) : null;
    }
  }

  private static List<ConsumerRecord<Object, Object>> all(String topic) {
    long end = endOffset(topic);
    List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
    try (KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= end;
      });
    }
    records.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
    return records;
  }

  private static List<Long> positions(String topic) {
    return all(topic).stream().map(r -> (Long) ((GenericRecord) r.value()).get("position")).toList();
  }

  private static List<Long> ids(String topic) {
    return all(topic).stream().map(r -> (Long) ((GenericRecord) r.key()).get("id")).toList();
  }

  private static long endOffset(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = harness.rawConsumer(topic)) {
      var partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
