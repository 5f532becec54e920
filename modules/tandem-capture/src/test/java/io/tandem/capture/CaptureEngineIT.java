package io.tandem.capture;

import io.tandem.core.lifecycle.State;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tandem.core.config.ConfigException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The capture engine against real PostgreSQL 17, Kafka and a Kafka-backed schema registry. */
class CaptureEngineIT {
  private static final String CUSTOMERS = """
      CREATE TABLE customers (
        id bigint PRIMARY KEY, name text, email text, balance numeric(12,2), status char(1),
        created_at timestamp, updated_at timestamptz, birthday date);
      ALTER TABLE customers REPLICA IDENTITY FULL""";

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
  void snapshotsExistingRowsWithTypedColumns() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("snap", "public.customers")) {
      legacy.sql(CUSTOMERS,
          "INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com', 12.30, 'A', '2024-03-01 10:15:30.123456',"
              + " '2024-03-01 10:15:30.5+02', '1990-12-10')",
          "INSERT INTO customers VALUES (2, 'Grace', NULL, 0.05, 'B', '1999-12-31 23:59:59', '2024-01-01 00:00:00+00',"
              + " '1906-12-09')",
          "INSERT INTO customers (id) VALUES (3)",
          "ANALYZE customers");
      String topic = legacy.topic("customers");

      try (CaptureEngine engine = legacy.start(); KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
        List<ConsumerRecord<Object, Object>> records = CaptureHarness.take(consumer, new ArrayList<>(), 3);

        Map<Long, GenericRecord> byId = new HashMap<>();
        for (ConsumerRecord<Object, Object> record : records) {
          GenericRecord key = (GenericRecord) record.key();
          GenericRecord value = (GenericRecord) record.value();
          assertThat(key.getSchema().getFullName()).isEqualTo(topic + ".Key");
          assertThat(text(value, "op")).isEqualTo("r");
          assertThat(value.get("snapshot")).isEqualTo(true);
          assertThat(value.get("before")).isNull();
          assertThat(text(value, "source")).isEqualTo(legacy.db + ".public.customers");
          assertThat((Long) value.get("position")).isPositive();
          assertThat((Instant) value.get("commit_ts")).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
          byId.put((Long) key.get("id"), (GenericRecord) value.get("after"));
        }
        assertThat(byId).containsOnlyKeys(1L, 2L, 3L);

        GenericRecord ada = byId.get(1L);
        assertThat(ada.get("id")).isEqualTo(1L);
        assertThat(text(ada, "name")).isEqualTo("Ada");
        assertThat(text(ada, "email")).isEqualTo("ada@example.com");
        assertThat(text(ada, "balance")).isEqualTo("12.30");
        assertThat(text(ada, "status")).isEqualTo("A");
        assertThat(ada.get("created_at")).isEqualTo(LocalDateTime.parse("2024-03-01T10:15:30.123456"));
        assertThat(OffsetDateTime.parse(text(ada, "updated_at")).toInstant())
            .isEqualTo(Instant.parse("2024-03-01T08:15:30.500Z"));
        assertThat(ada.get("birthday")).isEqualTo(LocalDate.of(1990, 12, 10));
        assertThat(text(byId.get(2L), "balance")).isEqualTo("0.05");
        assertThat(byId.get(2L).get("birthday")).isEqualTo(LocalDate.of(1906, 12, 9));
        GenericRecord empty = byId.get(3L);
        for (String column : List.of("name", "email", "balance", "status", "created_at", "updated_at", "birthday")) {
          assertThat(empty.get(column)).as(column).isNull();
        }

        Schema row = harness.client.schemaById(harness.client.latest(topic + "-value").id())
            .getField("after").schema().getTypes().get(1);
        assertThat(row.getFullName()).isEqualTo(topic + ".Row");
        assertThat(row.getField("id").schema().getType()).isEqualTo(Schema.Type.LONG);
        assertThat(type(row, "balance")).isEqualTo("string");
        assertThat(type(row, "status")).isEqualTo("string");
        assertThat(type(row, "created_at")).isEqualTo("long/local-timestamp-micros");
        assertThat(type(row, "updated_at")).isEqualTo("string");
        assertThat(type(row, "birthday")).isEqualTo("int/date");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(engine.snapshotProgress()).containsEntry("public.customers",
                new SnapshotProgress("public.customers", 3, 3, true)));
        CaptureStats stats = engine.stats();
        assertThat(stats.eventsByTable()).containsEntry("public.customers", 3L);
        assertThat(stats.deadLettered()).isZero();
        assertThat(stats.lastPosition()).isPresent();
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  @Test
  void theSnapshotReadBudgetHoldsTheSnapshotToItsRateAndShowsInItsMeters() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("budget", "public.customers")) {
      legacy.sql(CUSTOMERS, "INSERT INTO customers (id, name) SELECT i, 'C' || i FROM generate_series(1, 3000) i",
          "ANALYZE customers");
      String topic = legacy.topic("customers");
      var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      CaptureEngine engine = CaptureEngine.builder(legacy.config()).schemaRegistry(harness.client)
          .snapshotRowsPerSecond(1000).build();
      engine.bindTo(meters);
      long start = System.nanoTime();
      engine.start();
      try (engine; KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
        CaptureHarness.take(consumer, new ArrayList<>(), 3000);
        double seconds = (System.nanoTime() - start) / 1e9;

        // 3,000 rows at 1,000/s, one second's worth free: at least 2 s of waiting (unthrottled: none).
        assertThat(seconds).isGreaterThan(2.0);
        assertThat(meters.get("tandem.snapshot.throttle.seconds").functionCounter().count()).isGreaterThan(1.5);
        assertThat(meters.get("tandem.snapshot.read.budget.rows.per.second").gauge().value()).isEqualTo(1000.0);
      }
    }
  }

  @Test
  void streamsInsertsUpdatesAndDeletesAfterTheSnapshot() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("stream", "public.customers")) {
      legacy.sql(CUSTOMERS, "INSERT INTO customers (id, name, status) VALUES (1, 'Ada', 'A')");
      String topic = legacy.topic("customers");

      try (CaptureEngine engine = legacy.start(); KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureHarness.take(consumer, seen, 1);
        legacy.sql(
            "INSERT INTO customers (id, name, balance) VALUES (10, 'New', 1.00)",
            "UPDATE customers SET name = 'Newer', balance = 2.50 WHERE id = 10",
            "UPDATE customers SET status = 'X' WHERE id = 1",
            "DELETE FROM customers WHERE id = 10");
        List<ConsumerRecord<Object, Object>> records = CaptureHarness.take(consumer, seen, 5);

        Map<Long, List<GenericRecord>> byKey = new HashMap<>();
        for (ConsumerRecord<Object, Object> record : records) {
          byKey.computeIfAbsent((Long) ((GenericRecord) record.key()).get("id"), k -> new ArrayList<>())
              .add((GenericRecord) record.value());
        }
        assertThat(byKey.get(1L)).extracting(v -> text(v, "op")).containsExactly("r", "u");
        assertThat(byKey.get(10L)).extracting(v -> text(v, "op")).containsExactly("c", "u", "d");

        GenericRecord insert = byKey.get(10L).get(0);
        GenericRecord update = byKey.get(10L).get(1);
        GenericRecord delete = byKey.get(10L).get(2);
        assertThat(insert.get("before")).isNull();
        assertThat(text((GenericRecord) insert.get("after"), "balance")).isEqualTo("1.00");
        assertThat(text((GenericRecord) update.get("before"), "name")).isEqualTo("New");
        assertThat(text((GenericRecord) update.get("after"), "name")).isEqualTo("Newer");
        assertThat(text((GenericRecord) update.get("after"), "balance")).isEqualTo("2.50");
        assertThat(text((GenericRecord) delete.get("before"), "name")).isEqualTo("Newer");
        assertThat(delete.get("after")).isNull();
        assertThat(text((GenericRecord) byKey.get(1L).get(1).get("before"), "status")).isEqualTo("A");
        for (GenericRecord change : List.of(insert, update, delete, byKey.get(1L).get(1))) {
          assertThat(change.get("snapshot")).isEqualTo(false);
          assertThat(change.get("tx_id")).isNotNull();
          assertThat(change.get("commit_ts")).isNotNull();
        }
        for (List<GenericRecord> changes : byKey.values()) {
          List<Long> positions = changes.stream().map(v -> (Long) v.get("position")).toList();
          assertThat(positions).as("positions per key").isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(engine.stats().eventsByTable()).containsEntry("public.customers", 5L);
          assertThat(engine.snapshotProgress().get("public.customers").finished()).isTrue();
        });
      }
    }
  }

  @Test
  void restartResumesFromKafkaOffsetsWithoutAnotherSnapshot() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("restart", "public.customers")) {
      legacy.sql(CUSTOMERS, "INSERT INTO customers (id, name) VALUES (1, 'Ada'), (2, 'Grace')");
      String topic = legacy.topic("customers");

      try (KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureEngine first = legacy.start();
        CaptureHarness.take(consumer, seen, 2);
        legacy.sql("INSERT INTO customers (id, name) VALUES (3, 'Barbara')");
        CaptureHarness.take(consumer, seen, 3);
        first.close();
        assertThat(first.state()).isEqualTo(State.STOPPED);
        String offsetKey = "[\"legacy-postgres\",{\"server\":\"legacy." + legacy.db + "\"}]";
        try (KafkaConsumer<byte[], byte[]> offsets = harness.rawConsumer(legacy.env.get("TANDEM_OFFSET_TOPIC"))) {
          List<ConsumerRecord<byte[], byte[]>> stored = CaptureHarness.take(offsets, new ArrayList<>(), 1);
          assertThat(stored).anySatisfy(r -> {
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(offsetKey);
            assertThat(new String(r.value(), StandardCharsets.UTF_8)).contains("\"lsn\"");
          });
        }

        legacy.sql("INSERT INTO customers (id, name) VALUES (4, 'Frances')",
            "UPDATE customers SET name = 'Ada L.' WHERE id = 1");

        try (CaptureEngine second = legacy.start()) {
          await().atMost(Duration.ofSeconds(60)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return seen.stream().anyMatch(r -> isUpdateOf(r, 1L));
          });
          assertThat(seen).anyMatch(r -> op(r).equals("c") && id(r) == 4L);
          assertThat(seen.stream().filter(r -> op(r).equals("r")).map(CaptureEngineIT::id))
              .as("snapshot rows, only from the first run").containsExactlyInAnyOrder(1L, 2L);
          await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(second.stats().eventsByTable().get("public.customers")).isGreaterThanOrEqualTo(2L);
            assertThat(second.snapshotProgress().get("public.customers"))
                .isEqualTo(new SnapshotProgress("public.customers", 0, SnapshotProgress.UNKNOWN, true));
          });
        }
      }
    }
  }

  @Test
  void unconvertibleChangesGoToTheDeadLetterTopicAndCaptureGoesOn() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("dlq", "public.customers,public.odd")) {
      // Two columns that Avro would both have to call a_b: no raw-topic form.
      legacy.sql(CUSTOMERS, "CREATE TABLE odd (id int PRIMARY KEY, \"a-b\" int, a_b int)",
          "INSERT INTO odd VALUES (7, 1, 2)");
      String topic = legacy.topic("customers");
      String oddTopic = legacy.topic("odd");

      // Named as reverse sync names its capture of the new database: dead letters carry the engine's name.
      CaptureEngine named = CaptureEngine.builder(legacy.config()).schemaRegistry(harness.client).name("capture-new")
          .build();
      named.start();
      try (CaptureEngine engine = named;
          KafkaConsumer<byte[], byte[]> dlq = harness.rawConsumer(CaptureEngine.DEAD_LETTER_TOPIC);
          KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          dlq.poll(Duration.ofMillis(200)).forEach(r -> {
            if (oddTopic.equals(header(r, "tandem.dlq.source.topic"))) {
              letters.add(r);
            }
          });
          return !letters.isEmpty();
        });
        ConsumerRecord<byte[], byte[]> letter = letters.get(0);
        assertThat(header(letter, "tandem.dlq.reason")).contains("a_b");
        assertThat(header(letter, "tandem.dlq.stage")).isEqualTo("capture-new");
        assertThat(header(letter, "tandem.dlq.exception")).isEqualTo(ConversionException.class.getName());
        assertThat(letter.headers().lastHeader("tandem.position").value()).hasSize(Long.BYTES);
        assertThat(ByteBuffer.wrap(letter.headers().lastHeader("tandem.position").value()).getLong()).isPositive();
        assertThat(new String(letter.value(), StandardCharsets.UTF_8)).contains("\"a-b\":1", "\"op\":\"r\"");
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).contains("\"id\":7");

        legacy.sql("INSERT INTO customers (id, name) VALUES (1, 'after the dead letter')");
        List<ConsumerRecord<Object, Object>> delivered = CaptureHarness.take(consumer, new ArrayList<>(), 1);
        assertThat(op(delivered.get(0))).isEqualTo("c");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(engine.stats().deadLettered()).isEqualTo(1);
          assertThat(engine.stats().eventsByTable()).containsEntry("public.customers", 1L);
        });
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  @Test
  void transactionsMarkedByATandemSinkAreNotProducedAndFenceMarkersFollowEverythingBeforeThem() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("echo", "public.customers")) {
      legacy.sql(CUSTOMERS,
          "CREATE TABLE tandem_origin (writer text PRIMARY KEY, transactions bigint NOT NULL DEFAULT 0,"
              + " updated_at timestamptz NOT NULL DEFAULT now())",
          "CREATE TABLE tandem_write_fence (entity text, cohort text, writable boolean NOT NULL, switch_id text,"
              + " updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (entity, cohort))",
          "ALTER TABLE tandem_origin REPLICA IDENTITY FULL", "ALTER TABLE tandem_write_fence REPLICA IDENTITY FULL",
          // Read by the snapshot: a snapshot read of the origin table must not mark the snapshot's transaction.
          "INSERT INTO tandem_origin (writer) VALUES ('reverse')",
          "INSERT INTO customers (id, name) VALUES (1, 'Ada')");
      String topic = legacy.topic("customers");

      try (CaptureEngine engine = legacy.start(); KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic);
          KafkaConsumer<Object, Object> fences = harness.avroConsumer(legacy.topic("tandem_write_fence"))) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureHarness.take(consumer, seen, 1);
        legacy.sql("INSERT INTO customers (id, name) VALUES (10, 'application')");
        try (Connection sink = legacy.connect(); Statement statement = sink.createStatement()) {
          sink.setAutoCommit(false);
          // What JdbcSink does first in each of its transactions (JdbcSink.markOrigin).
          statement.execute("INSERT INTO tandem_origin AS o (writer, transactions) VALUES ('reverse', 1)"
              + " ON CONFLICT (writer) DO UPDATE SET transactions = o.transactions + 1");
          statement.execute("INSERT INTO customers (id, name) VALUES (20, 'synced by tandem')");
          statement.execute("UPDATE customers SET name = 'synced too' WHERE id = 1");
          sink.commit();
        }
        legacy.sql("INSERT INTO customers (id, name) VALUES (30, 'application again')",
            "INSERT INTO tandem_write_fence (entity, cohort, writable, switch_id) VALUES ('customer', 'pilot', false, 's1')");

        CaptureHarness.take(fences, new ArrayList<>(), 1);
        // The marker is in Kafka, so is everything committed before it: read to the end now, no waiting.
        try (KafkaConsumer<Object, Object> all = harness.avroConsumer(topic)) {
          List<ConsumerRecord<Object, Object>> records = CaptureHarness.take(all, new ArrayList<>(), 3);
          records.addAll(pollBriefly(all));
          assertThat(records).extracting(r -> ((GenericRecord) r.key()).get("id")).containsExactly(1L, 10L, 30L);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          CaptureStats stats = engine.stats();
          assertThat(stats.echoSuppressed()).isEqualTo(2);
          assertThat(stats.eventsByTable()).containsEntry("public.customers", 3L)
              .containsEntry("public.tandem_write_fence", 1L).doesNotContainKey("public.tandem_origin");
        });
        assertThat(engine.snapshotProgress()).doesNotContainKeys("public.tandem_origin", "public.tandem_write_fence");
      }
    }
  }

  private static List<ConsumerRecord<Object, Object>> pollBriefly(KafkaConsumer<Object, Object> consumer) {
    List<ConsumerRecord<Object, Object>> more = new ArrayList<>();
    consumer.poll(Duration.ofSeconds(2)).forEach(more::add);
    return more;
  }

  @Test
  void replicaIdentitiesThatWouldLoseChangesOrBreakLegacyWritesAreRefused() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("identity", "public.notes,public.counters,public.keyless")) {
      legacy.sql("CREATE TABLE notes (id int PRIMARY KEY, body text)",
          "CREATE TABLE counters (id int PRIMARY KEY, n int, at timestamptz)",
          "CREATE TABLE keyless (n int)",
          "INSERT INTO notes VALUES (1, 'a long story')", "INSERT INTO keyless VALUES (1)");

      // No identity at all: in the publication, the legacy application's UPDATE and DELETE would fail.
      CaptureEngine keyless = legacy.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> keyless.state() == State.FAILED);
      assertThat(keyless.failure()).hasValueSatisfying(e -> assertThat(e.getMessage())
          .contains("without a replica identity: [public.keyless]", "REPLICA IDENTITY FULL", "table.include.list")
          .doesNotContain("public.counters"));
      legacy.sql("UPDATE keyless SET n = 2", "ALTER TABLE keyless REPLICA IDENTITY FULL");

      // A TOASTable column without FULL: an update leaving it unchanged would carry a placeholder.
      CaptureEngine refused = legacy.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> refused.state() == State.FAILED);
      assertThat(refused.failure()).hasValueSatisfying(e -> assertThat(e.getMessage())
          .contains("without REPLICA IDENTITY FULL: [public.notes]", "__debezium_unavailable_value",
              "tandem.replica.identity.check=warn", "legacy-postgres.properties")
          .doesNotContain("public.counters").doesNotContain("public.keyless"));

      // Opted out: capture starts, and the table with only fixed-size columns was never a problem.
      legacy.env.put("LEGACY_REPLICA_IDENTITY_CHECK", "warn");
      try (CaptureEngine warned = legacy.start();
          KafkaConsumer<Object, Object> consumer = harness.avroConsumer(legacy.topic("notes"))) {
        List<ConsumerRecord<Object, Object>> rows = CaptureHarness.take(consumer, new ArrayList<>(), 1);
        assertThat(text((GenericRecord) ((GenericRecord) rows.get(0).value()).get("after"), "body")).isEqualTo("a long story");
        assertThat(warned.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  @Test
  void heartbeatsKeepTheLastBatchRecentWhileTheCapturedTablesAreQuiet() {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("alive", "public.accounts")) {
      legacy.env.put("LEGACY_HEARTBEAT_MS", "500");
      legacy.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, n int)", "INSERT INTO accounts VALUES (1, 1)");
      try (CaptureEngine engine = legacy.start()) {
        assertThat(engine.heartbeatInterval()).isEqualTo(Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.stats().events() == 1);
        Instant afterSnapshot = engine.lastBatchAt().orElseThrow();
        // Nothing changes: only Debezium's heartbeats can move it (the liveness capture reports to the gates).
        await().atMost(Duration.ofSeconds(20))
            .until(() -> engine.lastBatchAt().orElseThrow().isAfter(afterSnapshot.plusSeconds(3)));
        assertThat(engine.stats().events()).isEqualTo(1);
      }
    }
  }

  @Test
  void badConnectorFileNamesFileKeyAndVariableButNeverThePassword() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_NAME", "shop");
    env.put("LEGACY_DB_USER", "capture");
    env.put("LEGACY_DB_PASSWORD", "Sup3r-Secret!");

    assertThatThrownBy(() -> ConnectorConfig.load(Fixtures.connectorFile(), env))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo(Fixtures.connectorFile().toString());
          assertThat(e.key()).isEqualTo("bootstrap.servers");
          assertThat(e.getMessage()).contains("legacy-postgres.properties", "bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS")
              .doesNotContain("Sup3r-Secret!");
        });

    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
    ConnectorConfig config = ConnectorConfig.load(Fixtures.connectorFile(), env);
    CaptureEngine engine = CaptureEngine.builder(config).schemaRegistry(harness.client).build();
    assertThat(config.toString()).doesNotContain("Sup3r-Secret!");
    assertThat(engine.toString()).doesNotContain("Sup3r-Secret!");
    engine.close();
    assertThat(engine.state()).isEqualTo(State.STOPPED);
  }

  @Test
  void unreachableDatabaseFailsTheEngineWithTheReason() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_PORT", "1");
    env.put("LEGACY_DB_NAME", "nowhere");
    env.put("LEGACY_DB_USER", "capture");
    env.put("LEGACY_DB_PASSWORD", "Sup3r-Secret!");
    env.put("KAFKA_BOOTSTRAP_SERVERS", harness.kafka.bootstrapServers());
    env.put("TANDEM_OFFSET_TOPIC", "offsets_nowhere");
    CaptureEngine engine = CaptureEngine.builder(ConnectorConfig.load(Fixtures.connectorFile(), env))
        .schemaRegistry(harness.client).build();
    engine.start();

    await().atMost(Duration.ofSeconds(30)).until(() -> engine.state() == State.FAILED);
    assertThat(engine.failure()).hasValueSatisfying(e ->
        assertThat(e.getMessage()).contains("127.0.0.1:1").doesNotContain("Sup3r-Secret!"));
    engine.close();
    assertThat(engine.state()).isEqualTo(State.FAILED);
    await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.getName().equals("tandem-capture")));
  }

  private static String type(Schema record, String field) {
    Schema schema = record.getField(field).schema();
    Schema nonNull = schema.getType() == Schema.Type.UNION ? schema.getTypes().get(1) : schema;
    return nonNull.getType().getName() + (nonNull.getLogicalType() == null ? "" : "/" + nonNull.getLogicalType().getName());
  }

  private static String op(ConsumerRecord<Object, Object> record) {
    return text((GenericRecord) record.value(), "op");
  }

  // Avro hands strings back as Utf8.
  private static String text(GenericRecord record, String field) {
    Object value = record.get(field);
    return value == null ? null : value.toString();
  }

  private static long id(ConsumerRecord<Object, Object> record) {
    return (Long) ((GenericRecord) record.key()).get("id");
  }

  private static boolean isUpdateOf(ConsumerRecord<Object, Object> record, long id) {
    return op(record).equals("u") && id(record) == id;
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  /**
   * A transaction that starts while the replication slot is being created and commits after the slot became
   * consistent is decoded in full, so its changes are streamed, yet they were written at LSNs below the slot's
   * consistent point, which is where the snapshot is taken. The snapshot row must not outrank them.
   */
  @Test
  void aChangeInFlightWhileTheSlotBecomesConsistentOutranksTheSnapshotRow() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("inflight", "public.accounts")) {
      legacy.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, balance int NOT NULL)",
          "ALTER TABLE accounts REPLICA IDENTITY FULL",
          "INSERT INTO accounts VALUES (1, 0)",
          "CREATE TABLE noise (id serial PRIMARY KEY)");
      String topic = legacy.topic("accounts");

      try (Connection t0 = legacy.connect(); Connection t1 = legacy.connect(); Connection t2 = legacy.connect();
          Connection observer = legacy.connect()) {
        // T0 is running when the slot starts building its snapshot: creation waits for it.
        String t0Xid = beginWithXid(t0);
        try (CaptureEngine engine = legacy.start();
            KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
          awaitWalSenderWaitingFor(observer, t0Xid);
          // T1 starts before T0 ends, so the running-transactions record logged when T0 ends lists it:
          // the slot then has a full snapshot but is not consistent until T1 ends.
          String t1Xid = beginWithXid(t1);
          t0.commit();
          awaitWalSenderWaitingFor(observer, t1Xid);
          // T2 starts now: it will be decoded in full. It changes the row, then T1 ends and the slot becomes
          // consistent with T2 still running, so the snapshot does not see T2's change.
          beginWithXid(t2);
          try (Statement statement = t2.createStatement()) {
            statement.executeUpdate("UPDATE accounts SET balance = 100 WHERE id = 1");
          }
          long t2ChangeBelow = lsn(t2, "SELECT pg_current_wal_insert_lsn()");
          t1.commit();

          List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
          CaptureHarness.take(consumer, seen, 1);
          GenericRecord snapshotRow = (GenericRecord) seen.get(0).value();
          assertThat(snapshotRow.get("op").toString()).isEqualTo("r");
          assertThat(((GenericRecord) snapshotRow.get("after")).get("balance")).isEqualTo(0);
          long consistentPoint = lsn(observer, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '"
              + legacy.slot + "'");
          assertThat(t2ChangeBelow).as("the scenario: T2's change lies below the slot's consistent point")
              .isLessThan(consistentPoint);

          t2.commit();
          CaptureHarness.take(consumer, seen, 2);
          GenericRecord update = (GenericRecord) seen.get(1).value();
          assertThat(update.get("op").toString()).isEqualTo("u");
          assertThat(((GenericRecord) update.get("after")).get("balance")).isEqualTo(100);
          // The sink applies a change only above the stored position: T2's update must be above the snapshot's.
          assertThat((Long) update.get("position")).isGreaterThan((Long) snapshotRow.get("position"));
          assertThat(engine.stats().deadLettered()).isZero();
        }
      }
    }
  }

  private static String beginWithXid(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_current_xact_id()::text")) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** Slot creation waits on each running transaction's lock before it logs the next running-transactions record. */
  private static void awaitWalSenderWaitingFor(Connection observer, String xid) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      try (Statement statement = observer.createStatement(); ResultSet rows = statement.executeQuery(
          "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE l.locktype = 'transactionid' AND NOT l.granted AND a.backend_type = 'walsender'"
              + " AND l.transactionid::text = '" + xid + "'")) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    });
  }

  private static long lsn(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT (" + query + ") - '0/0'::pg_lsn")) {
      rows.next();
      return rows.getBigDecimal(1).longValueExact();
    }
  }
}
