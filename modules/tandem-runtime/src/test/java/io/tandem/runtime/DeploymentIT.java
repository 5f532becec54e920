package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.Workload;
import io.tandem.capture.RowResnapshot;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.core.model.EntitySchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward sync end to end on real parts, as {@code tandem run} deploys it (one {@link Deployment} under
 * one {@link Supervisor}): embedded PostgreSQL (legacy and new), a KRaft broker, the Kafka-backed
 * registry, Debezium, Kafka Streams and the JDBC sink. "Equal" always means: every legacy row, through
 * the repository's mappings, equals its new row, and nothing extra.
 */
class DeploymentIT {
  static final Path SCHEMAS = Repo.ROOT.resolve("schemas");

  /** A running deployment; closing it stops the supervisor. */
  private record Running(Deployment deployment, Supervisor supervisor) implements AutoCloseable {
    @Override
    public void close() {
      supervisor.stop();
    }
  }

  static EmbeddedPostgresServer postgres;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String legacyDb;
  String newDb;
  String slot;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void startStack() throws SQLException {
    // A broker per test keeps consumer groups and offsets of different tests apart.
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacyDb = postgres.createDatabase("legacy");
    newDb = postgres.createDatabase("target");
    slot = "slot_" + legacyDb;
    try (Connection legacy = postgres.connect(legacyDb)) {
      LegacyShop.createSchema(legacy, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, 300, 11);
    }
  }

  @AfterEach
  void stopStack() throws SQLException {
    registry.close();
    kafka.close();
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
    }
  }

  private Running start() {
    TandemConfig config = StackConfig.of(kafka.bootstrapServers(), registry.url(), postgres.host(), postgres.port(),
        legacyDb, slot, postgres.jdbcUrl(newDb), postgres.user(), stateDir);
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        java.time.Clock.systemUTC());
    supervisor.start(() -> true);
    return new Running(deployment, supervisor);
  }

  @Test
  void snapshotThenStreamingAndConcurrentUpdatesEndEqual() throws Exception {
    try (Running pipeline = start()) {
      awaitEqual();

      try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement()) {
        statement.execute("INSERT INTO customers (cust_id, full_nm, balance, status_cd, created_local) "
            + "VALUES (100001, 'New', 1.10, 'A', '2026-03-29 02:30:00')");
        statement.execute("UPDATE customers SET balance = 99.99, email_addr = NULL WHERE cust_id = 1");
        statement.execute("DELETE FROM orders WHERE cust_id = 2");
        statement.execute("UPDATE customers SET status_cd = 'X' WHERE cust_id = 3"); // leaves the new model
        statement.execute("UPDATE customers SET status_cd = 'X' WHERE cust_id = 4");
        statement.execute("UPDATE customers SET status_cd = 'C' WHERE cust_id = 4"); // and comes back
        statement.execute("UPDATE addresses SET city = 'Zwolle', postcode = NULL WHERE cust_id = 5");
      }
      concurrentUpdates(10, 1000);
      awaitEqual();
      try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
        var rs = statement.executeQuery("SELECT count(*) FROM customer WHERE id IN (3, 100001)");
        rs.next();
        assertThat(rs.getInt(1)).as("customer 3 filtered out, 100001 inserted").isEqualTo(1);
      }
      assertThat(pipeline.supervisor().firstFailure()).isEmpty();
    }
  }

  @Test
  void rowsReEmittedOnRequestRepairTheNewDatabase() throws Exception {
    try (Running pipeline = start()) {
      awaitEqual();
      List<Long> keys = new ArrayList<>();
      try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement();
          var rs = statement.executeQuery("SELECT cust_id FROM customers WHERE status_cd <> 'X' ORDER BY cust_id LIMIT 2")) {
        while (rs.next()) {
          keys.add(rs.getLong(1));
        }
      }
      long corrupted = keys.get(0);
      long deleted = keys.get(1);
      // Damage the new side behind the pipeline's back: positions stay, so no replay would fix it.
      try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
        assertThat(statement.executeUpdate("UPDATE customer SET name = 'corrupted', balance_cents = -1 WHERE id = "
            + corrupted)).isEqualTo(1);
        assertThat(statement.executeUpdate("DELETE FROM customer WHERE id = " + deleted)).isEqualTo(1);
      }
      Mapping customer = MappingLoader.loadAll(SCHEMAS.resolve("mappings")).stream()
          .filter(m -> m.entity().equals("customer")).findFirst().orElseThrow();
      try (Connection legacy = postgres.connect(legacyDb); Connection target = postgres.connect(newDb)) {
        MappingCheck.Result damaged = MappingCheck.run(customer, EntitySchema.load(SCHEMAS.resolve("avro"), customer),
            legacy, target);
        assertThat(damaged.different()).isEqualTo(1);
        assertThat(damaged.missing()).isEqualTo(1);
      }

      try (Connection legacy = postgres.connect(legacyDb)) {
        RowResnapshot.request(legacy, LegacyShop.SIGNAL_TABLE, "public.customers", List.of("cust_id"),
            List.of(List.of(corrupted), List.of(deleted)));
      }
      awaitEqual();
      assertThat(pipeline.deployment().capture().orElseThrow().stats().resnapshotted()).isEqualTo(2);
      assertThat(pipeline.supervisor().firstFailure()).isEmpty();
    }
  }

  @Test
  void killedAbruptlyMidStreamAndRestartedEndsEqual() throws Exception {
    Process first = startPipelineProcess();
    try (Connection legacy = postgres.connect(legacyDb)) {
      awaitEqual();
      Workload workload = new Workload(() -> connect(legacyDb), 400, 300, 3);
      Thread writer = new Thread(workload, "it-workload");
      writer.start();
      try (Connection target = postgres.connect(newDb)) {
        long before = maxPosition(target);
        // Kill while changes are flowing: some are captured, some transformed, some applied.
        await().atMost(Duration.ofSeconds(60)).until(() -> maxPosition(target) > before && workload.changes() > 300);
      }
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      concurrentUpdates(10, 200); // changes made while nothing is running
      await().atMost(Duration.ofSeconds(30)).until(() -> workload.changes() > 800);
      workload.stop();
      writer.join(10_000);
      assertThat(legacy.isValid(5)).isTrue();
    }
    Process second = startPipelineProcess();
    try {
      awaitEqual();
    } finally {
      second.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private Process startPipelineProcess() throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), DeploymentProcess.class.getName(),
        kafka.bootstrapServers(), registry.url().toString(), postgres.host(), Integer.toString(postgres.port()), legacyDb,
        slot, postgres.jdbcUrl(newDb), postgres.user())
        .redirectErrorStream(true).start();
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = output.readLine()) != null) {
      lines.add(line);
      if (line.contains("PIPELINE STARTED")) {
        Thread drain = new Thread(() -> output.lines().forEach(l -> { }), "it-pipeline-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
    }
    throw new AssertionError("pipeline process ended before starting:\n" + String.join("\n", lines));
  }

  private void concurrentUpdates(int keys, int updates) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int worker = 0; worker < 4; worker++) {
      done.add(pool.submit(() -> {
        try (Connection legacy = postgres.connect(legacyDb);
            PreparedStatement update = legacy.prepareStatement(
                "UPDATE customers SET balance = ?, full_nm = ? WHERE cust_id = ?")) {
          for (int i = 0; i < updates / 4; i++) {
            long cents = ThreadLocalRandom.current().nextLong(0, 1_000_000);
            update.setBigDecimal(1, java.math.BigDecimal.valueOf(cents, 2));
            update.setString(2, "Concurrent " + cents);
            update.setLong(3, 1 + ThreadLocalRandom.current().nextInt(keys));
            update.executeUpdate();
          }
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  private void awaitEqual() {
    List<Mapping> mappings = MappingLoader.loadAll(SCHEMAS.resolve("mappings"));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      try (Connection legacy = postgres.connect(legacyDb); Connection target = postgres.connect(newDb)) {
        for (Mapping mapping : mappings) {
          MappingCheck.Result result = MappingCheck.run(mapping, EntitySchema.load(SCHEMAS.resolve("avro"), mapping),
              legacy, target);
          assertThat(result.differences()).as("%s: %s", mapping.entity(), result).isZero();
          assertThat(result.unmappable()).isZero();
        }
      }
    });
  }

  private static long maxPosition(Connection target) throws SQLException {
    try (Statement statement = target.createStatement();
        var rs = statement.executeQuery("SELECT coalesce(max(_tandem_position), 0) FROM customer")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Connection connect(String database) {
    try {
      return postgres.connect(database);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
