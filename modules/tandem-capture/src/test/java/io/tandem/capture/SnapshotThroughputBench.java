package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Snapshot throughput end to end: a {@code customers} table in PostgreSQL to Avro records
 * acknowledged by Kafka. Not part of the suite (its name matches neither *Test nor *IT); run it with
 *
 * <pre>
 * ./mvnw -B -o verify -pl modules/tandem-capture -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SnapshotThroughputBench [-Dbench.rows=200000] [-Dbench.batch=4096] [-Dbench.queue=16384]
 * </pre>
 */
class SnapshotThroughputBench {
  private static final int ROWS = Integer.getInteger("bench.rows", 200_000);

  @Test
  void snapshotThroughput() throws Exception {
    try (CaptureHarness harness = new CaptureHarness();
        CaptureHarness.Legacy legacy = harness.new Legacy("bench", "public.customers")) {
      legacy.env.put("LEGACY_MAX_BATCH_SIZE", System.getProperty("bench.batch", "4096"));
      legacy.env.put("LEGACY_MAX_QUEUE_SIZE", System.getProperty("bench.queue", "16384"));
      legacy.sql("""
          CREATE TABLE customers (
            id bigint PRIMARY KEY, name text, email text, balance numeric(12,2), status char(1),
            created_at timestamp, updated_at timestamptz, birthday date)""",
          "ALTER TABLE customers REPLICA IDENTITY FULL",
          "INSERT INTO customers SELECT g, 'Customer ' || g, 'customer' || g || '@example.com', (g % 100000) / 100.0,"
              + " CASE WHEN g % 3 = 0 THEN 'A' ELSE 'B' END, timestamp '2020-01-01' + g * interval '1 second',"
              + " now() - g * interval '1 minute', date '1950-01-01' + (g % 20000) FROM generate_series(1, " + ROWS + ") g",
          "ANALYZE customers");

      long started = System.nanoTime();
      try (CaptureEngine engine = legacy.start()) {
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> engine.stats().events() > 0);
        long firstDelivered = System.nanoTime();
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
          SnapshotProgress progress = engine.snapshotProgress().get("public.customers");
          return progress != null && progress.finished() && progress.done() == ROWS;
        });
        long done = System.nanoTime();

        TopicPartition partition = new TopicPartition(legacy.topic("customers"), 0);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.kafka.bootstrapServers()))) {
          long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get().get(partition).offset();
          assertThat(end).isEqualTo(ROWS);
        }
        double total = (done - started) / 1e9;
        double steady = (done - firstDelivered) / 1e9;
        System.out.printf("SNAPSHOT %d rows: %.2f s from engine start (%.0f rows/s), %.2f s from first delivered"
            + " record (%.0f rows/s); max.batch.size=%s max.queue.size=%s%n", ROWS, total, ROWS / total, steady,
            ROWS / steady, legacy.env.get("LEGACY_MAX_BATCH_SIZE"), legacy.env.get("LEGACY_MAX_QUEUE_SIZE"));
        assertThat(engine.stats().deadLettered()).isZero();
        List.of(engine.stats()).forEach(s -> System.out.println("STATS " + s));
      }
    }
  }
}
