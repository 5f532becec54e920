package io.tandem.app;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.runtime.MappingCheck;
import io.tandem.embedded.LegacyShop;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.core.model.EntitySchema;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tandem run} in-process against an embedded stack started here as if it were external:
 * PostgreSQL (legacy and new database), a Kafka broker per test and Tandem's registry.
 */
class RunCommandIT {
  private static final int CUSTOMERS = 200;
  private static final Pattern METRICS_URL = Pattern.compile("Metrics: (http://\\S+/metrics)");

  private static EmbeddedPostgresServer postgres;
  private static List<Mapping> mappings;
  private static List<EntitySchema> entities;

  @TempDir
  Path dir;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<Run> runs = new ArrayList<>();
  private final List<AutoCloseable> services = new ArrayList<>();
  private final List<String[]> slots = new ArrayList<>(); // {database, slot}
  private final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgresServer.start();
    mappings = MappingLoader.loadAll(ROOT.resolve("schemas/mappings"));
    entities = mappings.stream().map(m -> EntitySchema.load(ROOT.resolve("schemas/avro"), m)).toList();
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (Run run : runs) {
      if (!run.result.isDone()) {
        run.command.shutdown();
      }
    }
    threads.shutdownNow();
    for (int i = services.size() - 1; i >= 0; i--) {
      services.get(i).close();
    }
    for (String[] slot : slots) {
      dropSlot(slot[0], slot[1]);
    }
  }

  @Test
  void allComponentsCopyTheLegacyDatabaseThenStopCleanlyOnTheShutdownPath() throws Exception {
    EmbeddedKafkaBroker kafka = service(EmbeddedKafkaBroker.start());
    EmbeddedSchemaRegistry registry = service(EmbeddedSchemaRegistry.builder()
        .kafkaStorage(kafka.bootstrapServers(), "_schemas").start());
    String legacy = legacyDatabase();
    String target = postgres.createDatabase("target");
    String slot = "tandem_" + legacy;
    Path config = write("tandem.yaml", """
        kafka:
          bootstrapServers: %s
          partitions: 2
        registry:
          url: %s
        %s
        target:
          jdbcUrl: %s
          user: ${TARGET_USER}
          password: ""
        schemas:
          dir: %s
        transform:
          applicationId: tandem-it-all
          stateDir: streams
        metrics:
          host: 127.0.0.1
          port: 0
        """.formatted(kafka.bootstrapServers(), registry.url(), legacySection(legacy, slot),
        postgres.jdbcUrl(target), ROOT.resolve("schemas")));

    Run run = start(config, "capture,transform,sink");
    String stdout = awaitRunning(run);

    assertThat(stdout).contains("Effective configuration (secrets masked): TandemConfig[")
        .containsPattern("capture +RUNNING +legacy\\." + legacy)
        .containsPattern("transform +RUNNING +application tandem-it-all")
        .containsPattern("sink +RUNNING +group tandem-sink");
    awaitSameData(legacy, target);

    // Streaming after the snapshot: a new customer and a changed one arrive too.
    try (Connection connection = postgres.connect(legacy); Statement statement = connection.createStatement()) {
      statement.execute("INSERT INTO customers (cust_id, full_nm, email_addr, balance, status_cd, created_local) "
          + "VALUES (100001, 'Late Arrival', 'late@example.com', 12.30, 'A', '2024-05-01 10:00:00')");
      statement.execute("UPDATE customers SET full_nm = 'Renamed' WHERE cust_id = 7");
    }
    awaitSameData(legacy, target);
    try (Connection connection = postgres.connect(target); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT name FROM customer WHERE id = 7")) {
      assertThat(row.next()).isTrue();
      assertThat(row.getString(1)).isEqualTo("Renamed");
    }

    // Every component's real state on /health; /ready once all run.
    HttpResponse<String> health = get(stdout, "/health");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    JsonNode components = new ObjectMapper().readTree(health.body()).path("components");
    assertThat(components.findValuesAsText("name")).containsExactly("metrics", "topics", "transform", "sink", "capture",
        "sink-lag", "capture-lag", "mapping-versions", "capture-progress", "transform-progress", "sink-progress",
        "consumer-lag");
    assertThat(components.findValuesAsText("state")).containsOnly("RUNNING");
    assertThat(health.body()).doesNotContain("password").doesNotContain("s3cret");
    assertThat(get(stdout, "/ready").statusCode()).isEqualTo(200);

    String metrics = scrape(stdout);
    assertThat(metrics).contains("tandem_capture_events_total{table=\"public.customers\"}")
        .contains("tandem_transform_records_total{entity=\"customer\"}")
        .contains("tandem_sink_rows_total{entity=\"customer\",result=\"upserted\"}")
        .contains("tandem_snapshot_rows_done{table=\"public.customers\"} " + CUSTOMERS + ".0")
        .containsPattern("tandem_commit_visible_lag_seconds_count(\\{[^}]*})? [1-9][0-9.E]*");
    // Caught up: both consumer groups (transform, sink) have nothing left to read.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        Pattern.compile("tandem_consumer_lag_records\\{group=\"[^\"]+\"} 0\\.0").matcher(scrape(stdout)).results().count())
        .isEqualTo(2));

    // What SIGTERM / Ctrl-C run: stop everything, report the exit code.
    assertThat(run.command.shutdown()).isZero();
    assertThat(run.result.get(5, TimeUnit.SECONDS)).isZero();
    assertThat(run.stdout()).containsPattern("Stopped in [0-9.]+ s\\.");
    assertThat(run.stderr()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slotActive(legacy, slot)).isFalse());
  }

  @Test
  void separateDeploymentsOnlyCaptureMakesASlotAStageFailureExitsWith1AndSigtermWith0() throws Exception {
    EmbeddedKafkaBroker kafka = service(EmbeddedKafkaBroker.start());
    String legacy = legacyDatabase();
    String target = postgres.createDatabase("target");
    String slot = "tandem_" + legacy;
    String common = """
        kafka:
          bootstrapServers: %s
          partitions: 2
        registry:
          embedded: { port: 0 }
        schemas:
          dir: %s
        metrics:
          host: 127.0.0.1
          port: 0
        """.formatted(kafka.bootstrapServers(), ROOT.resolve("schemas"));
    // transform + sink: no connector file (it does not exist) and no legacy credentials, just the topic prefix.
    Path downstream = write("downstream.yaml", common + """
        legacy:
          connector: no-such-file.properties
          topicPrefix: legacy.%s
        target:
          jdbcUrl: %s
          user: postgres
        transform:
          applicationId: tandem-it-split
          stateDir: streams
        """.formatted(legacy, postgres.jdbcUrl(target)));
    Path upstream = write("capture.yaml", common + legacySection(legacy, slot));

    Run transformAndSink = start(downstream, "transform,sink");
    String downstreamOut = awaitRunning(transformAndSink);
    assertThat(downstreamOut).containsPattern("capture +not started \\(not in --components\\)")
        .containsPattern("transform +RUNNING").containsPattern("sink +RUNNING");
    assertThat(slotExists(legacy, slot)).as("replication slot without capture").isFalse();
    assertThat(scrape(downstreamOut)).doesNotContain("tandem_capture_events").doesNotContain("tandem_snapshot_rows")
        .contains("tandem_transform_records_total").contains("tandem_sink_rows_total");

    // capture as its own process through the real CLI, stopped with SIGTERM like any deployment.
    Path captureOut = dir.resolve("capture.out");
    Process capture = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), TandemCli.class.getName(), "run",
        "--config", upstream.toString(), "--components", "capture", "--shutdown-timeout", "45s")
        .redirectErrorStream(true).redirectOutput(captureOut.toFile()).start();
    processes.add(capture);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
        Files.readString(captureOut).contains("Running; stop with SIGTERM or Ctrl-C.") || !capture.isAlive());
    String upstreamOut = Files.readString(captureOut);
    assertThat(capture.isAlive()).as("capture process: %s", upstreamOut).isTrue();
    assertThat(upstreamOut).containsPattern("capture +RUNNING").containsPattern("transform +not started")
        .containsPattern("sink +not started");
    assertThat(scrape(upstreamOut)).contains("tandem_capture_events_total").doesNotContain("tandem_sink_rows")
        .doesNotContain("tandem_transform_records");
    awaitSameData(legacy, target);
    assertThat(slotExists(legacy, slot)).isTrue();

    // A stage failing at runtime ends its run with exit code 1 and says which and why: the new
    // database loses a table, the next change for it cannot be written (not a data error: no DLQ).
    try (Connection connection = postgres.connect(target); Statement statement = connection.createStatement()) {
      statement.execute("ALTER TABLE customer RENAME TO customer_moved");
    }
    try (Connection connection = postgres.connect(legacy); Statement statement = connection.createStatement()) {
      statement.execute("UPDATE customers SET full_nm = 'Nowhere to go' WHERE cust_id = 3");
    }
    assertThat(transformAndSink.result.get(60, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(transformAndSink.stderr()).startsWith("tandem run: stage failed: sink: ")
        .contains("customer").doesNotContain("\tat ");
    assertThat(transformAndSink.stdout()).contains("Stopping the other components...").containsPattern("Stopped in");

    capture.destroy(); // SIGTERM
    assertThat(capture.waitFor(60, TimeUnit.SECONDS)).as("capture process ended after SIGTERM").isTrue();
    assertThat(capture.exitValue()).as("exit code after SIGTERM: %s", Files.readString(captureOut)).isZero();
    assertThat(Files.readString(captureOut)).containsPattern("Stopped in [0-9.]+ s\\.")
        .doesNotContain("tandem run: stage failed").doesNotContain("tandem run: cannot start");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(slotActive(legacy, slot)).isFalse());
  }

  // ---- helpers ----

  /** A running {@code tandem run}: the command (for its shutdown path), its result, what it printed. */
  private record Run(RunCommand command, Future<Integer> result, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    String stdout() {
      return out.toString(StandardCharsets.UTF_8);
    }

    String stderr() {
      return err.toString(StandardCharsets.UTF_8);
    }
  }

  private Run start(Path config, String components) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RunCommand command = new RunCommand(Map.of("TARGET_USER", postgres.user()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    Future<Integer> result = threads.submit(() -> new CommandLine(command)
        .execute("--config", config.toString(), "--components", components, "--shutdown-timeout", "45s"));
    Run run = new Run(command, result, out, err);
    runs.add(run);
    return run;
  }

  private static String awaitRunning(Run run) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() ->
        run.stdout().contains("Running; stop with SIGTERM or Ctrl-C.") || run.result.isDone());
    assertThat(run.result.isDone()).as("tandem run ended early: %s%s", run.stdout(), run.stderr()).isFalse();
    return run.stdout();
  }

  private <T extends AutoCloseable> T service(T service) {
    services.add(service);
    return service;
  }

  private Path write(String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml);
  }

  private String legacyDatabase() throws SQLException {
    String legacy = postgres.createDatabase("legacy");
    try (Connection connection = postgres.connect(legacy)) {
      LegacyShop.createSchema(connection, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(connection, CUSTOMERS, 42);
      try (Statement statement = connection.createStatement()) {
        statement.execute("ANALYZE");
      }
    }
    return legacy;
  }

  private String legacySection(String legacy, String slot) {
    slots.add(new String[] {legacy, slot});
    return """
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
        """.formatted(ROOT.resolve("connectors/legacy-postgres.properties"), postgres.host(), postgres.port(), legacy,
        postgres.user(), String.join(",", LegacyShop.TABLES), slot, slot);
  }

  /** Every legacy row, through its mapping, is in the new database, and nothing else is. */
  private static void awaitSameData(String legacy, String target) {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
      try (Connection legacyDb = postgres.connect(legacy); Connection targetDb = postgres.connect(target)) {
        for (int i = 0; i < mappings.size(); i++) {
          MappingCheck.Result result = MappingCheck.run(mappings.get(i), entities.get(i), legacyDb, targetDb);
          assertThat(result.expectedRows()).as(result.entity()).isPositive();
          assertThat(result.differences()).as("%s: %s", result.entity(), result.examples()).isZero();
          assertThat(result.newRows()).as(result.entity()).isEqualTo(result.expectedRows());
        }
      }
    });
  }

  private static String scrape(String stdout) throws IOException, InterruptedException {
    HttpResponse<String> response = get(stdout, "/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** GET on the run's metrics server ({@code /metrics}, {@code /health}, {@code /ready}). */
  private static HttpResponse<String> get(String stdout, String path) throws IOException, InterruptedException {
    Matcher url = METRICS_URL.matcher(stdout);
    assertThat(url.find()).as("metrics URL in %s", stdout).isTrue();
    URI uri = URI.create(url.group(1).replaceFirst("/metrics$", path));
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean slotExists(String database, String slot) throws SQLException {
    return slotActive(database, slot) != null;
  }

  private static Boolean slotActive(String database, String slot) throws SQLException {
    try (Connection connection = postgres.connect(database);
        PreparedStatement query = connection.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getBoolean(1) : null;
      }
    }
  }

  private static void dropSlot(String database, String slot) {
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
      Boolean active = slotActive(database, slot);
      if (active == null) {
        return true;
      }
      try (Connection connection = postgres.connect(database);
          PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
        drop.setString(1, slot);
        drop.execute();
      }
      return slotActive(database, slot) == null;
    });
  }
}
