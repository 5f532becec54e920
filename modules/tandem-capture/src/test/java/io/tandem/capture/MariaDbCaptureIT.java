package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tandem.core.lifecycle.State;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Capture from a legacy MariaDB (the machine's server at 127.0.0.1:3306, binlog turned on by .ci/run) into the
 * raw topics, with a real KRaft broker and registry: snapshot then binlog, positions that order every change as
 * the sink must apply it, offsets and DDL history in Kafka, and a refusal naming the setting when the binlog
 * cannot be captured.
 */
class MariaDbCaptureIT {
  private static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
  private static EmbeddedKafkaBroker kafka;
  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient client;

  @BeforeAll
  static void start() {
    try (Connection ignored = DriverManager.getConnection(URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage()
          + "; .ci/run starts it and turns its binlog on");
    }
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      registry.close();
      kafka.close();
    }
  }

  @Test
  void snapshotThenBinlogIntoTheRawTopicsInTheOrderTheSinkNeeds() throws Exception {
    String db = "tandem_it_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db,
        "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY, name varchar(60), balance decimal(12,2))",
        "INSERT INTO " + db + ".customers VALUES (1, 'Ada', 10.50), (2, 'Grace', 20.00), (3, 'Barbara', 0.01)");
    try {
      ConnectorConfig config = config(db);
      String topic = "legacy." + db + "." + db + ".customers";
      try (CaptureEngine engine = CaptureEngine.builder(config).schemaRegistry(client).build()) {
        engine.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 3);
        // One transaction changing one row twice, inserting two rows in one event; then a delete.
        try (Connection connection = DriverManager.getConnection(URL, "root", "");
            Statement statement = connection.createStatement()) {
          connection.setAutoCommit(false);
          statement.execute("UPDATE " + db + ".customers SET name = 'Ada L.' WHERE id = 1");
          statement.execute("UPDATE " + db + ".customers SET name = 'Ada Lovelace', balance = 11.00 WHERE id = 1");
          statement.execute("INSERT INTO " + db + ".customers VALUES (4, 'Frances', 1.00), (5, 'Margaret', 2.00)");
          connection.commit();
          statement.execute("DELETE FROM " + db + ".customers WHERE id = 2");
          connection.commit();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(rows(db)));
        List<GenericRecord> changes = all(topic).stream().map(r -> (GenericRecord) r.value()).toList();
        assertThat(changes).extracting(c -> c.get("op").toString()).containsExactly("r", "r", "r", "u", "u", "c", "c", "d");
        List<Long> positions = changes.stream().map(c -> (Long) c.get("position")).toList();
        assertThat(positions.subList(3, positions.size())).as("streamed: strictly increasing").isSorted()
            .doesNotHaveDuplicates();
        assertThat(positions.get(3)).as("every streamed change above the snapshot").isGreaterThan(positions.get(0));
        assertThat(changes.get(0).get("snapshot")).isEqualTo(true);
        assertThat(changes.get(0).get("source").toString()).isEqualTo(db + "." + db + ".customers");
        assertThat(((GenericRecord) changes.get(4).get("after")).get("balance").toString()).isEqualTo("11.00");
        assertThat(engine.stats().eventsByTable()).containsEntry(db + ".customers", 8L);
        // Row estimates from information_schema (InnoDB's are approximate; 3 rows read as 3 here), for progress.
        assertThat(engine.snapshotProgress().get(db + ".customers").estimated()).isPositive();
        assertThat(engine.snapshotProgress()).doesNotContainKeys(db + ".tandem_signal", db + ".tandem_origin");
      }

      // A restart resumes from the offsets in Kafka: no second snapshot.
      int before = all(topic).size();
      try (CaptureEngine again = CaptureEngine.builder(config).schemaRegistry(client).build()) {
        again.start();
        sql("UPDATE " + db + ".customers SET name = 'Grace H.' WHERE id = 3");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(rows(db)));
        assertThat(all(topic)).hasSize(before + 1);
      }
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  @Test
  void rowsReadAgainOnRequestOutrankEveryEarlierChangeAndLoseToLaterOnes() throws Exception {
    String db = "tandem_rr_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db,
        "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY, name varchar(60), balance decimal(12,2))",
        RowResnapshot.createTableSql(SourceKind.MARIADB, db + ".tandem_signal"),
        "INSERT INTO " + db + ".customers VALUES (1, 'Ada', 10.50), (2, 'Grace', 20.00), (3, 'it''s', 0.01)");
    try {
      ConnectorConfig config = config(db);
      assertThat(config.signalTable()).contains(db + ".tandem_signal");
      String topic = "legacy." + db + "." + db + ".customers";
      try (CaptureEngine engine = CaptureEngine.builder(config).schemaRegistry(client).build()) {
        engine.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 3);
        sql("UPDATE " + db + ".customers SET name = 'Ada L.' WHERE id = 1");
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 4);
        try (Connection legacy = DriverManager.getConnection(URL + db, "root", "")) {
          List<String> ids = RowResnapshot.request(legacy, db + ".tandem_signal", db + ".customers", List.of("id"),
              List.of(List.of(1L), List.of(3L)));
          assertThat(ids).hasSize(1);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 6);
        sql("UPDATE " + db + ".customers SET name = 'Grace H.' WHERE id = 3");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(rows(db)));
        List<GenericRecord> changes = all(topic).stream().map(r -> (GenericRecord) r.value()).toList();
        assertThat(changes).extracting(c -> c.get("op").toString()).containsExactly("r", "r", "r", "u", "r", "r", "u");
        List<Long> positions = changes.stream().map(c -> (Long) c.get("position")).toList();
        long reRead = positions.get(4);
        assertThat(positions.get(5)).as("one window, one position").isEqualTo(reRead);
        assertThat(reRead).as("above every earlier change").isGreaterThan(positions.get(3));
        assertThat(positions.get(6)).as("a later change above the re-read").isGreaterThan(reRead);
        assertThat(((GenericRecord) changes.get(4).get("after")).get("name").toString()).isEqualTo("Ada L.");
        assertThat(engine.stats().resnapshotted()).isEqualTo(2);
      }
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  @Test
  void aSignalFilterTheDatabaseRefusesFailsAtTheRequest() throws Exception {
    String db = "tandem_rf_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db, "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY)");
    try (Connection legacy = DriverManager.getConnection(URL + db, "root", "")) {
      assertThatThrownBy(() -> RowResnapshot.request(legacy, db + ".tandem_signal", db + ".customers",
          List.of("id"), List.of(List.of(1L))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not exist");
      sql(RowResnapshot.createTableSql(SourceKind.MARIADB, db + ".tandem_signal"));
      assertThatThrownBy(() -> RowResnapshot.request(legacy, db + ".tandem_signal", db + ".customers",
          List.of("no_such_column"), List.of(List.of(1L))))
          .isInstanceOf(SQLException.class).hasMessageContaining("no_such_column");
      assertThat(RowResnapshot.request(legacy, db + ".tandem_signal", db + ".customers", List.of("id"),
          List.of(List.of(1L)))).hasSize(1);
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  @Test
  void aZeroDateInANotNullColumnIsADeadLetterAndARealFirstOfJanuary1970IsNot() throws Exception {
    String db = "tandem_zd_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db, "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY, name varchar(60),"
        + " born date NOT NULL, seen datetime(6) NOT NULL, stamped timestamp NOT NULL DEFAULT current_timestamp)");
    lax("INSERT INTO " + db + ".customers VALUES (1, 'zero born', '0000-00-00', '2026-01-01 10:00', now()),"
        + " (2, 'epoch', '1970-01-01', '1970-01-01 00:00:00', now()), (3, 'plain', '1999-12-31', '2026-01-01', now())");
    try {
      String topic = "legacy." + db + "." + db + ".customers";
      String dlq = "dlq_" + db;
      try (CaptureEngine engine = CaptureEngine.builder(config(db)).schemaRegistry(client).deadLetterTopic(dlq)
          .build()) {
        engine.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 2 && reasons(dlq).size() >= 1);
        lax("UPDATE " + db + ".customers SET seen = '0000-00-00 00:00:00' WHERE id = 3",
            "UPDATE " + db + ".customers SET name = 'epoch again' WHERE id = 2");
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 3 && reasons(dlq).size() >= 2);
        assertThat(all(topic)).extracting(r -> ((GenericRecord) ((GenericRecord) r.value()).get("after")).get("id"))
            .containsExactly(2L, 3L, 2L);
        assertThat(reasons(dlq)).satisfiesExactly(
            first -> assertThat(first).contains("column 'born'", "zero date"),
            second -> assertThat(second).contains("column 'seen'", "zero date"));
        assertThat(engine.stats().deadLettered()).isEqualTo(2);
      }
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  private static List<String> reasons(String dlq) {
    List<String> reasons = new ArrayList<>();
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props,
        new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
        new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
      consumer.subscribe(List.of(dlq));
      long deadline = System.currentTimeMillis() + 3_000;
      while (System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(r -> reasons.add(new String(
            r.headers().lastHeader("tandem.dlq.reason").value(), java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
    return reasons;
  }

  /** Without strict mode: how zero dates get into legacy tables. */
  private static void lax(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL, "root", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SET SESSION sql_mode = ''");
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }

  @Test
  void aSnapshotStartedAgainReplacesTheInterruptedOneExactly() throws Exception {
    String db = "tandem_it_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db,
        "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY, name varchar(60), balance decimal(12,2))",
        "INSERT INTO " + db + ".customers SELECT seq, CONCAT('C', seq), 1.00 FROM " + db + ".seq_1_to_3000");
    try {
      String topic = "legacy." + db + "." + db + ".customers";
      // First run: a slow snapshot with a short queue (what is queued is delivered on close), stopped part way.
      Map<String, String> slow = env(db);
      slow.put("LEGACY_MAX_BATCH_SIZE", "50");
      slow.put("LEGACY_MAX_QUEUE_SIZE", "100");
      try (CaptureEngine first = CaptureEngine.builder(ConnectorConfig.load(connectorFile(), slow))
          .schemaRegistry(client).snapshotRowsPerSecond(500).build()) {
        first.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 600);
      }
      int oldRecords = all(topic).size();
      assertThat(oldRecords).as("stopped during the snapshot").isLessThan(3000);
      sql("UPDATE " + db + ".customers SET name = CONCAT('changed ', id) WHERE id <= 200",
          "DELETE FROM " + db + ".customers WHERE id BETWEEN 201 AND 260 OR id BETWEEN 2901 AND 2910",
          "INSERT INTO " + db + ".customers SELECT seq, CONCAT('N', seq), 2.00 FROM " + db + ".seq_3001_to_3050");
      java.util.Set<Long> deletedAmongOld = new java.util.HashSet<>();
      all(topic).forEach(r -> deletedAmongOld.add((Long) ((GenericRecord) r.key()).get("id")));
      deletedAmongOld.removeIf(id -> !(id >= 201 && id <= 260) && !(id >= 2901 && id <= 2910));
      assertThat(deletedAmongOld).as("the first run had read some of the deleted rows").isNotEmpty();

      try (CaptureEngine second = CaptureEngine.builder(config(db)).schemaRegistry(client).build()) {
        second.start();
        await().atMost(Duration.ofSeconds(120)).until(() -> second.sweptDeletes() == deletedAmongOld.size());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(applied(topic)).isEqualTo(rows(db)));
      }
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  @Test
  void columnTypesLandExactlyInTheRawTopic() throws Exception {
    String db = "tandem_it_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db + " CHARACTER SET utf8mb4",
        "CREATE TABLE " + db + ".kinds (id bigint PRIMARY KEY, amount decimal(20,4), local_at datetime(6),"
            + " stamped_at timestamp(6) NULL, flag tinyint(1), small tinyint, mood enum('happy','sad'),"
            + " tags set('a','b','c'), big bigint unsigned, born date, note varchar(50), clock time(6), ratio double,"
            + " zero_day date NULL, zero_at datetime NULL)",
        "SET time_zone = '+00:00'", "SET sql_mode = ''",
        "INSERT INTO " + db + ".kinds VALUES (1, 12345678901234.5678, '2026-03-29 02:30:00.123456',"
            + " '2026-03-29 01:30:00.654321', 1, -7, 'sad', 'a,c', 18446744073709551615, '1999-12-31',"
            + " 'Zoë 👩‍💻', '23:59:59.999999', 0.1, '0000-00-00', '0000-00-00 00:00:00')");
    try {
      String topic = "legacy." + db + "." + db + ".kinds";
      try (CaptureEngine engine = CaptureEngine.builder(config(db, "kinds")).schemaRegistry(client).build()) {
        engine.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> all(topic).size() >= 1);
      }
      GenericRecord row = (GenericRecord) ((GenericRecord) all(topic).get(0).value()).get("after");
      // docs/data-model.md, "MariaDB column types": each value exact, as the mapping casts expect it.
      assertThat(row.get("amount").toString()).isEqualTo("12345678901234.5678");
      assertThat(row.get("local_at")).as("DATETIME: local wall clock, micros").isEqualTo(
          java.time.LocalDateTime.parse("2026-03-29T02:30:00.123456").toEpochSecond(java.time.ZoneOffset.UTC)
              * 1_000_000 + 123_456);
      assertThat(row.get("stamped_at").toString()).as("TIMESTAMP: an instant, in UTC")
          .isEqualTo("2026-03-29T01:30:00.654321Z");
      assertThat(row.get("flag")).as("TINYINT(1): a number, not a boolean").isEqualTo(1);
      assertThat(row.get("small")).isEqualTo(-7);
      assertThat(row.get("mood").toString()).isEqualTo("sad");
      assertThat(row.get("tags").toString()).isEqualTo("a,c");
      assertThat(row.get("big").toString()).as("BIGINT UNSIGNED beyond a long: exact text")
          .isEqualTo("18446744073709551615");
      assertThat(row.get("born")).isEqualTo((int) java.time.LocalDate.parse("1999-12-31").toEpochDay());
      assertThat(row.get("note").toString()).isEqualTo("Zoë 👩‍💻");
      assertThat(row.get("clock")).isEqualTo(86_399_999_999L);
      assertThat(row.get("ratio")).isEqualTo(0.1);
      assertThat(row.get("zero_day")).as("a zero date in a nullable column: null").isNull();
      assertThat(row.get("zero_at")).isNull();
      assertThat(((GenericRecord) all(topic).get(0).value()).getSchema().getField("after").schema().getTypes()
          .get(1).getField("local_at").schema().getTypes().get(1).getLogicalType().getName())
          .isEqualTo("local-timestamp-micros");
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  @Test
  void aBinlogWithoutWholeRowsIsRefusedNamingTheSetting() throws Exception {
    String db = "tandem_it_" + UUID.randomUUID().toString().substring(0, 8);
    sql("CREATE DATABASE " + db, "CREATE TABLE " + db + ".customers (id bigint PRIMARY KEY, name varchar(60))");
    sql("SET GLOBAL binlog_row_image = 'MINIMAL'");
    try {
      CaptureEngine engine = CaptureEngine.builder(config(db)).schemaRegistry(client).build();
      engine.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> engine.state() == State.FAILED);
      assertThat(engine.failure()).get().asString().contains("binlog_row_image is MINIMAL",
          "set binlog_row_image = FULL");
      engine.close();
    } finally {
      sql("SET GLOBAL binlog_row_image = 'FULL'", "DROP DATABASE " + db);
    }
  }

  @Test
  void theConnectorFileIsCheckedLikePostgresOnes() {
    Map<String, String> env = env("shop");
    env.put("LEGACY_DB_NAME", "shop,other");
    env.put("LEGACY_TABLES", "shop.customers");
    assertThatThrownBy(() -> ConnectorConfig.load(connectorFile(), env))
        .hasMessageContaining("database.include.list").hasMessageContaining("one database name");
    ConnectorConfig shipped = ConnectorConfig.load(connectorFile(), env("shop"));
    assertThat(shipped.signalTable()).contains("shop.tandem_signal");
    assertThat(shipped.originTable()).contains("shop.tandem_origin");
    assertThat(shipped.fenceTable()).contains("shop.tandem_write_fence");
  }

  @Test
  void coexistenceTablesOutsideTheCapturedDatabaseAreRefused(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("elsewhere.properties");
    java.nio.file.Files.writeString(file, java.nio.file.Files.readString(connectorFile())
        .replace("tandem.origin.table=${LEGACY_DB_NAME}.tandem_origin", "tandem.origin.table=other.tandem_origin"));
    assertThatThrownBy(() -> ConnectorConfig.load(file, env("shop")))
        .hasMessageContaining("tandem.origin.table").hasMessageContaining("a table of the captured database shop");
  }

  private static ConnectorConfig config(String db) {
    return ConnectorConfig.load(connectorFile(), env(db));
  }

  private static ConnectorConfig config(String db, String table) {
    Map<String, String> env = env(db);
    env.put("LEGACY_TABLES", db + "." + table);
    return ConnectorConfig.load(connectorFile(), env);
  }

  private static Map<String, String> env(String db) {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_USER", "root");
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_DB_NAME", db);
    env.put("LEGACY_TABLES", db + ".customers");
    env.put("LEGACY_SERVER_ID", Integer.toString(5000 + Math.abs(db.hashCode() % 100_000)));
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("TANDEM_OFFSET_TOPIC", "offsets_" + db);
    env.put("TANDEM_SCHEMA_HISTORY_TOPIC", "history_" + db);
    // Heartbeats every second: right after the snapshot, a MariaDB heartbeat's offset says binlog position 4 (the
    // GTID start), which once made the snapshot sweep's deletes too old to win (fixed: they take the new snapshot
    // rows' position); it also lets the sweep see the snapshot committed sooner.
    env.put("LEGACY_HEARTBEAT_MS", "1000");
    return env;
  }

  private static Path connectorFile() {
    return Fixtures.connectorFile().resolveSibling("legacy-mariadb.properties");
  }

  private static Map<Long, String> applied(String topic) {
    return AppliedAsTheSinkApplies.rows(all(topic), after -> after.get("name") + "/" + after.get("balance"));
  }

  private static Map<Long, String> rows(String db) throws SQLException {
    Map<Long, String> rows = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(URL, "root", "");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT id, name, balance FROM " + db + ".customers")) {
      while (result.next()) {
        rows.put(result.getLong(1), result.getString(2) + "/" + result.getBigDecimal(3).toPlainString());
      }
    }
    return rows;
  }

  private static List<ConsumerRecord<Object, Object>> all(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    AvroSerdeConfig serde = AvroSerdeConfig.withClient(client);
    List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
    try (KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(props, new AvroDeserializer(serde),
        new AvroDeserializer(serde))) {
      if (consumer.partitionsFor(topic).isEmpty()) {
        return records;
      }
      var partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
      long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 20_000;
      while (records.size() < end && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    records.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
    return records;
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL, "root", "");
        Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }
}
