package io.tandem.app.demo;

import io.tandem.verify.Connector;
import io.tandem.app.Pipeline;
import io.tandem.app.StopSignals;
import io.tandem.app.metrics.MetricsServer;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the whole pipeline in one JVM with nothing installed but a JDK —
 * embedded PostgreSQL (legacy and new), an in-JVM Kafka broker, the embedded registry — on a
 * sample legacy shop under a live workload, then proof that both sides hold the same data.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the full pipeline on an embedded stack with a sample legacy workload.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--customers", defaultValue = "10000", description = "Legacy customers to seed (default ${DEFAULT-VALUE}).")
  int customers;

  @Option(names = "--rate", defaultValue = "200", description = "Legacy changes per second during the run (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--duration", converter = io.tandem.app.DurationConverter.class, description = "Stop after this long (e.g. 60s, 5m); default: until Ctrl-C.")
  Duration duration;

  @Option(names = "--metrics-port", defaultValue = "9404", description = "Port of /metrics (0 = any free port; default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--home", defaultValue = "${env:TANDEM_HOME:-.}",
      description = "Tandem checkout holding schemas/ and connectors/ (default: $TANDEM_HOME, else the current folder).")
  Path home;

  @Override
  public Integer call() throws Exception {
    Path schemas = home.resolve("schemas");
    Path connector = home.resolve("connectors/legacy-postgres.properties");
    if (!Files.isDirectory(schemas.resolve("mappings")) || !Files.isRegularFile(connector)) {
      System.err.println("tandem demo: no schemas/mappings or connectors/legacy-postgres.properties under "
          + home.toAbsolutePath().normalize() + " (run from the Tandem checkout, or pass --home)");
      return 2;
    }
    if (customers < 1 || rate < 0) {
      System.err.println("tandem demo: --customers must be at least 1 and --rate at least 0");
      return 2;
    }
    Console console = new Console(System.out);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        finished.await(90, TimeUnit.SECONDS); // let the main thread drain and report before the JVM exits
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tandem-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    StopSignals.install(signal -> stop.countDown());
    long started = System.nanoTime();
    try (MetricsServer metrics = new MetricsServer().start("127.0.0.1", metricsPort);
        EmbeddedPostgresServer postgres = step(console, "Starting embedded PostgreSQL 17", EmbeddedPostgresServer::start);
        EmbeddedKafkaBroker kafka = step(console, "Starting embedded Kafka (KRaft)", EmbeddedKafkaBroker::start);
        EmbeddedSchemaRegistry registry = step(console, "Starting schema registry",
            () -> EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").build().start())) {
      createDatabase(postgres, "shop");
      createDatabase(postgres, "shop_new");
      try (Connection legacy = postgres.connect("shop")) {
        step(console, "Creating legacy schema and seeding " + customers + " customers", () -> {
          LegacyShop.createSchema(legacy);
          LegacyShop.seed(legacy, customers, 42);
          try (Statement analyze = legacy.createStatement()) {
            analyze.execute("ANALYZE"); // row estimates for the snapshot progress bars
          }
          return null;
        });
      }
      SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("LEGACY_DB_HOST", postgres.host());
      env.put("LEGACY_DB_PORT", Integer.toString(postgres.port()));
      env.put("LEGACY_DB_NAME", "shop");
      env.put("LEGACY_DB_USER", postgres.user());
      env.put("LEGACY_DB_PASSWORD", "");
      env.put("LEGACY_TABLES", String.join(",", LegacyShop.TABLES));
      env.put("LEGACY_SIGNAL_TABLE", LegacyShop.SIGNAL_TABLE);
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
      Pipeline.Settings settings = new Pipeline.Settings(connector, env, schemas, kafka.bootstrapServers(), client,
          postgres.jdbcUrl("shop_new"), postgres.user(), "", Files.createTempDirectory("tandem-streams"), 2);
      try (Pipeline pipeline = step(console, "Starting capture → transform → sink", () -> Pipeline.start(settings, metrics.registry()))) {
        console.line("Metrics: " + metrics.url() + "/metrics");
        Workload workload = new Workload(() -> {
          try {
            return postgres.connect("shop");
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }, rate, customers, 7);
        Progress progress = new Progress(console, pipeline);
        progress.untilSnapshotDone(stop);
        Thread workloadThread = new Thread(workload, "tandem-demo-workload");
        workloadThread.setDaemon(true);
        workloadThread.start();
        console.line("Snapshot done. Legacy workload running at " + rate + " changes/s"
            + (duration == null ? "; Ctrl-C to stop." : " for " + duration.toSeconds() + " s."));
        progress.streamUntil(stop, duration, workload);
        workload.stop();
        workloadThread.join(10_000);
        console.line("Workload stopped after " + workload.changes() + " legacy changes. Waiting until the new side has caught up...");
        Report report = Report.waitUntilEqual(pipeline, Connector.jdbc(postgres.jdbcUrl("shop"), postgres.user(), ""),
            Connector.jdbc(postgres.jdbcUrl("shop_new"), postgres.user(), ""), Duration.ofSeconds(120));
        report.print(console, Duration.ofNanos(System.nanoTime() - started));
        return report.clean() ? 0 : 1;
      }
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (the hook is what stopped the demo)
      }
    }
  }

  private static void createDatabase(EmbeddedPostgresServer postgres, String name) throws SQLException {
    try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    }
  }

  interface Step<T> {
    T run() throws Exception;
  }

  private static <T> T step(Console console, String what, Step<T> step) throws Exception {
    long start = System.nanoTime();
    console.partial(what + "... ");
    T result = step.run();
    console.line(String.format("done (%.1f s)", (System.nanoTime() - start) / 1e9));
    return result;
  }
}
