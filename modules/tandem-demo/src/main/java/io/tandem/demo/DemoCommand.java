package io.tandem.demo;

import java.util.List;
import io.tandem.app.DurationConverter;
import io.tandem.app.StopSignals;
import io.tandem.capture.LegacySettings;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.Workload;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.runtime.CoexistenceSettings;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.HealthServer;
import io.tandem.runtime.MetricsSettings;
import io.tandem.runtime.SchemasSettings;
import io.tandem.runtime.Supervisor;
import io.tandem.runtime.TandemConfig;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.Connector;
import io.tandem.verify.VerifySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the whole pipeline in one JVM with nothing installed but a JDK — embedded
 * PostgreSQL (legacy and new; with {@code --legacy mariadb} the legacy is an embedded MariaDB), an in-JVM Kafka
 * broker, Tandem's embedded registry — on a sample legacy shop under a live workload, then proof that both sides
 * hold the same data. The pipeline runs exactly as {@code tandem run} runs it: one {@link Deployment} under one
 * {@link Supervisor}, configured with the same settings records a {@code tandem.yaml} would give.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the full pipeline on an embedded stack with a sample legacy workload.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--customers", defaultValue = "10000", description = "Legacy customers to seed (default ${DEFAULT-VALUE}).")
  int customers;

  @Option(names = "--rate", defaultValue = "200", description = "Legacy changes per second during the run (default ${DEFAULT-VALUE}).")
  int rate;

  @Option(names = "--duration", converter = DurationConverter.class, description = "Stop after this long (e.g. 60s, 5m); default: until Ctrl-C.")
  Duration duration;

  @Option(names = "--metrics-port", defaultValue = "9404", description = "Port of /metrics, /health, /ready (0 = any free port; default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--console-port", defaultValue = "8070", description = "Port of the router serving the web "
      + "console at /console and the operator API (0 = any free port; default ${DEFAULT-VALUE}).")
  int consolePort;

  /** Tests: a verifier pass this often (the console's figures and the promotion gates depend on them). */
  @Option(names = "--verify-every", hidden = true, converter = DurationConverter.class, defaultValue = "20s")
  Duration verifyEvery;

  @Option(names = "--cutover", description = "Coexistence instead of a legacy workload: writers write each customer "
      + "on the side the router names while a 1 %% cohort moves to NEW, back, and to NEW again (docs/coexistence.md); "
      + "exit 0 only when no write is lost and the verifier finds no difference.")
  boolean cutover;

  @Option(names = "--merger", description = "A second legacy shop (shop_b, ids colliding with shop A's, every tenth"
      + " client also a shop A customer) merged into the same customer entity (schemas/examples/merger).")
  boolean merger;

  @Option(names = "--phase-time", converter = DurationConverter.class, defaultValue = "3s",
      description = "With --cutover: how long each routing phase runs (default ${DEFAULT-VALUE}).")
  Duration phaseTime;

  @Option(names = "--legacy", defaultValue = "postgres", converter = DemoLegacy.Kind.Converter.class,
      description = "Legacy database: postgres (embedded PostgreSQL, the default) or mariadb (embedded MariaDB, "
          + "else the machine's at 127.0.0.1:3306); the new database is the embedded PostgreSQL either way.")
  DemoLegacy.Kind legacyKind;

  @Option(names = "--home", defaultValue = "${env:TANDEM_HOME:-.}",
      description = "Tandem checkout holding schemas/ and connectors/ (default: $TANDEM_HOME, else the current folder).")
  Path home;

  private final CountDownLatch stop = new CountDownLatch(1);
  /** The embedded broker's address once it runs (tests). */
  volatile String kafkaBootstrapServers;

  /** Stops a running demo as Ctrl-C does: it drains, verifies and reports (tests). */
  void stop() {
    stop.countDown();
  }

  @Override
  public Integer call() throws Exception {
    Path schemas = home.resolve("schemas");
    String connectorFile = legacyKind.connectorFile;
    Path connector = home.resolve(connectorFile);
    if (!Files.isDirectory(schemas.resolve("mappings")) || !Files.isRegularFile(connector)) {
      System.err.println("tandem demo: no schemas/mappings or " + connectorFile + " under "
          + home.toAbsolutePath().normalize() + " (run from the Tandem checkout, or pass --home)");
      return 2;
    }
    Path newConnector = home.resolve("connectors/new-postgres.properties");
    if (cutover && !Files.isRegularFile(newConnector)) {
      System.err.println("tandem demo: --cutover needs connectors/new-postgres.properties under "
          + home.toAbsolutePath().normalize());
      return 2;
    }
    if (merger && (cutover || legacyKind != DemoLegacy.Kind.POSTGRES)) {
      System.err.println("tandem demo: --merger runs on the PostgreSQL legacy without --cutover (reverse sync"
          + " cannot tell which shop a row written on new belongs to)");
      return 2;
    }
    if (customers < 1 || rate < 0) {
      System.err.println("tandem demo: --customers must be at least 1 and --rate at least 0");
      return 2;
    }
    Console console = new Console(System.out);
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
    boolean mariadb = legacyKind == DemoLegacy.Kind.MARIADB;
    try (EmbeddedPostgresServer postgres = step(console, "Starting embedded PostgreSQL 17"
            + (mariadb ? " (new database)" : ""), EmbeddedPostgresServer::start);
        DemoLegacy legacy = mariadb ? MariaDbLegacy.start(console) : new PostgresLegacy(postgres);
        EmbeddedKafkaBroker kafka = step(console, "Starting embedded Kafka (KRaft)", EmbeddedKafkaBroker::start)) {
      kafkaBootstrapServers = kafka.bootstrapServers();
      createDatabase(postgres, "shop_new");
      step(console, "Creating legacy schema and seeding " + customers + " customers", () -> {
        legacy.createShop(customers);
        return null;
      });
      TandemConfig config = config(postgres, kafka, legacy.schemas(schemas), connector, legacy.connectorEnvironment());
      ShopB shopB = null;
      if (merger) {
        ShopB second = new ShopB(postgres, Math.max(10, customers / 5), Math.max(1, rate / 10));
        Path example = schemas.resolve("examples/merger");
        int shared = step(console, "Creating legacy shop B (" + Math.max(10, customers / 5) + " clients, ids 1.."
            + " like shop A's) to merge into the same customers", () -> second.create(example));
        console.line("Merger: shop B's client n becomes customer " + ShopB.KEY_OFFSET + " + n; " + shared
            + " clients share an e-mail with a shop A customer and merge into shop A's row"
            + " (schemas/examples/merger/mappings)");
        config = config.withSchemas(new SchemasSettings(legacy.schemas(schemas), Optional.of(example.resolve(
            "mappings")))).withMerge(new io.tandem.runtime.MergeSettings(List.of(second.source(connector))));
        shopB = second;
      }
      java.util.Set<ComponentName> components = ComponentName.STAGES;
      if (cutover) {
        config = config.withCoexistence(CoexistenceSettings.withConnector(newConnector)
            .withRoutingTopic(CutoverDemo.ROUTING_TOPIC));
        components = java.util.EnumSet.of(ComponentName.CAPTURE, ComponentName.TRANSFORM, ComponentName.SINK,
            ComponentName.REVERSE);
      }
      if (!cutover) {
        // The verifier runs too, often, so the console shows verifications as an operator would see them.
        config = config.withVerify(DemoConsole.verifySettings(config.verify(), verifyEvery));
        components = java.util.EnumSet.of(ComponentName.CAPTURE, ComponentName.TRANSFORM, ComponentName.SINK,
            ComponentName.VERIFY);
      }
      Deployment deployment = Deployment.plan(config, components, System.getenv());
      HealthServer health = new HealthServer(config.metrics());
      Supervisor supervisor = deployment.supervisor(health, Duration.ofSeconds(60), Clock.systemUTC());
      // With --cutover it follows the routing the story drives (and shows the write switches and conflicts).
      DemoConsole consoleRouter = step(console, "Starting the cohort router with the web console",
          () -> DemoConsole.start(kafka.bootstrapServers(), consolePort, deployment.model().entityNames()));
      consoleRouter.printAccess(console);
      try {
        step(console, "Starting registry → capture → transform → sink" + (cutover
            ? " and reverse sync (capture-new → reverse → sink-legacy, switch coordinator)" : ""), () -> {
          supervisor.start(() -> stop.getCount() > 0);
          return null;
        });
        console.line("Metrics: " + health.url() + "/metrics (health: /health, /ready)");
        Workload workload = new Workload(() -> {
          try {
            return legacy.connect();
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        }, rate, customers, 7);
        Progress progress = new Progress(console, deployment, supervisor);
        progress.untilSnapshotDone(stop);
        if (cutover) {
          long lost = new CutoverDemo(console, postgres, legacy, kafka, rate, phaseTime).run();
          Report report = Report.waitUntilEqual(deployment, supervisor, legacy.verifierConnector(),
              Connector.jdbc(postgres.jdbcUrl("shop_new"), postgres.user(), ""), Duration.ofSeconds(120));
          report.print(console, Duration.ofNanos(System.nanoTime() - started));
          return report.clean() && lost == 0 ? 0 : 1;
        }
        Thread workloadThread = new Thread(workload, "tandem-demo-workload");
        workloadThread.setDaemon(true);
        workloadThread.start();
        Thread shopBThread = null;
        if (shopB != null) {
          shopBThread = new Thread(shopB, "tandem-demo-shop-b");
          shopBThread.setDaemon(true);
          shopBThread.start();
        }
        console.line("Snapshot done. Legacy workload running at " + rate + " changes/s"
            + (duration == null ? "; Ctrl-C to stop." : " for " + duration.toSeconds() + " s."));
        progress.streamUntil(stop, duration, workload);
        workload.stop();
        workloadThread.join(10_000);
        Map<String, Connector> otherSources = Map.of();
        if (shopB != null) {
          shopB.stop();
          shopBThread.join(10_000);
          console.line("Shop B made " + shopB.changes() + " changes of its own.");
          otherSources = Map.of(ShopB.SOURCE, shopB.verifierConnector());
        }
        console.line("Workload stopped after " + workload.changes()
            + " legacy changes. Waiting until the new side has caught up...");
        Report report = Report.waitUntilEqual(deployment, supervisor, legacy.verifierConnector(), otherSources,
            Connector.jdbc(postgres.jdbcUrl("shop_new"), postgres.user(), ""), Duration.ofSeconds(120));
        report.print(console, Duration.ofNanos(System.nanoTime() - started));
        return report.clean() ? 0 : 1;
      } finally {
        supervisor.stop();
        consoleRouter.close();
      }
    } catch (MariaDbLegacy.Unavailable e) {
      System.err.println("tandem demo --legacy mariadb: " + e.getMessage());
      return 2;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down (the hook is what stopped the demo)
      }
    }
  }

  /** What a tandem.yaml for this stack would say, as the same validated settings records. */
  private TandemConfig config(EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka, Path schemas,
      Path connector, Map<String, String> legacyEnv) throws java.io.IOException {
    return new TandemConfig(home.resolve("tandem-demo (built in)"), new KafkaSettings(kafka.bootstrapServers(), 2,
        Map.of()), Optional.of(new RegistrySettings(List.of(),
        Optional.of(new RegistrySettings.Embedded("127.0.0.1", 0, "_schemas")), Optional.empty())),
        new LegacySettings(connector, legacyEnv, Optional.empty()),
        Optional.of(new TargetSettings(postgres.jdbcUrl("shop_new"), postgres.user(), "")), new SchemasSettings(schemas),
        TransformSettings.defaults().withStateDir(Files.createTempDirectory("tandem-streams")), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", metricsPort), VerifySettings.defaults());
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
