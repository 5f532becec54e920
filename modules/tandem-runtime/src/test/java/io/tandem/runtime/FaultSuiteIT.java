package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.RowResnapshot;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault suite (issue 13, item 2): the whole pipeline as {@code tandem run} deploys it (one {@link Deployment}
 * under one {@link Supervisor}, or a child JVM for kill -9), on real parts, a concurrent workload on legacy, a
 * fault in the middle of it, and at the end (a) an independent checksum of both sides computed in SQL through the
 * mappings' projection (not Tandem's code) and (b) Tandem's verifier, both clean.
 *
 * <p>Legacy lives on a PostgreSQL server that can be restarted; the new databases on another one, so that
 * restarting legacy leaves new alone. Each test has its own broker, databases and slot.
 */
class FaultSuiteIT {
  private static final Logger LOG = LoggerFactory.getLogger(FaultSuiteIT.class);
  private static final Path SCHEMAS = Repo.ROOT.resolve("schemas");
  private static final List<String> DLQ_TOPICS = List.of("tandem.dlq.capture", "tandem.dlq.transform",
      "tandem.dlq.sink");

  static EmbeddedPostgresServer legacyServer;
  static EmbeddedPostgresServer newServer;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String legacyDb;
  String newDb;
  String slot;
  TandemConfig config;
  Supervisor supervisor;
  Deployment deployment;

  @TempDir
  Path stateDir;

  @BeforeAll
  static void startPostgres() {
    legacyServer = EmbeddedPostgresServer.startRestartable();
    newServer = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    legacyServer.close();
    newServer.close();
  }

  @BeforeEach
  void startStack() {
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacyDb = legacyServer.createDatabase("legacy");
    newDb = newServer.createDatabase("target");
    slot = "slot_" + legacyDb;
  }

  @AfterEach
  void stopStack() throws SQLException {
    if (supervisor != null) {
      supervisor.stop();
    }
    registry.close();
    kafka.close();
    legacyServer.restart(); // a test that failed half-way may have left it stopped
    try (Connection admin = legacyServer.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
          + slot + "' AND NOT active");
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 1. Kafka broker stopped 20 s mid-stream
  // ---------------------------------------------------------------------------------------------------------

  /**
   * How long the broker is down. Every stage blocks on Kafka meanwhile (capture awaits its acks, the transform's
   * producer flush, the sink's offset commit). The outage is longer than the shortest Kafka-side timeouts of the
   * capture connector (connectors/legacy-postgres.properties: {@code offset.flush.timeout.ms} after
   * {@code offset.flush.interval.ms}, and {@code heartbeat.interval.ms}, 10 s each; checked below) and shorter than
   * the waits beyond which a stage fails by design: the sink's offset commit ({@code default.api.timeout.ms}, 60 s)
   * and the producers' {@code delivery.timeout.ms} (120 s), docs/sink.md and docs/capture.md.
   */
  private static final Duration BROKER_OUTAGE = Duration.ofSeconds(20);

  @Test
  void brokerOutage() throws Exception {
    assertThat(BROKER_OUTAGE).as("the outage outlasts an offset flush and its timeout").isGreaterThan(
        legacyConnectorMillis("offset.flush.interval.ms").plus(legacyConnectorMillis("offset.flush.timeout.ms")));
    assertThat(BROKER_OUTAGE).as("the outage outlasts a capture heartbeat interval")
        .isGreaterThan(legacyConnectorMillis("heartbeat.interval.ms"));
    seed(300);
    startInProcess(postgresUrl(newServer, newDb));
    awaitChecksumsEqual(Duration.ofSeconds(120));
    try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 100, 300)) {
      awaitApplied(writers, 200);
      kafka.stop();
      Instant stopped = Instant.now();
      long changesBefore = writers.changes();
      Thread.sleep(BROKER_OUTAGE.toMillis());
      kafka.restart();
      Instant restarted = Instant.now();
      LOG.info("FAULT broker: down {} ms; legacy took {} changes meanwhile", Duration.between(stopped, restarted)
          .toMillis(), writers.changes() - changesBefore);
      Duration resumed = awaitCommittedAfter(restarted, Duration.ofSeconds(120));
      LOG.info("FAULT broker: a change committed after the restart was in new {} ms after the restart",
          resumed.toMillis());
      Thread.sleep(3_000);
    }
    awaitChecksumsEqual(Duration.ofSeconds(120));
    assertThat(supervisor.firstFailure()).as("no stage died").isEmpty();
    assertVerifierClean();
    assertThat(deadLetters()).as("nothing dead-lettered").isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------
  // 2. New database unreachable 30 s
  // ---------------------------------------------------------------------------------------------------------

  /**
   * How long the new database is cut off. After the batch in flight fails, each of the sink's attempts waits up to
   * the pool's connectionTimeout (10 s, set by JdbcSink) before it fails and backs off (200 ms doubling, JdbcSink's
   * RetryPolicy): the outage holds at least two whole pool waits, so the sink retries more than once (asserted
   * below), and is 3x the JDBC socketTimeout the test sets below. It stays well inside the retry budget (60
   * attempts, ~4.5 minutes at least) and the consumer's {@code max.poll.interval.ms} (5 min), beyond which the sink
   * fails by design.
   */
  private static final Duration NEW_DB_OUTAGE = Duration.ofSeconds(30);
  private static final int NEW_DB_SOCKET_TIMEOUT_SECONDS = 10;

  @Test
  void newDatabaseUnreachable() throws Exception {
    seed(300);
    try (TcpProxy proxy = new TcpProxy(newServer.host(), newServer.port())) {
      startInProcess("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + newDb + "?connectTimeout=5&socketTimeout="
          + NEW_DB_SOCKET_TIMEOUT_SECONDS);
      awaitChecksumsEqual(Duration.ofSeconds(120));
      var sink = deployment.sink().orElseThrow();
      try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 100, 300)) {
        awaitApplied(writers, 200);
        long retriesBefore = sink.stats().retries();
        proxy.cut();
        Instant cut = Instant.now();
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.stats().retries() > retriesBefore);
        String during = sink.status();
        LOG.info("FAULT new-db: status during the outage: {}; metrics: {}", during, retryMeters());
        Thread.sleep(Math.max(0, NEW_DB_OUTAGE.toMillis() - Duration.between(cut, Instant.now()).toMillis()));
        assertThat(supervisor.firstFailure()).as("the sink rides out the outage").isEmpty();
        long retries = sink.stats().retries() - retriesBefore;
        String metricsDuring = retryMeters();
        LOG.info("FAULT new-db: at the end of the outage: {}; metrics: {}", sink.status(), metricsDuring);
        proxy.restore();
        Instant restored = Instant.now();
        Duration resumed = awaitCommittedAfter(restored, Duration.ofSeconds(120));
        LOG.info("FAULT new-db: {} retries during the {} s; a change committed after the restore was in new {} ms"
            + " after it", retries, NEW_DB_OUTAGE.toSeconds(), resumed.toMillis());
        // The batch in flight failed, and so did at least one attempt that waited out the pool after a back-off.
        assertThat(retries).isGreaterThanOrEqualTo(2);
        assertThat(during).contains("retrying");
        assertThat(metricsDuring).contains("tandem_sink_retries_total{stage=\"sink\"}")
            .contains("tandem_sink_retrying{stage=\"sink\"} 1.0");
        Thread.sleep(2_000);
      }
      awaitChecksumsEqual(Duration.ofSeconds(120));
      assertThat(supervisor.firstFailure()).isEmpty();
      assertThat(sink.status()).doesNotContain("retrying");
      assertVerifierClean();
      assertThat(deadLetters()).as("a transient outage dead-letters nothing").isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 3. Legacy PostgreSQL restarted mid-stream
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void legacyRestart() throws Exception {
    seed(300);
    startInProcess(postgresUrl(newServer, newDb));
    awaitChecksumsEqual(Duration.ofSeconds(120));
    try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 100, 300)) {
      awaitApplied(writers, 200);
      legacyServer.stop();
      Instant stopped = Instant.now();
      Thread.sleep(5_000);
      legacyServer.restart();
      Instant restarted = Instant.now();
      LOG.info("FAULT legacy: down {} ms", Duration.between(stopped, restarted).toMillis());
      Duration resumed = awaitCommittedAfter(restarted, Duration.ofSeconds(180));
      LOG.info("FAULT legacy: a change committed after the restart was in new {} ms after the restart",
          resumed.toMillis());
      Thread.sleep(3_000);
    }
    awaitChecksumsEqual(Duration.ofSeconds(120));
    assertThat(supervisor.firstFailure()).as("no stage died").isEmpty();
    assertVerifierClean();
    assertThat(deadLetters()).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------
  // 4. kill -9 during the initial snapshot, then restart
  // ---------------------------------------------------------------------------------------------------------

  /** Customers seeded for the snapshot test: with one address and two orders each, 4x as many rows. */
  private static final int SNAPSHOT_CUSTOMERS = 20_000;
  /**
   * The child deployments run without static membership, so the restarted one's consumer groups (transform, sink)
   * rebalance only once the killed members' sessions expire: with {@code session.timeout.ms} at 10 s (the Kafka
   * clients' default before 3.0) instead of today's 45 s default that wait, the same rebalance, is 35 s shorter.
   */
  private static final Map<String, String> CHILD_KAFKA = Map.of("session.timeout.ms", "10000");

  @Test
  void killDuringSnapshot() throws Exception {
    seed(SNAPSHOT_CUSTOMERS);
    try (Connection legacy = connect(legacyServer, legacyDb); Statement statement = legacy.createStatement()) {
      statement.execute("ANALYZE"); // the snapshot's row estimates
    }
    long rows = 4L * SNAPSHOT_CUSTOMERS;
    // For the verifier only. It reads lag from its own (absent) status topic: the child's lag reports during the
    // snapshot's catch-up would stretch each re-check to minutes; the test waits for new to settle itself.
    TandemConfig child = config(postgresUrl(newServer, newDb));
    var v = child.verify();
    config = new TandemConfig(child.file(), child.kafka(), child.registry(), child.legacy(), child.target(),
        child.schemas(), child.transform(), child.sink(), child.metrics(), new io.tandem.verify.VerifySettings(
            v.chunkSize(), v.legacyRowsPerSecond(), v.legacyReplicaUrl(), v.recheckDelay(), v.recheckRounds(),
            v.interval(), "fault.verify.status", v.routingTopic(), v.deadLetterTopics()), child.coexistence());
    deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    List<String> raw = LegacyShop.TABLES.stream().map(t -> "legacy." + legacyDb + "." + t).toList();
    long[] firstRun = new long[3];
    try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 50, SNAPSHOT_CUSTOMERS)) {
      long started = System.nanoTime();
      Process first = DeploymentProcesses.start(kafka, registry, legacyServer, legacyDb, slot, newServer.jdbcUrl(newDb),
          newServer.user(), CHILD_KAFKA);
      try {
        // Kill when a quarter of the rows are in new: the snapshot is under way, not done.
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
            .until(() -> newRows() >= rows / 4);
      } finally {
        first.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
      firstRun[0] = (System.nanoTime() - started) / 1_000_000;
      firstRun[1] = newRows();
      firstRun[2] = endOffsets(raw);
      LOG.info("FAULT snapshot: killed after {} ms with {} of {} snapshot rows in new, {} records in the raw topics",
          firstRun[0], firstRun[1], rows, firstRun[2]);
      assertThat(firstRun[2]).as("killed during the snapshot").isLessThan(rows);
      Thread.sleep(1_000); // changes while nothing runs
    }
    long restarted = System.nanoTime();
    Process second = DeploymentProcesses.start(kafka, registry, legacyServer, legacyDb, slot, newServer.jdbcUrl(newDb),
        newServer.user(), CHILD_KAFKA);
    try {
      // Debezium snapshots again from the first row: every row is produced once more.
      await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500))
          .until(() -> endOffsets(raw) - firstRun[2] >= rows);
      long snapshotAgain = (System.nanoTime() - restarted) / 1_000_000;
      awaitSettled();
      long settled = (System.nanoTime() - restarted) / 1_000_000;
      LOG.info("FAULT snapshot: after the restart the snapshot started over: all {} rows produced again in {} ms,"
          + " new settled after {} ms", rows, snapshotAgain, settled);

      // No repair: the new snapshot outranks the killed one's rows and the keys legacy deleted in between are
      // swept once it completes (docs/capture.md, "A restart during the initial snapshot").
      Map<String, String> sums = awaitChecksumsEqual(Duration.ofSeconds(120));
      LOG.info("FAULT snapshot: checksums {}", sums);
      assertVerifierClean();
      assertThat(deadLetters()).isEmpty();
    } finally {
      second.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until transform and sink have consumed everything in their input topics (committed offsets at the end
   * offsets) and the new database's rows stop moving for 3 s. Row counts alone are not enough: after a kill the
   * restarted consumer groups may wait out the dead members' session timeout ({@link #CHILD_KAFKA}) with nothing
   * moving.
   */
  private void awaitSettled() {
    String[] last = {""};
    long[] since = {System.nanoTime()};
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
        long behind = 0;
        for (String group : List.of(config.transform().applicationId(), config.sink().groupId())) {
          var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
          var topics = admin.listTopics().names().get().stream()
              .filter(t -> group.equals(config.sink().groupId()) ? t.startsWith("migrated.")
                  : t.startsWith("legacy." + legacyDb + "."))
              .toList();
          var partitions = admin.describeTopics(topics).allTopicNames().get().values().stream()
              .flatMap(d -> d.partitions().stream().map(p -> new TopicPartition(d.name(), p.partition())))
              .toList();
          var ends = admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p,
              p -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
          for (TopicPartition partition : partitions) {
            var offset = committed.get(partition);
            behind += ends.get(partition).offset() - (offset == null ? 0 : offset.offset());
          }
        }
        String now = behind + "/" + newRows();
        if (!now.equals(last[0])) {
          last[0] = now;
          since[0] = System.nanoTime();
        }
        return behind == 0 && System.nanoTime() - since[0] > 3_000_000_000L;
      });
    }
  }

  private long newRows() throws SQLException {
    try (Connection target = connect(newServer, newDb); Statement statement = target.createStatement();
        ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM customer) + (SELECT count(*) FROM address)"
            + " + (SELECT count(*) FROM customer_order)")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      return 0; // the sink has not created the tables yet
    }
  }

  private long endOffsets(List<String> topics) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      var all = consumer.listTopics(Duration.ofSeconds(10));
      List<TopicPartition> partitions = topics.stream().filter(all::containsKey)
          .flatMap(t -> all.get(t).stream().map(p -> new TopicPartition(t, p.partition()))).toList();
      return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // 5. Poison records in each stage
  // ---------------------------------------------------------------------------------------------------------

  /** Captured, unmapped: its columns "a-b" and a_b would both be the Avro field a_b, so capture cannot convert it. */
  private static final String CLASH_TABLE = "public.fault_clash";
  private static final long REFUSED_BY_MAPPING = 9_000_001L;
  private static final long REFUSED_BY_NEW_DB = 9_000_002L;
  private static final long AFTER_THE_POISON = 9_000_003L;

  @Test
  void poisonRecordsInEachStage() throws Exception {
    seed(300);
    try (Connection legacy = connect(legacyServer, legacyDb); Statement statement = legacy.createStatement()) {
      statement.execute("CREATE TABLE " + CLASH_TABLE + " (id bigint PRIMARY KEY, \"a-b\" int, a_b int)");
    }
    List<String> tables = new ArrayList<>(LegacyShop.TABLES);
    tables.add(CLASH_TABLE);
    config = StackConfig.of(kafka.bootstrapServers(), registry.url(), legacyServer.host(), legacyServer.port(),
        legacyDb, slot, postgresUrl(newServer, newDb), newServer.user(), stateDir, tables);
    deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    health = new HealthServer(config.metrics());
    supervisor = deployment.supervisor(health, Duration.ofSeconds(30), Clock.systemUTC());
    supervisor.start(() -> true);
    awaitChecksumsEqual(Duration.ofSeconds(120));
    try (Connection target = connect(newServer, newDb); Statement statement = target.createStatement()) {
      // A rule of the new database that legacy does not have.
      statement.execute("ALTER TABLE customer ADD CONSTRAINT fault_no_poison CHECK (name NOT LIKE 'POISON%')");
    }
    try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 100, 300)) {
      awaitApplied(writers, 100);
      try (Connection legacy = connect(legacyServer, legacyDb); Statement statement = legacy.createStatement()) {
        statement.execute("INSERT INTO " + CLASH_TABLE + " VALUES (1, 1, 1)");                        // capture
        statement.execute("INSERT INTO customers (cust_id, full_nm, status_cd, created_local) VALUES ("
            + REFUSED_BY_MAPPING + ", 'Unknown status', 'Q', '2024-01-01 10:00')");                   // transform
        statement.execute("INSERT INTO customers (cust_id, full_nm, status_cd, created_local) VALUES ("
            + REFUSED_BY_NEW_DB + ", 'POISON pill', 'A', '2024-01-01 10:00')");                        // sink
        statement.execute("UPDATE customers SET balance = 1.00 WHERE cust_id IN (" + REFUSED_BY_MAPPING + ", "
            + REFUSED_BY_NEW_DB + ")");                                                                // again, later
      }
      Thread.sleep(3_000); // the workload goes on after the poison
      try (Connection legacy = connect(legacyServer, legacyDb); Statement statement = legacy.createStatement()) {
        statement.execute("INSERT INTO customers (cust_id, full_nm, status_cd, created_local) VALUES ("
            + AFTER_THE_POISON + ", 'After the poison', 'A', '2024-01-01 10:00')");
      }
      Thread.sleep(2_000);
    }
    Map<String, Set<Long>> poisoned = Map.of("customer", Set.of(REFUSED_BY_MAPPING, REFUSED_BY_NEW_DB));
    awaitChecksumsEqual(Duration.ofSeconds(120), poisoned);
    assertThat(supervisor.firstFailure()).as("no stage died").isEmpty();
    try (Connection target = connect(newServer, newDb); Statement statement = target.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM customer WHERE id = " + AFTER_THE_POISON)) {
      rs.next();
      assertThat(rs.getLong(1)).as("a row written after the poison arrived").isEqualTo(1);
    }

    // Every dead letter is accounted for: one stage, one reason, one poisoned key each.
    List<DeadLetter> letters = deadLetters();
    LOG.info("FAULT poison: dead letters {}", letters);
    Map<String, List<DeadLetter>> byTopic = letters.stream().collect(Collectors.groupingBy(DeadLetter::topic));
    assertThat(byTopic.keySet()).containsExactlyInAnyOrder(DLQ_TOPICS.toArray(String[]::new));
    assertThat(byTopic.get("tandem.dlq.capture")).hasSize(1).allSatisfy(l -> assertThat(l.reason())
        .contains("would both be the Avro field 'a_b'"));
    assertThat(byTopic.get("tandem.dlq.transform")).hasSize(2).allSatisfy(l -> assertThat(l.reason())
        .contains("unknown code 'Q'"));
    assertThat(byTopic.get("tandem.dlq.sink")).hasSize(2).allSatisfy(l -> assertThat(l.reason())
        .contains("fault_no_poison"));

    // The verifier reports exactly the poisoned keys, each explained by its dead letter.
    VerificationReport report = verify();
    List<Difference> differences = report.entities().stream().flatMap(e -> e.differences().stream()).toList();
    LOG.info("FAULT poison: verifier differences {}", differences);
    assertThat(differences).extracting(Difference::key)
        .containsExactlyInAnyOrder(Long.toString(REFUSED_BY_MAPPING), Long.toString(REFUSED_BY_NEW_DB));
    assertThat(differences).allMatch(Difference::deadLettered);
    assertThat(differences).filteredOn(d -> d.key().equals(Long.toString(REFUSED_BY_MAPPING)))
        .extracting(Difference::kind).containsExactly(Difference.Kind.UNMAPPABLE);
    assertThat(differences).filteredOn(d -> d.key().equals(Long.toString(REFUSED_BY_NEW_DB)))
        .extracting(Difference::kind).containsExactly(Difference.Kind.MISSING);
    assertThat(report.entities()).filteredOn(e -> !e.entity().equals("customer")).allMatch(EntityResult::clean);
    assertThat(report.entities()).allMatch(e -> e.unsettled().isEmpty());
  }

  // ---------------------------------------------------------------------------------------------------------
  // helpers
  // ---------------------------------------------------------------------------------------------------------

  /** A duration in ms from connectors/legacy-postgres.properties; a {@code ${VAR:-default}} is read as its default. */
  private static Duration legacyConnectorMillis(String key) throws java.io.IOException {
    Properties connector = new Properties();
    try (var in = java.nio.file.Files.newBufferedReader(Repo.ROOT.resolve("connectors/legacy-postgres.properties"))) {
      connector.load(in);
    }
    String value = connector.getProperty(key);
    assertThat(value).as(key).isNotNull();
    return Duration.ofMillis(Long.parseLong(value.trim().replaceAll("^\\$\\{[A-Za-z0-9_]+:-(.*)}$", "$1")));
  }

  private void seed(int customers) throws SQLException {
    try (Connection legacy = connect(legacyServer, legacyDb)) {
      LegacyShop.createSchema(legacy, RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, customers, 13);
    }
  }

  TandemConfig config(String newDbUrl) {
    return StackConfig.of(kafka.bootstrapServers(), registry.url(), legacyServer.host(), legacyServer.port(),
        legacyDb, slot, newDbUrl, newServer.user(), stateDir);
  }

  private void startInProcess(String newDbUrl) {
    config = config(newDbUrl);
    deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    health = new HealthServer(config.metrics());
    supervisor = deployment.supervisor(health, Duration.ofSeconds(30), Clock.systemUTC());
    supervisor.start(() -> true);
  }

  private HealthServer health;

  /** The sink's retry meters as Prometheus shows them on /metrics. */
  private String retryMeters() {
    return health.scrape().lines().filter(l -> l.startsWith("tandem_sink_retr")).collect(Collectors.joining("; "));
  }

  static String postgresUrl(EmbeddedPostgresServer server, String db) {
    return server.jdbcUrl(db);
  }

  static Connection connect(EmbeddedPostgresServer server, String db) {
    try {
      return server.connect(db);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until new holds a change committed in legacy at or after {@code since}; returns how long after. */
  private Duration awaitCommittedAfter(Instant since, Duration atMost) {
    Instant seen = await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
      try (Connection target = connect(newServer, newDb); Statement statement = target.createStatement();
          ResultSet rs = statement.executeQuery("SELECT max(_tandem_commit_ts) FROM customer")) {
        rs.next();
        Timestamp newest = rs.getTimestamp(1);
        return newest != null && !newest.toInstant().isBefore(since) ? Instant.now() : null;
      }
    }, java.util.Objects::nonNull);
    return Duration.between(since, seen);
  }

  private void awaitApplied(Writers writers, long changes) {
    await().atMost(Duration.ofSeconds(60)).until(() -> writers.changes() >= changes);
    Instant now = Instant.now();
    awaitCommittedAfter(now.minusMillis(500), Duration.ofSeconds(60));
  }

  // ---- independent checksums: SQL on each side through the mappings' projection ----

  /** Per entity: {@code count:sum-of-md5-prefixes} of the projected rows, keys in {@code excluded} left out. */
  record Checksums(Map<String, String> byEntity) {}

  /**
   * Epoch millis of an Amsterdam wall-clock {@code timestamp} column as java.time resolves it: in the autumn
   * overlap the earlier offset (summer time, +02), in the spring gap the offset before it (+01), i.e. the time
   * moved forward by the gap. PostgreSQL's own {@code AT TIME ZONE} resolves these hours differently.
   */
  static String amsterdamMillis(String column) {
    String summer = "((" + column + " - interval '2 hours') AT TIME ZONE 'UTC')";
    String winter = "((" + column + " - interval '1 hour') AT TIME ZONE 'UTC')";
    return "floor(extract(epoch FROM CASE WHEN (" + summer + " AT TIME ZONE 'Europe/Amsterdam') = " + column
        + " THEN " + summer + " ELSE " + winter + " END) * 1000)::bigint";
  }

  // legacy → the new model, written out in SQL by hand from schemas/mappings/*.yaml (not through Tandem's code)
  private static final Map<String, String[]> PROJECTIONS = Map.of(
      "customer", new String[] {
          "SELECT cust_id AS k, concat_ws('|', cust_id, full_nm, coalesce(email_addr, '<null>'),"
              + " (balance * 100)::bigint, CASE status_cd WHEN 'A' THEN 'ACTIVE' WHEN 'S' THEN 'SUSPENDED'"
              + " WHEN 'C' THEN 'CLOSED' END, " + amsterdamMillis("created_local") + ", floor(extract(epoch FROM updated_at) * 1000)::bigint, 'NL') AS v"
              + " FROM customers WHERE status_cd <> 'X'",
          "SELECT id AS k, concat_ws('|', id, name, coalesce(email, '<null>'), balance_cents, status,"
              + " floor(extract(epoch FROM created_at) * 1000)::bigint, floor(extract(epoch FROM updated_at) * 1000)::bigint,"
              + " country) AS v FROM customer"},
      "address", new String[] {
          "SELECT addr_id AS k, concat_ws('|', addr_id, cust_id, line1, city, coalesce(postcode, '<null>'),"
              + " coalesce(country_cd, 'NL')) AS v FROM addresses",
          "SELECT id AS k, concat_ws('|', id, customer_id, line1, city, coalesce(postcode, '<null>'), country) AS v"
              + " FROM address"},
      "customer_order", new String[] {
          "SELECT order_no AS k, concat_ws('|', order_no, cust_id, (total_amt * 100)::bigint, currency,"
              + " CASE order_status WHEN 1 THEN 'NEW' WHEN 2 THEN 'PAID' WHEN 3 THEN 'SHIPPED' WHEN 9 THEN 'CANCELLED' END,"
              + " " + amsterdamMillis("placed_local") + ") AS v FROM orders",
          "SELECT id AS k, concat_ws('|', id, customer_id, total_cents, currency, status,"
              + " floor(extract(epoch FROM placed_at) * 1000)::bigint) AS v FROM customer_order"});

  static String checksum(Connection connection, String projection, Set<Long> excluded) throws SQLException {
    String exclude = excluded.isEmpty() ? "" : " WHERE k NOT IN (" + excluded.stream().map(String::valueOf)
        .collect(Collectors.joining(",")) + ")";
    String sql = "SELECT count(*), coalesce(sum(('x' || substr(md5(v), 1, 15))::bit(60)::bigint), 0)"
        + " FROM (" + projection + ") p" + exclude;
    try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1) + ":" + rs.getBigDecimal(2);
    }
  }

  Map<String, String> checksums(boolean legacySide, Map<String, Set<Long>> excluded) throws SQLException {
    Map<String, String> sums = new java.util.TreeMap<>();
    try (Connection connection = legacySide ? connect(legacyServer, legacyDb) : connect(newServer, newDb)) {
      for (var entry : PROJECTIONS.entrySet()) {
        sums.put(entry.getKey(), checksum(connection, entry.getValue()[legacySide ? 0 : 1],
            excluded.getOrDefault(entry.getKey(), Set.of())));
      }
    }
    return sums;
  }

  /** Waits until the checksums of both sides are equal; returns them. */
  Map<String, String> awaitChecksumsEqual(Duration atMost) {
    return awaitChecksumsEqual(atMost, Map.of());
  }

  Map<String, String> awaitChecksumsEqual(Duration atMost, Map<String, Set<Long>> excluded) {
    Map<String, String> last = new HashMap<>();
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Map<String, String> legacy = checksums(true, excluded);
      Map<String, String> fresh = checksums(false, excluded);
      assertThat(fresh).as("new vs legacy checksums (count:sum)").isEqualTo(legacy);
      last.putAll(legacy);
    });
    LOG.info("Checksums equal: {}", last);
    return last;
  }

  // ---- Tandem's verifier ----

  VerificationReport verify() throws InterruptedException {
    Verifier verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
    return verifier.pass(new Verifier.Request(List.of(), null, false, false), EntityVerifier.Progress.NONE,
        Clock.systemUTC());
  }

  void assertVerifierClean() throws InterruptedException {
    VerificationReport report = verify();
    assertThat(report.clean()).as("verifier: %s", report.toJson()).isTrue();
    assertThat(report.entities()).extracting(EntityResult::rowsChecked).allMatch(n -> n > 0);
  }

  // ---- dead letters ----

  record DeadLetter(String topic, String reason, String key) {}

  List<DeadLetter> deadLetters() {
    List<DeadLetter> letters = new ArrayList<>();
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : DLQ_TOPICS) {
        var infos = consumer.listTopics(Duration.ofSeconds(10)).get(topic);
        if (infos != null) {
          infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
        }
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          Header reason = record.headers().lastHeader("tandem.dlq.reason");
          letters.add(new DeadLetter(record.topic(), reason == null ? null : new String(reason.value(),
              StandardCharsets.UTF_8), record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8)));
        }
      }
    }
    return letters;
  }

  // ---- the workload ----

  /**
   * Writers on legacy at a fixed total rate, each change its own transaction: customers inserted, updated
   * (balance, name, status — also in and out of the 'X' filter) and deleted; orders inserted and deleted;
   * addresses updated. A writer whose connection breaks (a restarted server) reconnects and goes on.
   */
  static final class Writers implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong changes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong nextCustomer;
    private final AtomicLong nextOrder = new AtomicLong(5_000_000_000L);
    private final List<Thread> threads = new ArrayList<>();

    private Writers(long existing) {
      this.nextCustomer = new AtomicLong(existing + 1);
    }

    static Writers start(Supplier<Connection> connections, int threads, int ratePerSecond, long existing) {
      Writers writers = new Writers(existing);
      long interval = 1_000_000_000L * threads / ratePerSecond;
      for (int t = 0; t < threads; t++) {
        Thread thread = new Thread(() -> writers.loop(connections, interval), "fault-writer-" + t);
        thread.setDaemon(true);
        writers.threads.add(thread);
        thread.start();
      }
      return writers;
    }

    long changes() {
      return changes.get();
    }

    private void loop(Supplier<Connection> connections, long intervalNanos) {
      Connection connection = null;
      long next = System.nanoTime();
      while (running.get()) {
        try {
          if (connection == null) {
            connection = connections.get();
          }
          writeOne(connection);
          changes.incrementAndGet();
        } catch (RuntimeException | SQLException e) {
          failures.incrementAndGet();
          closeQuietly(connection);
          connection = null;
          pause(200);
        }
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        } else if (wait < -1_000_000_000L) {
          next = System.nanoTime();
        }
      }
      closeQuietly(connection);
    }

    private void writeOne(Connection connection) throws SQLException {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      long existing = nextCustomer.get() - 1;
      long customer = random.nextLong(1, existing + 1);
      int dice = random.nextInt(100);
      if (dice < 15) {
        long id = nextCustomer.getAndIncrement();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO customers (cust_id, full_nm, email_addr,"
            + " balance, status_cd, created_local) VALUES (?, ?, ?, ?, ?, ?)")) {
          insert.setLong(1, id);
          insert.setString(2, "Writer " + id);
          insert.setString(3, random.nextBoolean() ? null : "w" + id + "@example.com");
          insert.setBigDecimal(4, BigDecimal.valueOf(random.nextLong(0, 10_000_000), 2));
          insert.setString(5, "A");
          insert.setTimestamp(6, Timestamp.valueOf(LocalDateTime.of(2020, 1, 1, 12, 0).plusMinutes(random.nextInt(100_000))));
          insert.executeUpdate();
        }
      } else if (dice < 50) {
        update(connection, "UPDATE customers SET balance = ?, updated_at = now() WHERE cust_id = ?",
            BigDecimal.valueOf(random.nextLong(0, 10_000_000), 2), customer);
      } else if (dice < 60) {
        update(connection, "UPDATE customers SET full_nm = ?, email_addr = NULL WHERE cust_id = ?",
            "Renamed " + random.nextInt(1000), customer);
      } else if (dice < 68) {
        update(connection, "UPDATE customers SET status_cd = ? WHERE cust_id = ?",
            new String[] {"A", "S", "C", "X"}[random.nextInt(4)], customer);
      } else if (dice < 70) {
        update(connection, "DELETE FROM customers WHERE cust_id = ?", customer);
      } else if (dice < 85) {
        long order = nextOrder.getAndIncrement();
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (order_no, cust_id, total_amt,"
            + " currency, order_status, placed_local) VALUES (?, ?, ?, 'EUR', ?, ?)")) {
          insert.setLong(1, order);
          insert.setLong(2, customer);
          insert.setBigDecimal(3, BigDecimal.valueOf(random.nextLong(0, 1_000_000), 2));
          insert.setShort(4, (short) new int[] {1, 2, 3, 9}[random.nextInt(4)]);
          insert.setTimestamp(5, Timestamp.valueOf(LocalDateTime.of(2025, 6, 1, 12, 0).plusMinutes(random.nextInt(10_000))));
          insert.executeUpdate();
        }
      } else if (dice < 93) {
        update(connection, "DELETE FROM orders WHERE order_no = ?",
            random.nextBoolean() ? customer * 10 : nextOrder.get() - 1 - random.nextInt(10));
      } else {
        update(connection, "UPDATE addresses SET city = ?, postcode = NULL WHERE addr_id = ?",
            "City " + random.nextInt(100), customer);
      }
    }

    private static void update(Connection connection, String sql, Object... parameters) throws SQLException {
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          statement.setObject(i + 1, parameters[i]);
        }
        statement.executeUpdate();
      }
    }

    @Override
    public void close() {
      running.set(false);
      for (Thread thread : threads) {
        try {
          thread.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      LOG.info("Writers: {} changes, {} failed attempts", changes.get(), failures.get());
    }

    private static void closeQuietly(Connection connection) {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException e) {
          // broken anyway
        }
      }
    }

    private static void pause(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
