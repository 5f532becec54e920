package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.CaptureEngine;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.PacedWriters;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward and reverse sync running together as {@code tandem run --components capture,transform,sink,reverse}
 * deploys them, on real parts: embedded PostgreSQL (legacy and new), a KRaft broker, the Kafka-backed
 * registry, Debezium on both databases, Kafka Streams both ways and both JDBC sinks.
 */
class CoexistenceIT {
  static final Path SCHEMAS = Repo.ROOT.resolve("schemas");

  static EmbeddedPostgresServer postgres;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String legacyDb;
  String newDb;

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
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacyDb = postgres.createDatabase("legacy");
    newDb = postgres.createDatabase("target");
    try (Connection legacy = postgres.connect(legacyDb)) {
      LegacyShop.createSchema(legacy, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, 200, 5);
    }
  }

  @AfterEach
  void stopStack() throws SQLException {
    registry.close();
    kafka.close();
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
          + " WHERE slot_name IN ('" + legacySlot() + "', '" + newSlot() + "')");
    }
  }

  private String legacySlot() {
    return "slot_" + legacyDb;
  }

  private String newSlot() {
    return "slot_" + newDb;
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

  private String routingTopic() {
    return "routing_" + newDb;
  }

  private Running start() {
    TandemConfig config = StackConfig.of(kafka.bootstrapServers(), registry.url(), postgres.host(), postgres.port(),
        legacyDb, legacySlot(), postgres.jdbcUrl(newDb), postgres.user(), stateDir)
        .withCoexistence(CoexistenceSettings.withConnector(Repo.ROOT.resolve("connectors/new-postgres.properties"))
            .withRoutingTopic(routingTopic()));
    java.util.Set<ComponentName> components = java.util.EnumSet.of(ComponentName.CAPTURE, ComponentName.TRANSFORM,
        ComponentName.SINK, ComponentName.REVERSE);
    Deployment deployment = Deployment.plan(config, components, Map.of("NEW_SLOT_NAME", newSlot(),
        "NEW_PUBLICATION_NAME", newSlot(), "TANDEM_NEW_OFFSET_TOPIC", "offsets_" + newDb,
        "TANDEM_OFFSET_REPLICATION_FACTOR", "1"));
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        java.time.Clock.systemUTC());
    supervisor.start(() -> true);
    return new Running(deployment, supervisor);
  }

  @Test
  void writesOnEachSideReachTheOtherAndNeitherSyncSendsBackWhatTheOtherApplied() throws Exception {
    try (Running both = start()) {
      awaitEqual();
      // Reverse capture must be streaming before the proof below means anything.
      await().atMost(Duration.ofSeconds(60)).until(() -> both.newCapture().lastBatchAt().isPresent());

      // Only legacy writes: forward sync carries them; reverse sync applies nothing.
      updateLegacy(20, 400);
      awaitEqual();
      long forwardApplied = SinkCounters.settled(() -> both.forwardSink().stats().records());
      assertThat(forwardApplied).isGreaterThan(200);
      await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
          assertThat(both.newCapture().stats().echoSuppressed()).as("forward-sink writes recognised").isPositive());
      assertThat(both.newCapture().stats().eventsByTable()).as("nothing of the forward sink's produced")
          .doesNotContainKey("public.customer");
      assertThat(both.legacySink().stats().records()).as("reverse sync applied nothing").isZero();
      long legacyCustomerEvents = both.legacyCapture().stats().eventsByTable().getOrDefault("public.customers", 0L);

      // Only new writes, on keys new owns: reverse sync carries them back; forward sync applies nothing.
      long changed = firstNewId(20);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(changed),
          "500001", "500002")), Phase.NEW, -1));
      try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
        statement.execute("UPDATE customer SET name = 'Changed on new', balance_cents = 4242 WHERE id = " + changed);
        statement.execute("INSERT INTO customer (id, name, email, balance_cents, status, created_at, updated_at, country)"
            + " VALUES (500001, 'Born on new', 'new@example.com', 1999, 'SUSPENDED', '2026-03-29T01:30:00Z',"
            + " '2026-12-05T10:00:00Z', 'NL')");
        statement.execute("INSERT INTO customer (id, name, balance_cents, status, created_at, updated_at, country)"
            + " VALUES (500002, 'Short-lived', 0, 'ACTIVE', now(), now(), 'NL')");
        statement.execute("DELETE FROM customer WHERE id = 500002");
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        try (Connection legacy = postgres.connect(legacyDb)) {
          assertThat(legacyRow(legacy, changed)).isEqualTo("Changed on new|42.42|" + legacyStatus(legacy, changed));
          assertThat(legacyRow(legacy, 500001)).isEqualTo("Born on new|19.99|S");
          assertThat(legacyRow(legacy, 500002)).isNull();
          assertThat(localCreated(legacy, 500001)).isEqualTo("2026-03-29 03:30:00"); // CEST began at 02:00 UTC+1
        }
      });
      awaitEqual();
      // Three upserts, one of them (500002) maybe superseded by its delete within one batch; counted
      // a moment after the rows are visible.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        var reverseApplied = both.legacySink().stats().entity("customer");
        assertThat(reverseApplied.upserted() + reverseApplied.superseded()).isEqualTo(3);
      });
      // Give forward sync time to (wrongly) carry anything: it must not.
      Thread.sleep(3000);
      assertThat(both.legacyCapture().stats().eventsByTable().getOrDefault("public.customers", 0L))
          .as("nothing of the reverse sink's produced").isEqualTo(legacyCustomerEvents);
      assertThat(both.legacyCapture().stats().echoSuppressed()).as("reverse-sink writes recognised").isPositive();
      assertThat(both.forwardSink().stats().records()).as("forward sync applied nothing").isEqualTo(forwardApplied);
      assertThat(both.supervisor().firstFailure()).isEmpty();
    }
  }

  @Test
  void eachSideAppliesOnlyTheKeysTheOtherOwnsAndAWriteOnTheWrongSideIsARecordedConflict() throws Exception {
    try (Running both = start()) {
      awaitEqual();
      await().atMost(Duration.ofSeconds(60)).until(() -> both.newCapture().lastBatchAt().isPresent());
      long onNew = firstNewId(20);
      long onLegacy = firstNewId(onNew);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(onNew))),
          Phase.NEW, -1));

      // Owned writes: carried across.
      newSql("UPDATE customer SET name = 'Owner new wrote this' WHERE id = " + onNew);
      legacySql("UPDATE customers SET full_nm = 'Owner legacy wrote this' WHERE cust_id = " + onLegacy);
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(legacyName(onNew)).isEqualTo("Owner new wrote this");
        assertThat(newName(onLegacy)).isEqualTo("Owner legacy wrote this");
      });
      // Writes on the side that does not own the key: recorded, not applied.
      legacySql("UPDATE customers SET full_nm = 'Stray legacy write' WHERE cust_id = " + onNew);
      newSql("UPDATE customer SET name = 'Stray new write' WHERE id = " + onLegacy);

      List<JsonNode> conflicts = readConflicts(2);
      JsonNode forward = conflicts.stream().filter(c -> c.get("direction").asText().equals("forward")).findFirst()
          .orElseThrow();
      assertThat(forward.get("entity").asText()).isEqualTo("customer");
      assertThat(forward.get("key").asText()).isEqualTo(Long.toString(onNew));
      assertThat(forward.get("writtenOn").asText()).isEqualTo("legacy");
      assertThat(forward.get("owner").asText()).isEqualTo("new");
      assertThat(forward.get("routingVersion").asLong()).isEqualTo(2);
      assertThat(forward.get("cohort").asText()).isEqualTo("pilot");
      assertThat(forward.get("phase").asText()).isEqualTo("NEW");
      assertThat(forward.at("/incoming/row/name").asText()).isEqualTo("Stray legacy write");
      assertThat(forward.at("/current/name").asText()).isEqualTo("Owner new wrote this");
      JsonNode reverse = conflicts.stream().filter(c -> c.get("direction").asText().equals("reverse")).findFirst()
          .orElseThrow();
      assertThat(reverse.get("key").asText()).isEqualTo(Long.toString(onLegacy));
      assertThat(reverse.get("writtenOn").asText()).isEqualTo("new");
      assertThat(reverse.get("cohort").isNull()).isTrue();
      assertThat(reverse.get("phase").asText()).isEqualTo("LEGACY");
      assertThat(reverse.at("/incoming/row/full_nm").asText()).isEqualTo("Stray new write");
      assertThat(reverse.at("/current/full_nm").asText()).isEqualTo("Owner legacy wrote this");

      assertThat(newName(onNew)).as("the owner's row stands").isEqualTo("Owner new wrote this");
      assertThat(legacyName(onLegacy)).isEqualTo("Owner legacy wrote this");
      assertThat(both.forwardSink().conflicts("customer")).isEqualTo(1);
      assertThat(both.legacySink().conflicts("customer")).isEqualTo(1);
      assertThat(both.supervisor().firstFailure()).isEmpty();
    }
  }

  @Test
  void guardedWritesOnTwoCohortsSurviveFiveCutoversAndUndosOfOneWithNothingLostOrDoubled() throws Exception {
    try (Running both = start()) {
      awaitEqual();
      await().atMost(Duration.ofSeconds(60)).until(() -> both.newCapture().lastBatchAt().isPresent());
      long moving = firstNewId(20);
      long steady = firstNewId(moving);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(moving))),
          Phase.NEW_READS, -1));
      propose(2, new Command.CreateCohort("customer", "steady", new Selector.Keys(Set.of(Long.toString(steady))),
          Phase.NEW_READS, -1));
      List<Long> keys = List.of(moving, steady);
      Map<Long, Long> startCents = Map.of(moving, legacyCents(moving), steady, legacyCents(steady));

      try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
          routingTopic(), Duration.ofSeconds(30))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> routing.version() >= 3);
        WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, dataSource(legacyDb),
            Target.NEW, dataSource(newDb)));
        PacedWriters writers = PacedWriters.start(2, 0, keys, key -> increment(guard, key), key -> { });
        Thread.sleep(500);
        for (int round = 1; round <= 5; round++) {
          switchTo(routing, "up-" + round, Phase.NEW, false);
          Thread.sleep(700);
          switchTo(routing, "down-" + round, Phase.NEW_READS, true);
          Thread.sleep(700);
        }
        writers.stop();

        // An independent SQL checksum per key: start + every acknowledged write, once, on both sides.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
          for (long key : keys) {
            long expected = startCents.get(key) + writers.acknowledged(key);
            assertThat(legacyCents(key)).as("legacy %d: every acknowledged write, once", key).isEqualTo(expected);
            assertThat(newCents(key)).as("new %d: every acknowledged write, once", key).isEqualTo(expected);
          }
        });
        awaitEqual();
        assertThat(writers.failed()).isZero();
        assertThat(writers.acknowledged(moving)).isGreaterThan(50);
        assertThat(writers.acknowledged(steady)).isGreaterThan(50);
        assertThat(writers.refused(moving)).as("the moving cohort's writes were refused while switches ran")
            .isPositive();
        assertThat(writers.refused(steady)).as("the other cohort's writes never were").isZero();
        assertThat(both.forwardSink().conflicts("customer") + both.legacySink().conflicts("customer"))
            .as("no write landed on the side that did not own the key").isZero();
        List<Duration> windows = both.deployment().switchCoordinator().orElseThrow().windows();
        assertThat(windows).hasSize(10);
        System.out.printf("fence windows (ms): %s; writes %d, refused %d%n",
            windows.stream().map(Duration::toMillis).toList(), writers.acknowledged(), writers.refused());
        assertThat(both.supervisor().firstFailure()).isEmpty();
      }
    }
  }

  @Test
  void reverseSyncKilledMidStreamAndRestartedLosesAndDoublesNothing() throws Exception {
    Process first = startProcess();
    try {
      awaitEqual();
      List<Long> keys = new java.util.ArrayList<>();
      long above = 20;
      for (int i = 0; i < 10; i++) {
        above = firstNewId(above);
        keys.add(above);
      }
      Set<String> keyText = new java.util.TreeSet<>();
      keys.forEach(k -> keyText.add(Long.toString(k)));
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(keyText), Phase.NEW_READS, -1));
      String inList = keys.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
      long start = legacySum(inList);

      try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
          routingTopic(), Duration.ofSeconds(30))) {
        await().atMost(Duration.ofSeconds(60)).until(() -> routing.version() >= 2);
        switchTo(routing, "up", Phase.NEW, false);
        WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, dataSource(legacyDb),
            Target.NEW, dataSource(newDb)));
        PacedWriters writers = PacedWriters.start(1, 0, keys, key -> increment(guard, key), key -> { });
        // Kill while new-side writes are flowing back: some captured, some mapped, some applied to legacy.
        await().atMost(Duration.ofSeconds(60)).until(() -> legacySum(inList) > start + 100);
        first.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        long before = writers.acknowledged();
        // Written while nothing syncs: the restarted capture of new must find them in its slot. 200 (not a batch or
        // queue size of anything) take 5-10 s through the guard, well inside the 30 s limit.
        await().atMost(Duration.ofSeconds(30)).until(() -> writers.acknowledged() > before + 200);
        first = startProcess();
        Thread.sleep(1000);
        writers.stop();
        assertThat(writers.failed()).isZero();

        long expected = start + writers.acknowledged();
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
          assertThat(legacySum(inList)).as("legacy: every write made on new, once").isEqualTo(expected);
          assertThat(newSum(inList)).isEqualTo(expected);
        });
        awaitEqual();
        List<byte[]> conflicts = new java.util.ArrayList<>();
        io.tandem.kafka.TopicFollower.readToEnd(io.tandem.kafka.KafkaClients.of(kafka.bootstrapServers()),
            List.of(JdbcSink.CONFLICT_TOPIC), Duration.ofSeconds(30), r -> conflicts.add(r.value()));
        assertThat(conflicts).as("no write landed on the side that did not own the key").isEmpty();
      }
    } finally {
      first.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * The child runs without static membership, so after a kill its restarted consumer groups (transform, sink,
   * reverse, reverse sink) rebalance only once the killed members' sessions expire: with {@code session.timeout.ms}
   * at 10 s (the Kafka clients' default before 3.0) instead of today's 45 s default that wait, the same rebalance,
   * is 35 s shorter.
   */
  private static final Map<String, String> CHILD_KAFKA = Map.of("session.timeout.ms", "10000");

  /**
   * The child JVM with the serial collector, as the test JVM itself runs (test.argLine), and the C1 compiler only:
   * on 2 cores it then reaches "PIPELINE STARTED" in ~9 s instead of ~15 s, and its few hundred changes need no C2.
   */
  private Process startProcess() throws Exception {
    Process process = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        CoexistenceProcess.class.getName(),
        kafka.bootstrapServers(), registry.url().toString(), postgres.host(), Integer.toString(postgres.port()),
        legacyDb, legacySlot(), postgres.jdbcUrl(newDb), postgres.user(), newSlot(), routingTopic(),
        StackConfig.kafkaPropertiesArgument(CHILD_KAFKA))
        .redirectErrorStream(true).start();
    java.io.BufferedReader output = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8));
    List<String> lines = new java.util.ArrayList<>();
    String line;
    while ((line = output.readLine()) != null) {
      lines.add(line);
      if (line.contains("PIPELINE STARTED")) {
        Thread drain = new Thread(() -> output.lines().forEach(l -> { }), "it-coexistence-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
    }
    throw new AssertionError("coexistence process ended before starting:\n" + String.join("\n", lines));
  }

  private long legacySum(String ids) throws SQLException {
    try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT (sum(balance) * 100)::bigint FROM customers WHERE cust_id IN ("
            + ids + ")")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private long newSum(String ids) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT sum(balance_cents) FROM customer WHERE id IN (" + ids + ")")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Test
  void aReadFromNewRightAfterAWriteOnLegacyNeverSeesTheOlderRow() throws Exception {
    try (Running both = start()) {
      awaitEqual();
      long key = firstNewId(20);
      propose(0, new Command.DefineEntity("customer", List.of()));
      propose(1, new Command.CreateCohort("customer", "pilot", new Selector.Keys(Set.of(Long.toString(key))),
          Phase.NEW_READS, -1));
      try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
          routingTopic(), Duration.ofSeconds(30))) {
        await().atMost(Duration.ofSeconds(30)).until(() -> routing.version() >= 2);
        WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, dataSource(legacyDb),
            Target.NEW, dataSource(newDb)));
        for (int i = 1; i <= 30; i++) {
          String name = "Fresh " + i;
          guard.write("customer", Long.toString(key), (target, connection) -> {
            assertThat(target).isEqualTo(Target.LEGACY);
            try (Statement statement = connection.createStatement()) {
              statement.executeUpdate("UPDATE customers SET full_nm = '" + name + "' WHERE cust_id = " + key);
            }
            return null;
          });
          // NEW_READS: reads go to new, which applies the write ~0.1-0.3 s later; the read must wait for it.
          String seen = guard.read("customer", Long.toString(key), "public.customer", "id", Duration.ofSeconds(10),
              (target, connection) -> nameOn(target, connection, key));
          assertThat(seen).as("read %d right after the write", i).isEqualTo("NEW:" + name);
        }
        guard.write("customer", Long.toString(key), (target, connection) -> {
          try (Statement statement = connection.createStatement()) {
            statement.executeUpdate("UPDATE customers SET full_nm = 'No time to wait' WHERE cust_id = " + key);
          }
          return null;
        });
        String impatient = guard.read("customer", Long.toString(key), "public.customer", "id", Duration.ZERO,
            (target, connection) -> nameOn(target, connection, key));
        // Either new already had it, or the read was served from legacy: never the older row.
        assertThat(impatient).endsWith(":No time to wait");
        assertThat(impatient.startsWith("LEGACY:")).isEqualTo(guard.staleReadsServedFromLegacy() == 1);
      }
    }
  }

  private static String nameOn(Target target, Connection connection, long key) throws SQLException {
    String sql = target == Target.NEW ? "SELECT name FROM customer WHERE id = " + key
        : "SELECT full_nm FROM customers WHERE cust_id = " + key;
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return target + ":" + rows.getString(1);
    }
  }

  /** Begins a switch of the pilot cohort and waits until the coordinator has completed it. */
  private void switchTo(RoutingClient routing, String id, Phase phase, boolean rollback) throws Exception {
    try (RoutingLogDriver driver = new RoutingLogDriver(io.tandem.kafka.KafkaClients.of(kafka.bootstrapServers()),
        routing, routingTopic(), "test")) {
      driver.switchTo("customer", "pilot", id, phase, rollback, Duration.ofSeconds(90));
    }
  }

  /** One guarded write adding a cent to {@code key}'s balance, on the side that owns it. */
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

  private javax.sql.DataSource dataSource(String db) {
    org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
    source.setURL(postgres.jdbcUrl(db));
    source.setUser(postgres.user());
    return source;
  }

  private long legacyCents(long id) throws SQLException {
    try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT (balance * 100)::bigint FROM customers WHERE cust_id = " + id)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private long newCents(long id) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT balance_cents FROM customer WHERE id = " + id)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void propose(long expectedVersion, Command command) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(routingTopic(), 0, null, ProposalCodec.encode(new Proposal(
          java.util.UUID.randomUUID().toString(), expectedVersion, "test", "coexistence test", java.time.Instant.now(),
          false, command)))).get();
    }
  }

  private List<JsonNode> readConflicts(int count) {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> found = new java.util.ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers(), "group.id", "conflicts-" + newDb, "auto.offset.reset", "earliest"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(JdbcSink.CONFLICT_TOPIC));
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        for (var record : consumer.poll(Duration.ofMillis(200))) {
          found.add(json.readTree(record.value()));
        }
        return found.size() >= count;
      });
    }
    return found;
  }

  private long firstNewId(long above) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT min(id) FROM customer WHERE id > " + above)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private void newSql(String sql) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
      statement.execute(sql);
    }
  }

  private void legacySql(String sql) throws SQLException {
    try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement()) {
      statement.execute(sql);
    }
  }

  private String newName(long id) throws SQLException {
    try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT name FROM customer WHERE id = " + id)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private String legacyName(long id) throws SQLException {
    try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT full_nm FROM customers WHERE cust_id = " + id)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private static String legacyRow(Connection legacy, long id) throws SQLException {
    try (PreparedStatement query = legacy.prepareStatement(
        "SELECT full_nm || '|' || balance::text || '|' || status_cd FROM customers WHERE cust_id = ?")) {
      query.setLong(1, id);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static String legacyStatus(Connection legacy, long id) throws SQLException {
    try (Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT status_cd FROM customers WHERE cust_id = " + id)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static String localCreated(Connection legacy, long id) throws SQLException {
    try (Statement statement = legacy.createStatement(); ResultSet rows = statement.executeQuery(
        "SELECT to_char(created_local, 'YYYY-MM-DD HH24:MI:SS') FROM customers WHERE cust_id = " + id)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private void updateLegacy(int keys, int updates) throws SQLException {
    try (Connection legacy = postgres.connect(legacyDb);
        PreparedStatement update = legacy.prepareStatement(
            "UPDATE customers SET balance = ?, full_nm = ? WHERE cust_id = ?")) {
      for (int i = 0; i < updates; i++) {
        long cents = ThreadLocalRandom.current().nextLong(0, 1_000_000);
        update.setBigDecimal(1, BigDecimal.valueOf(cents, 2));
        update.setString(2, "Legacy " + cents);
        update.setLong(3, 1 + ThreadLocalRandom.current().nextInt(keys));
        update.executeUpdate();
      }
    }
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
}
