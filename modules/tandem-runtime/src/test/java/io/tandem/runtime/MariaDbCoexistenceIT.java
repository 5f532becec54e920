package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.CaptureEngine;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.MariaDbShop;
import io.tandem.embedded.PacedWriters;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.Selector;
import io.tandem.routing.Target;
import io.tandem.routing.WriteFencedException;
import io.tandem.routing.WriteGuard;
import io.tandem.sink.JdbcSink;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifySettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coexistence with a legacy MariaDB (the machine's server, binlog on) and the new PostgreSQL, as {@code tandem run
 * --components capture,transform,sink,reverse} deploys it: reverse sync writes new-side changes back into MariaDB
 * (the MariaDB legacy writer, Tandem's tables created by the MariaDB migrations), neither side echoes what the
 * other applied (MariaDB transactions told by their GTID), and fenced write switches move a cohort's writes to new
 * and back under guarded writers with nothing lost or doubled (the fence row locked in share mode).
 */
class MariaDbCoexistenceIT {
  private static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
  static EmbeddedPostgresServer postgres;

  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String legacyDb;
  String newDb;

  @TempDir
  Path work;

  @BeforeAll
  static void start() {
    try (Connection ignored = DriverManager.getConnection(URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage()
          + "; .ci/run starts it and turns its binlog on");
    }
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @BeforeEach
  void startStack() throws SQLException {
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacyDb = "tandem_coex_" + UUID.randomUUID().toString().substring(0, 8);
    newDb = postgres.createDatabase("target");
    legacySql("", "CREATE DATABASE " + legacyDb + " CHARACTER SET utf8mb4");
    try (Connection legacy = DriverManager.getConnection(URL + legacyDb, "root", "")) {
      MariaDbShop.createSchema(legacy);
      LegacyShop.seed(legacy, 200, 5);
    }
  }

  @AfterEach
  void stopStack() throws SQLException {
    registry.close();
    kafka.close();
    legacySql("", "DROP DATABASE " + legacyDb);
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
          + newSlot() + "'");
    }
  }

  private String newSlot() {
    return "slot_" + newDb;
  }

  private String routingTopic() {
    return "routing_" + newDb;
  }

  private record Running(Deployment deployment, Supervisor supervisor) implements AutoCloseable {
    @Override
    public void close() {
      supervisor.stop();
    }

    JdbcSink forwardSink() {
      return deployment.sink().orElseThrow();
    }

    JdbcSink legacySink() {
      return deployment.legacySink().orElseThrow();
    }

    CaptureEngine legacyCapture() {
      return deployment.capture().orElseThrow();
    }

    CaptureEngine newCapture() {
      return deployment.reverseCapture().orElseThrow();
    }
  }

  private Running startBoth() throws Exception {
    TandemConfig config = MariaDbStack.config(kafka.bootstrapServers(), registry.url(), legacyDb,
        postgres.jdbcUrl(newDb), postgres.user(),
        MariaDbShop.schemasReading(legacyDb, ROOT.resolve("schemas"), work.resolve("schemas")), work.resolve("streams"),
        Optional.empty(), VerifySettings.defaults().statusTopic())
        .withCoexistence(CoexistenceSettings.withConnector(ROOT.resolve("connectors/new-postgres.properties"))
            .withRoutingTopic(routingTopic()));
    Deployment deployment = Deployment.plan(config, java.util.EnumSet.of(ComponentName.CAPTURE,
        ComponentName.TRANSFORM, ComponentName.SINK, ComponentName.REVERSE), Map.of("NEW_SLOT_NAME", newSlot(),
        "NEW_PUBLICATION_NAME", newSlot(), "TANDEM_NEW_OFFSET_TOPIC", "offsets_" + newDb,
        "TANDEM_OFFSET_REPLICATION_FACTOR", "1"));
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    return new Running(deployment, supervisor);
  }

  @Test
  void newSideWritesReachMariaDbAndNeitherSyncSendsBackWhatTheOtherApplied() throws Exception {
    try (Running both = startBoth()) {
      awaitClean(both);
      await().atMost(Duration.ofSeconds(60)).until(() -> both.newCapture().lastBatchAt().isPresent());

      // Only legacy writes: forward sync carries them, the new capture recognises the forward sink's writes.
      for (int id = 1; id <= 20; id++) {
        legacySql(legacyDb, "UPDATE customers SET full_nm = 'Legacy " + id + "', balance = balance + 1 WHERE cust_id = "
            + id);
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> "Legacy 20".equals(newName(20)));
      await().atMost(Duration.ofSeconds(20)).until(() -> both.newCapture().stats().echoSuppressed() > 0);
      assertThat(both.legacySink().stats().records()).as("reverse sync applied nothing").isZero();
      long forwardApplied = SinkCounters.settled(() -> both.forwardSink().stats().records());
      String customers = legacyDb + ".customers";
      long legacyCustomerEvents = both.legacyCapture().stats().eventsByTable().getOrDefault(customers, 0L);

      // Only new writes, on keys new owns: reverse sync writes them into MariaDB.
      long changed = firstNewId(20);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(changed),
          "500001", "500002")), Phase.NEW, -1));
      newSql("UPDATE customer SET name = 'Changed on new', balance_cents = 4242 WHERE id = " + changed,
          "INSERT INTO customer (id, name, email, balance_cents, status, created_at, updated_at, country)"
              + " VALUES (500001, 'Born on new ✓', 'new@example.com', 1999, 'SUSPENDED', '2026-03-29T01:30:00Z',"
              + " '2026-12-05T10:00:00.123456Z', 'NL')",
          "INSERT INTO customer (id, name, balance_cents, status, created_at, updated_at, country)"
              + " VALUES (500002, 'Short-lived', 0, 'ACTIVE', now(), now(), 'NL')",
          "DELETE FROM customer WHERE id = 500002");
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(legacyRow(changed)).startsWith("Changed on new|42.42|");
        assertThat(legacyRow(500001)).isEqualTo("Born on new ✓|19.99|S|2026-03-29 03:30:00.000000"
            + "|2026-12-05 10:00:00.123456"); // Amsterdam wall clock (CEST from 02:00 UTC+1); UTC instant
        assertThat(legacyRow(500002)).isNull();
      });
      awaitClean(both);
      Thread.sleep(3000); // time for forward sync to (wrongly) carry the reverse sink's writes back
      assertThat(both.legacyCapture().stats().eventsByTable().getOrDefault(customers, 0L))
          .as("nothing of the reverse sink's transactions produced").isEqualTo(legacyCustomerEvents);
      assertThat(both.legacyCapture().stats().echoSuppressed()).as("reverse-sink writes recognised").isPositive();
      assertThat(both.forwardSink().stats().records()).as("forward sync applied nothing").isEqualTo(forwardApplied);
      try (Connection legacy = DriverManager.getConnection(URL + legacyDb, "root", "");
          Statement statement = legacy.createStatement();
          ResultSet rows = statement.executeQuery("SELECT count(*), sum(deleted) FROM tandem_applied_positions"
              + " WHERE entity = 'customer'")) {
        rows.next();
        assertThat(rows.getLong(1)).as("positions kept per key").isEqualTo(3);
        assertThat(rows.getLong(2)).as("500002's delete").isEqualTo(1);
      }
      // A stray legacy write to a key new owns is a conflict, not applied.
      legacySql(legacyDb, "UPDATE customers SET full_nm = 'Stray legacy write' WHERE cust_id = " + changed);
      await().atMost(Duration.ofSeconds(60)).until(() -> both.forwardSink().conflicts("customer") == 1);
      assertThat(newName(changed)).isEqualTo("Changed on new");
      assertThat(both.supervisor().firstFailure()).isEmpty();
    }
  }

  @Test
  void guardedWritersSurviveCutoversAndUndosOnMariaDbWithNothingLostOrDoubled() throws Exception {
    try (Running both = startBoth()) {
      awaitClean(both);
      await().atMost(Duration.ofSeconds(60)).until(() -> both.newCapture().lastBatchAt().isPresent());
      long moving = firstNewId(20);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(moving))),
          Phase.NEW_READS, -1));
      long startCents = legacyCents(moving);
      try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
          routingTopic(), Duration.ofSeconds(30))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> routing.version() >= 2);
        org.mariadb.jdbc.MariaDbDataSource legacy = new org.mariadb.jdbc.MariaDbDataSource(URL + legacyDb);
        legacy.setUser("root");
        org.postgresql.ds.PGSimpleDataSource fresh = new org.postgresql.ds.PGSimpleDataSource();
        fresh.setURL(postgres.jdbcUrl(newDb));
        fresh.setUser(postgres.user());
        WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, legacy, Target.NEW, fresh));
        PacedWriters writers = PacedWriters.start(2, 0, List.of(moving), key -> increment(guard, key), key -> { });
        Thread.sleep(500);
        for (int round = 1; round <= 3; round++) {
          switchTo(routing, "up-" + round, Phase.NEW, false);
          Thread.sleep(700);
          switchTo(routing, "down-" + round, Phase.NEW_READS, true);
          Thread.sleep(700);
        }
        writers.stop();
        long expected = startCents + writers.acknowledged(moving);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          assertThat(legacyCents(moving)).as("legacy: every acknowledged write, once").isEqualTo(expected);
          assertThat(newCents(moving)).as("new: every acknowledged write, once").isEqualTo(expected);
        });
        assertThat(writers.failed()).isZero();
        assertThat(writers.acknowledged(moving)).isGreaterThan(30);
        assertThat(writers.refused(moving)).as("writes refused while switches ran").isPositive();
        assertThat(both.forwardSink().conflicts("customer") + both.legacySink().conflicts("customer")).isZero();
        List<Duration> windows = both.deployment().switchCoordinator().orElseThrow().windows();
        assertThat(windows).hasSize(6);
        System.out.printf("MariaDB fence windows (ms): %s; writes %d, refused %d%n",
            windows.stream().map(Duration::toMillis).toList(), writers.acknowledged(), writers.refused());
        awaitClean(both);
        assertThat(both.supervisor().firstFailure()).isEmpty();
      }
    }
  }

  private void awaitClean(Running both) {
    Verifier verifier = new Verifier(both.deployment().verifierSetup(both.deployment().registryClient(null)));
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      VerificationReport report = verifier.pass(new Verifier.Request(List.of(), null, false, false),
          EntityVerifier.Progress.NONE, Clock.systemUTC());
      assertThat(report.clean()).as("%s", report.toJson()).isTrue();
    });
  }

  private static PacedWriters.Outcome increment(WriteGuard guard, long key) {
    try {
      guard.write("customer", Long.toString(key), (target, connection) -> {
        String sql = target == Target.LEGACY
            ? "UPDATE customers SET balance = balance + 0.01 WHERE cust_id = " + key
            : "UPDATE customer SET balance_cents = balance_cents + 1 WHERE id = " + key;
        try (Statement statement = connection.createStatement()) {
          assertThat(statement.executeUpdate(sql)).isEqualTo(1);
        }
        return null;
      });
      return PacedWriters.Outcome.ACKNOWLEDGED;
    } catch (WriteFencedException e) {
      return PacedWriters.Outcome.REFUSED;
    } catch (Exception | AssertionError e) {
      return PacedWriters.Outcome.FAILED;
    }
  }

  private void switchTo(RoutingClient routing, String id, Phase phase, boolean rollback) throws Exception {
    try (RoutingLogDriver driver = new RoutingLogDriver(io.tandem.kafka.KafkaClients.of(kafka.bootstrapServers()),
        routing, routingTopic(), "test")) {
      driver.switchTo("customer", "pilot", id, phase, rollback, Duration.ofSeconds(90));
    }
  }

  private void propose(long expectedVersion, Command command) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(routingTopic(), 0, null, ProposalCodec.encode(new Proposal(
          UUID.randomUUID().toString(), expectedVersion, "test", "mariadb coexistence test", java.time.Instant.now(),
          false, command)))).get();
    }
  }

  private long firstNewId(long above) throws SQLException {
    return newLong("SELECT min(id) FROM customer WHERE id > " + above);
  }

  private long newCents(long id) throws SQLException {
    return newLong("SELECT balance_cents FROM customer WHERE id = " + id);
  }

  private long newLong(String query) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private String newName(long id) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT name FROM customer WHERE id = " + id)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private long legacyCents(long id) throws SQLException {
    try (Connection legacy = DriverManager.getConnection(URL + legacyDb, "root", "");
        Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT balance * 100 FROM customers WHERE cust_id = " + id)) {
      rows.next();
      return rows.getBigDecimal(1).longValueExact();
    }
  }

  /** name|balance|status|created_local|updated_at (the latter read in UTC). */
  private String legacyRow(long id) throws SQLException {
    try (Connection legacy = DriverManager.getConnection(URL + legacyDb, "root", "");
        Statement statement = legacy.createStatement()) {
      statement.execute("SET time_zone = '+00:00'");
      try (ResultSet rows = statement.executeQuery("SELECT concat_ws('|', full_nm, balance, status_cd,"
          + " date_format(created_local, '%Y-%m-%d %H:%i:%s.%f'), date_format(updated_at, '%Y-%m-%d %H:%i:%s.%f'))"
          + " FROM customers WHERE cust_id = " + id)) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private void newSql(String... statements) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }

  private static void legacySql(String db, String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }
}
