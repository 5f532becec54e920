package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.RowResnapshot;
import io.tandem.capture.SourceKind;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.MariaDbShop;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill -9 with a MariaDB legacy (issue 14; {@link FaultSuiteIT} and {@link DeploymentIT} for PostgreSQL): the
 * stages run as {@code tandem run} runs them, in a JVM of their own ({@link MariaDbDeploymentProcess}), capture
 * through {@code connectors/legacy-mariadb.properties} from a {@link MariaDbShop} on the machine's MariaDB into an
 * embedded PostgreSQL. The process is killed with SIGKILL while {@link FaultSuiteIT.Writers} insert, update and
 * delete in all three tables, once during streaming and once during the initial snapshot, and started again. Then
 * (a) every legacy row, projected through the mappings by this test's own code (not Tandem's), is its new row and
 * nothing else is in new (nothing lost, nothing doubled), (b) Tandem's verifier is clean and (c) nothing was
 * dead-lettered.
 */
class MariaDbKillIT {
  private static final Logger LOG = LoggerFactory.getLogger(MariaDbKillIT.class);
  private static final ZoneId AMSTERDAM = ZoneId.of("Europe/Amsterdam");

  static EmbeddedPostgresServer newServer;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  Admin admin;
  String db;
  String newDb;
  Path schemas;
  final List<Process> children = new ArrayList<>();
  /** What the children printed: their snapshot, sweep and error lines. */
  final List<String> childLines = Collections.synchronizedList(new ArrayList<>());

  @TempDir
  Path work;

  @BeforeAll
  static void start() {
    try (Connection ignored = java.sql.DriverManager.getConnection(MariaDbStack.URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage()
          + "; .ci/run starts it and turns its binlog on");
    }
    newServer = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (newServer != null) {
      newServer.close();
    }
  }

  @BeforeEach
  void startStack() throws Exception {
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    db = "tandem_kill_" + UUID.randomUUID().toString().substring(0, 8);
    newDb = newServer.createDatabase("target");
    schemas = MariaDbShop.schemasReading(db, Repo.ROOT.resolve("schemas"), work.resolve("schemas"));
  }

  @AfterEach
  void stopStack() throws Exception {
    for (Process child : children) {
      child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    admin.close();
    registry.close();
    kafka.close();
    try (Connection connection = MariaDbStack.connect(""); Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + db);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // kill -9 while changes stream
  // ---------------------------------------------------------------------------------------------------------

  private static final int STREAMING_CUSTOMERS = 2_000;

  @Test
  void killedDuringStreamingUnderWritesAndRestartedConvergesExactly() throws Exception {
    seed(STREAMING_CUSTOMERS);
    Process first = startPipeline();
    awaitEqual(Duration.ofSeconds(120));
    long positionAfterSnapshot = maxPosition();
    long killed;
    long restarted;
    try (FaultSuiteIT.Writers writers = FaultSuiteIT.Writers.start(() -> MariaDbStack.connect(db), 2, 200,
        STREAMING_CUSTOMERS)) {
      // Kill while changes are flowing: some captured, some transformed, some applied.
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> writers.changes() >= 400 && maxPosition() > positionAfterSnapshot);
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      killed = System.nanoTime();
      LOG.info("KILL streaming: killed after {} changes; {} raw records, {} rows in new", writers.changes(),
          rawRecords(), newRows());
      Thread.sleep(2_000); // changes while nothing runs
      long changesWhileDown = writers.changes();
      restarted = System.nanoTime();
      startPipeline();
      // It resumes from Debezium's last committed binlog offset: changes of the downtime and some it had already
      // produced or applied come again (the final comparison shows none lost or doubled).
      long positionAtRestart = maxPosition();
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
          .until(() -> maxPosition() > positionAtRestart);
      LOG.info("KILL streaming: the restarted process applied its first change {} ms after the restart ({} ms"
          + " after the kill)", (System.nanoTime() - restarted) / 1_000_000, (System.nanoTime() - killed) / 1_000_000);
      await().atMost(Duration.ofSeconds(30)).until(() -> writers.changes() >= changesWhileDown + 600);
    }
    Map<String, Integer> rows = awaitEqual(Duration.ofSeconds(120));
    LOG.info("KILL streaming: equal {} ms after the kill: {}", (System.nanoTime() - killed) / 1_000_000, rows);
    assertCleanEnd();
  }

  // ---------------------------------------------------------------------------------------------------------
  // kill -9 during the initial snapshot
  // ---------------------------------------------------------------------------------------------------------

  /** With one address and two orders each: 4x as many snapshot rows. */
  private static final int SNAPSHOT_CUSTOMERS = 10_000;

  @Test
  void killedDuringTheInitialSnapshotUnderWritesAndRestartedConvergesExactly() throws Exception {
    seed(SNAPSHOT_CUSTOMERS);
    long rows = 4L * SNAPSHOT_CUSTOMERS;
    long rawAtKill;
    try (FaultSuiteIT.Writers writers = FaultSuiteIT.Writers.start(() -> MariaDbStack.connect(db), 2, 100,
        SNAPSHOT_CUSTOMERS)) {
      Process first = startPipeline();
      // A third of the rows produced: the snapshot is under way, not done.
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
          .until(() -> rawRecords() >= rows / 3);
      first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      rawAtKill = rawRecords();
      LOG.info("KILL snapshot: killed with {} of {} snapshot rows in the raw topics, {} in new, after {} changes",
          rawAtKill, rows, newRows(), writers.changes());
      assertThat(rawAtKill).as("killed during the snapshot").isLessThan(rows);
      Thread.sleep(1_000); // changes while nothing runs
      long restarted = System.nanoTime();
      startPipeline();
      // Debezium snapshots again from the first row: every row is produced once more. The writers go on, so
      // that Debezium commits a streaming offset soon after it, which the sweep waits for.
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
          .until(() -> rawRecords() - rawAtKill >= rows);
      LOG.info("KILL snapshot: the snapshot started over and produced all {} rows again in {} ms", rows,
          (System.nanoTime() - restarted) / 1_000_000);
      Thread.sleep(3_000);
    }
    // Keys legacy deleted while the killed snapshot's rows were in new are gone only through the sweep.
    await().atMost(Duration.ofSeconds(90)).until(() -> childLines.stream().anyMatch(l -> l.contains("Snapshot sweep done")));
    Map<String, Integer> counts = awaitEqual(Duration.ofSeconds(120));
    LOG.info("KILL snapshot: equal: {}; {}", counts, childLines.stream().filter(l -> l.contains("sweep")).toList());
    assertCleanEnd();
  }

  // ---------------------------------------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------------------------------------

  private void seed(int customers) throws SQLException {
    try (Connection connection = MariaDbStack.connect(""); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
    }
    try (Connection connection = MariaDbStack.connect(db); Statement statement = connection.createStatement()) {
      MariaDbShop.createSchema(connection);
      // The signal table a deployment creates for the verifier's repair (docs/capture.md, "MariaDB").
      statement.execute(RowResnapshot.createTableSql(SourceKind.MARIADB, db + ".tandem_signal"));
      LegacyShop.seed(connection, customers, 14);
    }
  }

  private Process startPipeline() throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-cp", System.getProperty("java.class.path"), MariaDbDeploymentProcess.class.getName(),
        kafka.bootstrapServers(), registry.url().toString(), db, newServer.jdbcUrl(newDb), newServer.user(),
        schemas.toString(), "kill-it-" + db)
        .redirectErrorStream(true).start();
    children.add(process);
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = output.readLine()) != null) {
      lines.add(line);
      if (line.contains("PIPELINE STARTED")) {
        Thread drain = new Thread(() -> output.lines()
            .filter(l -> l.contains("ERROR") || l.contains("napshot") || l.contains("sweep"))
            .forEach(l -> {
              childLines.add(l);
              System.out.println("[child " + process.pid() + "] " + l);
            }), "it-mariadb-pipeline-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
    }
    throw new AssertionError("pipeline process ended before starting:\n" + String.join("\n", lines));
  }

  /** Converged, verified by Tandem's verifier, nothing dead-lettered. */
  private void assertCleanEnd() throws Exception {
    VerificationReport report = verify();
    assertThat(report.clean()).as("verifier: %s", report.toJson()).isTrue();
    assertThat(report.entities()).extracting(EntityResult::rowsChecked).allMatch(n -> n > 0);
    assertThat(childLines).as("errors of the pipeline processes").noneMatch(l -> l.contains("ERROR"));
    assertThat(endOffsets(List.of("tandem.dlq.capture", "tandem.dlq.transform", "tandem.dlq.sink")))
        .as("records dead-lettered").isZero();
    // Still equal after the verifier's pass: nothing late (a replayed older change) undid a row.
    awaitEqual(Duration.ofSeconds(5));
  }

  private VerificationReport verify() throws InterruptedException {
    // In this JVM; its own status topic, so that no lag report of the children stretches the re-checks.
    TandemConfig config = MariaDbStack.config(kafka.bootstrapServers(), registry.url(), db, newServer.jdbcUrl(newDb),
        newServer.user(), schemas, work.resolve("verify-streams"), Optional.empty(), "kill-it.verify.status");
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    Verifier verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
    return verifier.pass(new Verifier.Request(List.of(), null, false, false), EntityVerifier.Progress.NONE,
        Clock.systemUTC());
  }

  private long rawRecords() throws Exception {
    return endOffsets(MariaDbShop.tables(db).stream().map(t -> "legacy." + db + "." + t).toList());
  }

  /** The sum of the end offsets of those of {@code topics} that exist. */
  private long endOffsets(List<String> topics) throws Exception {
    var existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    List<String> present = topics.stream().filter(existing::contains).toList();
    Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
    admin.describeTopics(present).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(d -> d.partitions()
        .forEach(p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
        .mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
  }

  /** The highest {@code _tandem_position} the sink wrote into new's customer table (-1: none yet). */
  private long maxPosition() throws SQLException {
    return queryNew("SELECT coalesce(max(_tandem_position), -1) FROM customer");
  }

  private long newRows() throws SQLException {
    return queryNew("SELECT (SELECT count(*) FROM customer) + (SELECT count(*) FROM address)"
        + " + (SELECT count(*) FROM customer_order)");
  }

  private long queryNew(String sql) throws SQLException {
    try (Connection target = newServer.connect(newDb); Statement statement = target.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      if (e.getMessage().contains("does not exist")) {
        return -1; // the sink has not created its tables yet
      }
      throw e;
    }
  }

  // ---- both sides through the mappings, by hand (schemas/mappings/*.yaml; not through Tandem's code) ----

  /** Waits until every entity's rows are equal on both sides; returns the row count per entity. */
  private Map<String, Integer> awaitEqual(Duration atMost) {
    Map<String, Integer> counts = new TreeMap<>();
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Map<String, Map<Long, String>> legacy = legacyProjected();
      Map<String, Map<Long, String>> migrated = newProjected();
      assertThat(differences(legacy, migrated)).as("legacy through the mappings vs new").isEmpty();
      legacy.forEach((entity, rows) -> counts.put(entity, rows.size()));
    });
    return counts;
  }

  private Map<String, Map<Long, String>> legacyProjected() throws SQLException {
    Map<String, String> customerStatus = Map.of("A", "ACTIVE", "S", "SUSPENDED", "C", "CLOSED");
    Map<Integer, String> orderStatus = Map.of(1, "NEW", 2, "PAID", 3, "SHIPPED", 9, "CANCELLED");
    Map<String, Map<Long, String>> entities = new TreeMap<>();
    try (Connection connection = MariaDbStack.connect(db); Statement statement = connection.createStatement()) {
      // updated_at is a TIMESTAMP: UNIX_TIMESTAMP reads its instant whatever the session's time zone.
      entities.put("customer", rows(statement, "SELECT cust_id, full_nm, email_addr, balance, status_cd,"
          + " created_local, FLOOR(UNIX_TIMESTAMP(updated_at) * 1000) FROM customers WHERE status_cd <> 'X'",
          rs -> String.join("|", rs.getString(2), orNull(rs.getString(3)), cents(rs, 4), customerStatus.get(rs.getString(5)),
              amsterdamMillis(rs, 6), Long.toString(rs.getLong(7)), "NL")));
      entities.put("address", rows(statement, "SELECT addr_id, cust_id, line1, city, postcode, country_cd FROM addresses",
          rs -> String.join("|", rs.getString(2), rs.getString(3), rs.getString(4), orNull(rs.getString(5)),
              rs.getString(6) == null ? "NL" : rs.getString(6))));
      entities.put("customer_order", rows(statement, "SELECT order_no, cust_id, total_amt, currency, order_status,"
          + " placed_local FROM orders", rs -> String.join("|", rs.getString(2), cents(rs, 3), rs.getString(4),
              orderStatus.get(rs.getInt(5)), amsterdamMillis(rs, 6))));
    }
    return entities;
  }

  private Map<String, Map<Long, String>> newProjected() throws SQLException {
    Map<String, Map<Long, String>> entities = new TreeMap<>();
    try (Connection connection = newServer.connect(newDb); Statement statement = connection.createStatement()) {
      entities.put("customer", rows(statement, "SELECT id, name, email, balance_cents, status, created_at, updated_at,"
          + " country FROM customer", rs -> String.join("|", rs.getString(2), orNull(rs.getString(3)), rs.getString(4),
              rs.getString(5), instantMillis(rs, 6), instantMillis(rs, 7), rs.getString(8))));
      entities.put("address", rows(statement, "SELECT id, customer_id, line1, city, postcode, country FROM address",
          rs -> String.join("|", rs.getString(2), rs.getString(3), rs.getString(4), orNull(rs.getString(5)),
              rs.getString(6))));
      entities.put("customer_order", rows(statement, "SELECT id, customer_id, total_cents, currency, status, placed_at"
          + " FROM customer_order", rs -> String.join("|", rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getString(5), instantMillis(rs, 6))));
    } catch (SQLException e) {
      if (e.getMessage().contains("does not exist")) {
        return Map.of(); // the sink has not created its tables yet
      }
      throw e;
    }
    return entities;
  }

  private interface RowText {
    String of(ResultSet rs) throws SQLException;
  }

  /** Key (first column) → the rest of the row as text. */
  private static Map<Long, String> rows(Statement statement, String sql, RowText text) throws SQLException {
    Map<Long, String> rows = new TreeMap<>();
    try (ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        rows.put(rs.getLong(1), text.of(rs));
      }
    }
    return rows;
  }

  private static String orNull(String value) {
    return value == null ? "<null>" : value;
  }

  /** Euros as exact cents (a fraction of a cent would throw: the mapping refuses it too). */
  private static String cents(ResultSet rs, int column) throws SQLException {
    return Long.toString(rs.getBigDecimal(column).movePointRight(2).longValueExact());
  }

  /**
   * A DATETIME wall-clock time in Amsterdam as epoch millis, as java.time resolves it (the mapping's rule): in
   * an autumn overlap the earlier offset, in a spring gap shifted forward by the gap.
   */
  private static String amsterdamMillis(ResultSet rs, int column) throws SQLException {
    return Long.toString(rs.getObject(column, LocalDateTime.class).atZone(AMSTERDAM).toInstant().toEpochMilli());
  }

  private static String instantMillis(ResultSet rs, int column) throws SQLException {
    return Long.toString(rs.getObject(column, OffsetDateTime.class).toInstant().toEpochMilli());
  }

  /** Missing, extra and different keys per entity (at most 10 of each named); empty when equal. */
  private static Map<String, String> differences(Map<String, Map<Long, String>> legacy,
      Map<String, Map<Long, String>> migrated) {
    Map<String, String> differences = new TreeMap<>();
    legacy.forEach((entity, expected) -> {
      Map<Long, String> actual = migrated.getOrDefault(entity, Map.of());
      List<Long> missing = expected.keySet().stream().filter(k -> !actual.containsKey(k)).toList();
      List<Long> extra = actual.keySet().stream().filter(k -> !expected.containsKey(k)).toList();
      List<String> different = expected.entrySet().stream()
          .filter(e -> actual.containsKey(e.getKey()) && !actual.get(e.getKey()).equals(e.getValue()))
          .map(e -> e.getKey() + ": legacy " + e.getValue() + ", new " + actual.get(e.getKey())).toList();
      if (!missing.isEmpty() || !extra.isEmpty() || !different.isEmpty()) {
        differences.put(entity, "missing " + missing.size() + " " + first(missing) + ", extra " + extra.size() + " "
            + first(extra) + ", different " + different.size() + " " + first(different));
      }
    });
    return differences;
  }

  private static String first(List<?> items) {
    return items.stream().limit(10).map(String::valueOf).collect(Collectors.joining(", ", "[", "]"));
  }
}
