package io.tandem.bench;

import io.tandem.capture.LegacySettings;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.PacedWriters;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.Selector;
import io.tandem.routing.Target;
import io.tandem.routing.WriteFencedException;
import io.tandem.routing.WriteGuard;
import io.tandem.runtime.CoexistenceSettings;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.HealthServer;
import io.tandem.runtime.MetricsSettings;
import io.tandem.runtime.RoutingLogDriver;
import io.tandem.runtime.SchemasSettings;
import io.tandem.runtime.Supervisor;
import io.tandem.runtime.TandemConfig;
import io.tandem.sink.JdbcSink;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.SinkStats;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Coexistence on the embedded stack (docs/benchmarks.md, "Coexistence"): forward and reverse sync, the switch
 * coordinator, and writers going through {@link WriteGuard}. Measures the reverse lag (new commit → legacy
 * commit, the legacy sink's samples) at a steady write rate on new-owned keys, the fence window of each
 * promotion and undo while the writers keep writing, and checks that both sides end with the same balances.
 *
 * <p>Knobs (system properties): {@code bench.customers} (10000), {@code bench.rate} (1000 writes/s),
 * {@code bench.seconds} (30), {@code bench.switches} (5 promotions and 5 undos), {@code bench.writers} (4).
 */
public final class CoexistenceBenchmark {
  private final int customers = Integer.getInteger("bench.customers", 10_000);
  private final int rate = Integer.getInteger("bench.rate", 1000);
  private final int seconds = Integer.getInteger("bench.seconds", 30);
  private final int switches = Integer.getInteger("bench.switches", 5);
  private final int writerThreads = Integer.getInteger("bench.writers", 4);
  private final String routingTopic = "tandem.routing.bench";

  public static void main(String[] args) throws Exception {
    new CoexistenceBenchmark().run();
    System.exit(0);
  }

  private void run() throws Exception {
    Path work = Files.createTempDirectory("tandem-coexistence-bench");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
            .kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      String legacyDb = pg.createDatabase("legacy");
      String newDb = pg.createDatabase("target");
      try (Connection legacy = pg.connect(legacyDb)) {
        LegacyShop.createSchema(legacy, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
        LegacyShop.seed(legacy, customers, 17);
      }
      TandemConfig config = config(pg, kafka.bootstrapServers(), registry.url(), legacyDb, newDb, work);
      Deployment deployment = Deployment.plan(config, EnumSet.of(ComponentName.CAPTURE, ComponentName.TRANSFORM,
          ComponentName.SINK, ComponentName.REVERSE), Map.of("TANDEM_OFFSET_REPLICATION_FACTOR", "1"));
      Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(60),
          Clock.systemUTC());
      long started = System.nanoTime();
      supervisor.start(() -> true);
      try {
        awaitForwardCopy(pg, legacyDb, newDb);
        System.out.printf("Forward copy of %,d customers converged in %.1f s%n", customers, since(started));
        try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
            routingTopic, Duration.ofSeconds(30));
            RoutingLogDriver driver = new RoutingLogDriver(KafkaClients.of(kafka.bootstrapServers()), routing,
                routingTopic, "bench")) {
          driver.propose(new Command.DefineEntity("customer", List.of()), false);
          driver.propose(new Command.CreateCohort("customer", "all",
              new Selector.Percent(10_000, "customer/all"), Phase.NEW_READS, -1), false);
          List<Long> ids = ids(pg, newDb);
          WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, dataSource(pg, legacyDb),
              Target.NEW, dataSource(pg, newDb)));
          long startCents = sum(pg, newDb, "SELECT sum(balance_cents) FROM customer");

          List<Long> windows = new ArrayList<>();
          windows.add(switchTo(driver, "warm-up", Phase.NEW, false));
          PacedWriters writers = PacedWriters.start(writerThreads, rate, ids, id -> write(guard, id),
              id -> System.err.println("write of customer " + id + " failed"));
          JdbcSink legacySink = deployment.legacySink().orElseThrow();
          SinkStats before = legacySink.stats();
          long cpuBefore = processCpuNanos();
          long steadyStart = System.nanoTime();
          Thread.sleep(seconds * 1000L);
          double steadySeconds = since(steadyStart);
          long cpu = processCpuNanos() - cpuBefore;
          long written = writers.acknowledged();
          SinkStats after = legacySink.stats();
          System.out.printf("Steady writes on new through WriteGuard: %,d in %.1f s = %,.0f writes/s (target %d),"
                  + " reverse sink applied %,d records; reverse lag p50 %s, p99 %s, max %s (samples of the legacy"
                  + " sink); JVM CPU %.1f core-s = %.0f µs per write%n", written, steadySeconds, written / steadySeconds,
              rate, after.records() - before.records(), after.lagPercentile(50).map(CoexistenceBenchmark::ms)
                  .orElse("-"), after.lagPercentile(99).map(CoexistenceBenchmark::ms).orElse("-"),
              after.lagPercentile(100).map(CoexistenceBenchmark::ms).orElse("-"), cpu / 1e9, cpu / 1e3 / Math.max(1, written));

          for (int round = 1; round <= switches; round++) {
            windows.add(switchTo(driver, "undo-" + round, Phase.NEW_READS, true));
            Thread.sleep(1000);
            windows.add(switchTo(driver, "redo-" + round, Phase.NEW, false));
            Thread.sleep(1000);
          }
          writers.stop();
          long expected = startCents + writers.acknowledged();
          long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
          long legacyCents;
          long newCents;
          do {
            Thread.sleep(200);
            legacyCents = sum(pg, legacyDb, "SELECT (sum(balance) * 100)::bigint FROM customers WHERE status_cd <> 'X'");
            newCents = sum(pg, newDb, "SELECT sum(balance_cents) FROM customer");
          } while ((legacyCents != expected || newCents != expected) && System.nanoTime() < deadline);
          System.out.printf("Switches while writing (begin → completion applied, ms): %s; writes refused while"
                  + " fenced: %,d of %,d attempts%n", windows, writers.refused(),
              writers.refused() + writers.acknowledged());
          System.out.printf("Balances after %,d acknowledged writes: expected %,d cents, legacy %,d, new %,d: %s; "
                  + "conflicts forward %d, reverse %d%n", writers.acknowledged(), expected, legacyCents, newCents,
              legacyCents == expected && newCents == expected ? "EQUAL" : "DIFFERENT",
              deployment.sink().orElseThrow().conflicts("customer"), legacySink.conflicts("customer"));
        }
      } finally {
        supervisor.stop();
      }
    }
  }

  private static PacedWriters.Outcome write(WriteGuard guard, long id) {
    try {
      guard.write("customer", Long.toString(id), (target, connection) -> {
        try (Statement statement = connection.createStatement()) {
          statement.executeUpdate(target == Target.NEW
              ? "UPDATE customer SET balance_cents = balance_cents + 1, updated_at = now() WHERE id = " + id
              : "UPDATE customers SET balance = balance + 0.01, updated_at = now() WHERE cust_id = " + id);
        }
        return null;
      });
      return PacedWriters.Outcome.ACKNOWLEDGED;
    } catch (WriteFencedException e) {
      return PacedWriters.Outcome.REFUSED;
    } catch (Exception e) {
      return PacedWriters.Outcome.FAILED;
    }
  }

  private static long switchTo(RoutingLogDriver driver, String id, Phase phase, boolean rollback) throws Exception {
    return driver.switchTo("customer", "all", id, phase, rollback, Duration.ofSeconds(120)).toMillis();
  }

  private TandemConfig config(EmbeddedPostgresServer pg, String kafka, java.net.URI registry, String legacyDb,
      String newDb, Path work) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    Map<String, String> legacy = Map.of("LEGACY_DB_HOST", pg.host(), "LEGACY_DB_PORT", Integer.toString(pg.port()),
        "LEGACY_DB_NAME", legacyDb, "LEGACY_DB_USER", pg.user(), "LEGACY_DB_PASSWORD", "",
        "LEGACY_TABLES", String.join(",", LegacyShop.TABLES), "LEGACY_SIGNAL_TABLE", LegacyShop.SIGNAL_TABLE,
        "TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return new TandemConfig(work.resolve("bench (built in)"), new KafkaSettings(kafka, 2, Map.of()),
        Optional.of(RegistrySettings.external(registry)),
        new LegacySettings(root.resolve("connectors/legacy-postgres.properties"), legacy, Optional.empty()),
        Optional.of(new TargetSettings(pg.jdbcUrl(newDb), pg.user(), "")), new SchemasSettings(root.resolve("schemas")),
        TransformSettings.defaults().withStateDir(Files.createTempDirectory(work, "streams")), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", 0), VerifySettings.defaults())
        .withCoexistence(CoexistenceSettings.withConnector(root.resolve("connectors/new-postgres.properties"))
            .withRoutingTopic(routingTopic));
  }

  private void awaitForwardCopy(EmbeddedPostgresServer pg, String legacyDb, String newDb) throws Exception {
    long expected = sum(pg, legacyDb, "SELECT count(*) FROM customers WHERE status_cd <> 'X'");
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    while (tableCount(pg, newDb) < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("forward copy did not converge");
      }
      Thread.sleep(200);
    }
  }

  private static long tableCount(EmbeddedPostgresServer pg, String db) {
    try {
      return sum(pg, db, "SELECT count(*) FROM customer");
    } catch (Exception e) {
      return 0; // the sink has not created the table yet
    }
  }

  private static List<Long> ids(EmbeddedPostgresServer pg, String db) throws Exception {
    List<Long> ids = new ArrayList<>();
    try (Connection connection = pg.connect(db); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT id FROM customer")) {
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
    }
    return ids;
  }

  private static long sum(EmbeddedPostgresServer pg, String db, String sql) throws Exception {
    try (Connection connection = pg.connect(db); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A pool, as an application would have: a connection per write would measure connection setup. */
  private javax.sql.DataSource dataSource(EmbeddedPostgresServer pg, String db) {
    com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
    config.setJdbcUrl(pg.jdbcUrl(db));
    config.setUsername(pg.user());
    config.setMaximumPoolSize(writerThreads);
    config.setAutoCommit(true);
    return new com.zaxxer.hikari.HikariDataSource(config);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String ms(Duration duration) {
    return duration.toMillis() + " ms";
  }

  private static double since(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
