package io.tandem.app.dlq;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.app.RunCommand;
import io.tandem.app.TandemCli;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.router.RouterServer;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * {@code tandem dlq} and the audited {@code verify --repair} against a live pipeline: embedded PostgreSQL
 * (legacy and new), a KRaft broker, the registry, {@code tandem run} (capture, transform, sink) and a router
 * replica, all in this JVM. A legacy change the mapping refuses is dead-lettered; the mapping is fixed; the
 * replay brings it through, never over a newer row, once, and only for an operator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DlqCommandIT {
  private static final int CUSTOMERS = 40;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OPERATOR = "operator-token";
  private static final String VIEWER = "viewer-token";
  /** Refused: the mapping knows no 'Q' until it is fixed. */
  private static final long REFUSED = 3;
  /** Refused, then changed again (mapped fine): its newer row must survive the replay. */
  private static final long NEWER = 4;

  private static EmbeddedPostgresServer postgres;
  private static EmbeddedKafkaBroker kafka;
  private static EmbeddedSchemaRegistry registry;
  private static RouterServer router;
  private static RunCommand run;
  private static Future<Integer> runResult;
  private static final ExecutorService THREADS = Executors.newCachedThreadPool();
  private static String legacy;
  private static String target;
  private static Path config;
  private static Path schemas;
  private static String rawTopic;

  @BeforeAll
  static void startPipeline() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacy = postgres.createDatabase("legacy");
    target = postgres.createDatabase("target");
    rawTopic = "legacy." + legacy + ".public.customers";
    try (Connection connection = postgres.connect(legacy)) {
      LegacyShop.createSchema(connection, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(connection, CUSTOMERS, 42);
      // Every customer migrated (no test accounts), the two this test refuses active to begin with.
      execute(connection, "UPDATE customers SET status_cd = 'A' WHERE status_cd = 'X' OR cust_id IN (" + REFUSED + ", "
          + NEWER + ")");
      execute(connection, "ANALYZE");
    }
    Path dir = Files.createTempDirectory("dlq-it");
    schemas = dir.resolve("schemas");
    copy(ROOT.resolve("schemas"), schemas); // the mapping is fixed in this copy
    String slot = "tandem_" + legacy;
    config = Files.writeString(dir.resolve("tandem.yaml"), """
        kafka:
          bootstrapServers: %s
          partitions: 2
        registry:
          url: %s
        legacy:
          connector: %s
          env:
            LEGACY_DB_HOST: %s
            LEGACY_DB_PORT: %d
            LEGACY_DB_NAME: %s
            LEGACY_DB_USER: %s
            LEGACY_DB_PASSWORD: ""
            LEGACY_TABLES: %s
            LEGACY_SLOT_NAME: %s
            LEGACY_PUBLICATION_NAME: %s
            TANDEM_OFFSET_REPLICATION_FACTOR: 1
        target:
          jdbcUrl: %s
          user: %s
          password: ""
        schemas:
          dir: %s
        transform:
          applicationId: tandem-dlq-it
          stateDir: %s
        metrics:
          host: 127.0.0.1
          port: 0
        verify:
          chunkSize: 100
          recheckDelayMs: 1000
        """.formatted(kafka.bootstrapServers(), registry.url(), ROOT.resolve("connectors/legacy-postgres.properties"),
        postgres.host(), postgres.port(), legacy, postgres.user(), String.join(",", LegacyShop.TABLES), slot, slot,
        postgres.jdbcUrl(target), postgres.user(), schemas, dir.resolve("streams")));
    startRun();
    RouterSettings settings = new RouterSettings("127.0.0.1", 0, Map.of("bootstrap.servers", kafka.bootstrapServers()),
        "tandem.routing", (short) -1, Map.of("customer", List.of(), "address", List.of()),
        Map.of(TokenAuth.hash(OPERATOR), new RouterSettings.Token("olga", Role.OPERATOR),
            TokenAuth.hash(VIEWER), new RouterSettings.Token("victor", Role.VIEWER)),
        List.of(), 10, RouterSettings.Gates.disabled());
    router = RouterServer.start(settings,
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
        r -> { });
  }

  private static void startRun() {
    run = new RunCommand(Map.of(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
    RunCommand started = run;
    runResult = THREADS.submit(() -> new CommandLine(started).execute("--config", config.toString(),
        "--components", "capture,transform,sink", "--shutdown-timeout", "45s"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (run != null) {
      run.shutdown();
    }
    if (router != null) {
      router.close();
    }
    THREADS.shutdownNow();
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
    if (postgres != null) {
      try (Connection connection = postgres.connect(legacy)) {
        execute(connection, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE NOT active");
      } catch (SQLException ignored) {
        // the slot goes with the server
      }
      postgres.close();
    }
  }

  record Result(int exit, String out, String err) {}

  /** Runs {@code tandem <args>} as the CLI does, with the config file for dlq and verify. */
  static Result tandem(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TandemCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    if (args[0].equals("dlq")) {
      all.addAll(2, List.of("--config", config.toString()));
    }
    int exit = cli.execute(all.toArray(String[]::new));
    return new Result(exit, out.toString(), err.toString());
  }

  static Result verify(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--config", config.toString(), "--no-progress", "--no-publish"));
    all.addAll(List.of(args));
    int exit = new CommandLine(new io.tandem.app.verify.VerifyCommand(Map.of(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
        .execute(all.toArray(String[]::new));
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String routerUrl() {
    return "http://127.0.0.1:" + router.port();
  }

  @Test
  @Order(1)
  void aRecordTheMappingRefusesLandsInTheTransformsDeadLetters() throws Exception {
    await().ignoreExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .until(() -> count("SELECT count(*) FROM customer") == CUSTOMERS);
    try (Connection old = postgres.connect(legacy)) {
      execute(old, "UPDATE customers SET status_cd = 'Q', full_nm = 'Refused Once' WHERE cust_id = " + REFUSED);
      execute(old, "UPDATE customers SET status_cd = 'Q', full_nm = 'Older Name' WHERE cust_id = " + NEWER);
      execute(old, "UPDATE customers SET status_cd = 'A', full_nm = 'Newer Name' WHERE cust_id = " + NEWER);
    }
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> "Newer Name".equals(text("SELECT name FROM customer WHERE id = " + NEWER)));
    assertThat(text("SELECT status FROM customer WHERE id = " + REFUSED)).isEqualTo("ACTIVE");

    Result list = tandem("dlq", "list", "--json");
    assertThat(list.exit()).as(list.err()).isZero();
    JsonNode transform = stage(JSON.readTree(list.out()), "transform");
    assertThat(transform.path("records").asLong()).isEqualTo(2);
    assertThat(transform.path("pending").asLong()).isEqualTo(2);
    assertThat(transform.path("reasons").get(0).path("reason").asText()).contains("unknown code 'Q'");
    assertThat(transform.path("reasons").get(0).path("count").asLong()).isEqualTo(2);
    assertThat(stage(JSON.readTree(list.out()), "sink").path("records").asLong()).isZero();

    Result text = tandem("dlq", "list", "--stage", "transform");
    assertThat(text.out()).contains("transform").contains("tandem.dlq.transform").contains("2× ");

    Result show = tandem("dlq", "show", "--stage", "transform", "--entity", "customer");
    assertThat(show.exit()).as(show.err()).isZero();
    assertThat(show.out()).contains("reason:    mapping").contains("unknown code 'Q'")
        .contains("source:    " + rawTopic + "/").contains("position:  ").contains("cust_id")
        .contains("bytes; --show-values prints it").doesNotContain("Refused Once");
    Result values = tandem("dlq", "show", "--stage", "transform", "--show-values");
    assertThat(values.out()).contains("Refused Once").contains("Older Name");
    assertThat(tandem("dlq", "show", "--stage", "transform", "--limit", "1").out()).contains("… 1 more match");
    Result otherEntity = tandem("dlq", "show", "--entity", "address");
    assertThat(otherEntity.out()).startsWith("No dead letters match");
  }

  @Test
  @Order(2)
  void badInputIsAUsageErrorAndReadsNothing() {
    Result unknownStage = tandem("dlq", "list", "--stage", "mapping");
    assertThat(unknownStage.exit()).isEqualTo(2);
    assertThat(unknownStage.err()).contains("unknown stage 'mapping'").contains("transform");
    Result unknownEntity = tandem("dlq", "show", "--entity", "invoice");
    assertThat(unknownEntity.exit()).isEqualTo(2);
    assertThat(unknownEntity.err()).contains("unknown entity 'invoice'");
    Result capture = tandem("dlq", "replay", "--stage", "capture", "--reason", "x", "--unaudited");
    assertThat(capture.exit()).isEqualTo(2);
    assertThat(capture.err()).contains("cannot be replayed").contains("verify --repair");
    Result noReason = tandem("dlq", "replay", "--stage", "transform", "--unaudited");
    assertThat(noReason.exit()).isEqualTo(2);
    assertThat(noReason.err()).contains("--reason is required");
    Result unaudited = tandem("dlq", "replay", "--stage", "transform", "--reason", "x");
    assertThat(unaudited.exit()).isEqualTo(2);
    assertThat(unaudited.err()).contains("operator action").contains("--router").contains("--unaudited");
    Result badRange = tandem("dlq", "show", "--from-offset", "5", "--to-offset", "4");
    assertThat(badRange.exit()).isEqualTo(2);
    Result tooMany = tandem("dlq", "show", "--limit", "100000");
    assertThat(tooMany.exit()).isEqualTo(2);
    Result secretUrl = tandem("dlq", "replay", "--reason", "x", "--router", "ftp://user:s3cret@host/");
    assertThat(secretUrl.exit()).isEqualTo(2);
    assertThat(secretUrl.err()).doesNotContain("s3cret");
  }

  @Test
  @Order(3)
  void afterTheMappingIsFixedAViewerCannotReplayAndNothingGoesBack() throws Exception {
    // The fix: 'Q' (a new legacy code) means suspended. The transform restarts with it.
    assertThat(run.shutdown()).isZero();
    Path mapping = schemas.resolve("mappings/customer.yaml");
    Files.writeString(mapping, Files.readString(mapping).replace("C: CLOSED }", "C: CLOSED, Q: SUSPENDED }"));
    startRun();
    try (Connection old = postgres.connect(legacy)) {
      execute(old, "UPDATE customers SET full_nm = 'Pipeline Running' WHERE cust_id = 1");
    }
    await().ignoreExceptions().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .until(() -> "Pipeline Running".equals(text("SELECT name FROM customer WHERE id = 1")));
    assertThat(text("SELECT status FROM customer WHERE id = " + REFUSED)).as("not processed again by itself")
        .isEqualTo("ACTIVE");

    long rawEnd = endOffsets(rawTopic);
    Result viewer = tandem("dlq", "replay", "--stage", "transform", "--reason", "mapping knows Q now",
        "--router", routerUrl(), "--token", VIEWER);
    assertThat(viewer.exit()).as(viewer.out() + viewer.err()).isEqualTo(1);
    assertThat(viewer.err()).contains("refused by the router").contains("HTTP 403").contains("nothing was done");
    assertThat(endOffsets(rawTopic)).as("nothing put back").isEqualTo(rawEnd);
    assertThat(endOffsets(ReplayMarkers.TOPIC)).as("nothing marked").isZero();

    Result dryRun = tandem("dlq", "replay", "--stage", "transform", "--dry-run");
    assertThat(dryRun.exit()).as(dryRun.err()).isZero();
    assertThat(dryRun.out()).contains("2 to replay").contains("would replay tandem.dlq.transform/0/")
        .contains("Dry run: nothing replayed, nothing recorded.");
    assertThat(endOffsets(rawTopic)).isEqualTo(rawEnd);
  }

  @Test
  @Order(4)
  void anOperatorsReplayBringsTheRecordThroughButNeverOverANewerRow() throws Exception {
    Map<Long, Long> positions = deadLetterPositions();
    assertThat(positions).containsOnlyKeys(REFUSED, NEWER);
    long newerRowPosition = number("SELECT _tandem_position FROM customer WHERE id = " + NEWER);
    assertThat(newerRowPosition).isGreaterThan(positions.get(NEWER));
    long rawEnd = endOffsets(rawTopic);

    Result replay = tandem("dlq", "replay", "--stage", "transform", "--entity", "customer", "--reason",
        "mapping knows Q now", "--router", routerUrl(), "--token", OPERATOR);
    assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
    assertThat(replay.out()).contains("2 to replay").contains("Replayed 2 dead letter(s)").contains("by olga");
    assertThat(replay.err()).contains("recorded in the router's audit as dlq-replay by olga");
    assertThat(endOffsets(rawTopic)).isEqualTo(rawEnd + 2);

    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> "SUSPENDED".equals(text("SELECT status FROM customer WHERE id = " + REFUSED)));
    assertThat(text("SELECT name FROM customer WHERE id = " + REFUSED)).isEqualTo("Refused Once");
    assertThat(number("SELECT _tandem_position FROM customer WHERE id = " + REFUSED))
        .as("the replayed change keeps its original position").isEqualTo(positions.get(REFUSED));

    // The older change of NEWER went through the transform too (now mapped) and reached the sink, which
    // kept the newer row.
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> migratedWithPosition(positions.get(NEWER)) == 1 && sinkCaughtUp());
    assertThat(text("SELECT name FROM customer WHERE id = " + NEWER)).isEqualTo("Newer Name");
    assertThat(text("SELECT status FROM customer WHERE id = " + NEWER)).isEqualTo("ACTIVE");
    assertThat(number("SELECT _tandem_position FROM customer WHERE id = " + NEWER)).isEqualTo(newerRowPosition);

    Result list = tandem("dlq", "list", "--json", "--stage", "transform");
    JsonNode transform = stage(JSON.readTree(list.out()), "transform");
    assertThat(transform.path("replayed").asLong()).isEqualTo(2);
    assertThat(transform.path("pending").asLong()).isZero();
  }

  @Test
  @Order(5)
  void aSecondReplayPutsNothingBackTwice() {
    long rawEnd = endOffsets(rawTopic);
    Result again = tandem("dlq", "replay", "--stage", "transform", "--reason", "again", "--router", routerUrl(),
        "--token", OPERATOR);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).contains("0 to replay").contains("2 already replayed").contains("Nothing to replay.");
    assertThat(endOffsets(rawTopic)).isEqualTo(rawEnd);
    Result show = tandem("dlq", "show", "--stage", "transform");
    assertThat(show.out()).contains("[replayed]");
  }

  @Test
  @Order(6)
  void theAuditShowsTheReplayAndTheRefusalLeftNoEntry() throws Exception {
    Result audit = tandem("cohort", "audit", "--url", routerUrl(), "--token", VIEWER, "--json");
    assertThat(audit.exit()).as(audit.err()).isZero();
    List<JsonNode> actions = new ArrayList<>();
    JSON.readTree(audit.out()).path("entries").forEach(e -> {
      if (e.path("command").path("type").asText().equals("record_action")) {
        actions.add(e);
      }
    });
    assertThat(actions).hasSize(1);
    JsonNode action = actions.get(0);
    assertThat(action.path("actor").asText()).isEqualTo("olga");
    assertThat(action.path("reason").asText()).isEqualTo("mapping knows Q now");
    assertThat(action.path("command").path("action").asText()).isEqualTo("dlq-replay");
    assertThat(action.path("command").path("entity").asText()).isEqualTo("customer");
    assertThat(action.path("command").path("count").asLong()).isEqualTo(2);
    assertThat(action.path("command").path("scope").asText()).contains("stage=transform");
    Result table = tandem("cohort", "audit", "--url", routerUrl(), "--token", VIEWER, "--entity", "customer");
    assertThat(table.out()).contains("record_action customer action=dlq-replay").contains("count=2");
  }

  @Test
  @Order(7)
  void verifyRepairIsAnOperatorActionToo() throws Exception {
    await().ignoreExceptions().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .until(() -> verify("--entity", "customer").exit() == 0);
    try (Connection fresh = postgres.connect(target)) {
      execute(fresh, "DELETE FROM customer WHERE id = 7");
    }
    Result viewer = verify("--entity", "customer", "--repair", "--reason", "row 7 lost", "--router", routerUrl(),
        "--token", VIEWER);
    assertThat(viewer.exit()).as(viewer.out() + viewer.err()).isEqualTo(1);
    assertThat(viewer.err()).contains("HTTP 403").contains("nothing was done");
    assertThat(count("SELECT count(*) FROM customer WHERE id = 7")).as("not repaired").isZero();

    Result operator = verify("--entity", "customer", "--repair", "--reason", "row 7 lost", "--router", routerUrl(),
        "--token", OPERATOR, "--repair-timeout", "60s");
    assertThat(operator.exit()).as(operator.out() + operator.err()).isZero();
    assertThat(count("SELECT count(*) FROM customer WHERE id = 7")).isEqualTo(1);
    Result audit = tandem("cohort", "audit", "--url", routerUrl(), "--token", VIEWER, "--entity", "customer");
    assertThat(audit.out()).contains("action=verify-repair").contains("row 7 lost");

    Result unaudited = verify("--entity", "customer", "--repair", "--reason", "x");
    assertThat(unaudited.exit()).isEqualTo(2);
    assertThat(unaudited.err()).contains("--unaudited");
  }

  // ---- helpers ----

  private static JsonNode stage(JsonNode list, String stage) {
    for (JsonNode node : list.path("stages")) {
      if (node.path("stage").asText().equals(stage)) {
        return node;
      }
    }
    throw new AssertionError("no stage " + stage + " in " + list);
  }

  /** The customer id of each transform dead letter, with its source position. */
  private static Map<Long, Long> deadLetterPositions() throws Exception {
    Result show = tandem("dlq", "show", "--stage", "transform", "--json");
    Map<Long, Long> positions = new HashMap<>();
    for (JsonNode record : JSON.readTree(show.out()).path("records")) {
      java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"cust_id\": (\\d+)").matcher(record.path("key").asText());
      assertThat(id.find()).as(record.toString()).isTrue();
      positions.put(Long.parseLong(id.group(1)), record.path("position").asLong());
    }
    return positions;
  }

  /** How many records on migrated.customer carry {@code position}. */
  private static long migratedWithPosition(long position) {
    long[] found = {0};
    TopicFollower.readToEnd(clients(), List.of("migrated.customer"), Duration.ofSeconds(30), record -> {
      if (ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION, -1) == position) {
        found[0]++;
      }
    });
    return found[0];
  }

  /** Whether the sink's committed offsets (after its database commits) reached the end of migrated.customer. */
  private static boolean sinkCaughtUp() throws Exception {
    try (Admin admin = clients().admin("dlq-it")) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("tandem-sink")
          .partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of("migrated.customer")).allTopicNames().get().get("migrated.customer").partitions()
          .forEach(p -> latest.put(new TopicPartition("migrated.customer", p.partition()), OffsetSpec.latest()));
      var ends = admin.listOffsets(latest).all().get();
      return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0 || (committed.get(e.getKey()) != null
          && committed.get(e.getKey()).offset() >= e.getValue().offset()));
    }
  }

  private static long endOffsets(String topic) {
    try (Admin admin = clients().admin("dlq-it")) {
      if (!admin.listTopics().names().get().contains(topic)) {
        return 0;
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      return admin.listOffsets(latest).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static KafkaClients clients() {
    return KafkaClients.of(kafka.bootstrapServers());
  }

  private static long count(String sql) throws SQLException {
    return number(sql);
  }

  private static long number(String sql) throws SQLException {
    try (Connection connection = postgres.connect(target); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String text(String sql) throws SQLException {
    try (Connection connection = postgres.connect(target); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path copy = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(copy);
        } else {
          Files.copy(path, copy);
        }
      }
    }
  }
}
