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
  // 1. Kafka broker stopped 30 s mid-stream
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void brokerOutage() throws Exception {
    seed(300);
    startInProcess(postgresUrl(newServer, newDb));
    awaitChecksumsEqual(Duration.ofSeconds(120));
    try (Writers writers = Writers.start(() -> connect(legacyServer, legacyDb), 2, 100, 300)) {
      awaitApplied(writers, 200);
      kafka.stop();
      Instant stopped = Instant.now();
      long changesBefore = writers.changes();
      Thread.sleep(30_000);
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
  // 2. New database unreachable 60 s
  // ---------------------------------------------------------------------------------------------------------

  @Test
  void newDatabaseUnreachable() throws Exception {
    seed(300);
    try (TcpProxy proxy = new TcpProxy(newServer.host(), newServer.port())) {
      startInProcess("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + newDb + "?connectTimeout=5&socketTimeout=30");
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
        Thread.sleep(Math.max(0, 60_000 - Duration.between(cut, Instant.now()).toMillis()));
        assertThat(supervisor.firstFailure()).as("the sink rides out the outage").isEmpty();
        long retries = sink.stats().retries() - retriesBefore;
        String metricsDuring = retryMeters();
        LOG.info("FAULT new-db: at the end of the outage: {}; metrics: {}", sink.status(), metricsDuring);
        proxy.restore();
        Instant restored = Instant.now();
        Duration resumed = awaitCommittedAfter(restored, Duration.ofSeconds(120));
        LOG.info("FAULT new-db: {} retries during the 60 s; a change committed after the restore was in new {} ms"
            + " after it", retries, resumed.toMillis());
        assertThat(retries).isPositive();
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
  // helpers
  // ---------------------------------------------------------------------------------------------------------

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

  // legacy → the new model, written out in SQL by hand from schemas/mappings/*.yaml (not through Tandem's code)
  private static final Map<String, String[]> PROJECTIONS = Map.of(
      "customer", new String[] {
          "SELECT cust_id AS k, concat_ws('|', cust_id, full_nm, coalesce(email_addr, '<null>'),"
              + " (balance * 100)::bigint, CASE status_cd WHEN 'A' THEN 'ACTIVE' WHEN 'S' THEN 'SUSPENDED'"
              + " WHEN 'C' THEN 'CLOSED' END, floor(extract(epoch FROM created_local AT TIME ZONE 'Europe/Amsterdam')"
              + " * 1000)::bigint, floor(extract(epoch FROM updated_at) * 1000)::bigint, 'NL') AS v"
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
              + " floor(extract(epoch FROM placed_local AT TIME ZONE 'Europe/Amsterdam') * 1000)::bigint) AS v FROM orders",
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
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(10_000);
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
