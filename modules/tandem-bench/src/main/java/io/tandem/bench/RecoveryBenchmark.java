package io.tandem.bench;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.FreePorts;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Crash recovery under load: {@code tandem run} (capture, transform, sink) in a child JVM, killed with
 * SIGKILL and restarted at once, again and again, while pgbench updates legacy at a fixed rate and a
 * heartbeat row is bumped every 50 ms. Recovery = kill → the newest legacy write at the moment of the
 * kill is visible in the new database (so it includes the new JVM's start, Debezium's reconnect, the
 * consumer groups' rejoin and the backlog). See docs/benchmarks.md for the command.
 *
 * <p>Knobs (system properties): {@code bench.rows} (20000), {@code bench.rate} (1000 pgbench TPS),
 * {@code bench.kills} (5), {@code bench.settleSeconds} (20, steady running between kills),
 * {@code bench.instanceId} (unset: {@code tandem run}'s default, the host name; {@code none}: static
 * membership off, the behaviour before), {@code bench.jar} (the CLI: tandem-demo.jar).
 */
public final class RecoveryBenchmark {
  private static final String LEGACY_DB = "legacy";
  private static final String NEW_DB = "legacy_new";
  private static final Duration HEARTBEAT_EVERY = Duration.ofMillis(50);

  private final int rows = Integer.getInteger("bench.rows", 20_000);
  private final int rate = Integer.getInteger("bench.rate", 1000);
  private final int kills = Integer.getInteger("bench.kills", 5);
  private final int settleSeconds = Integer.getInteger("bench.settleSeconds", 20);
  private final String instanceId = System.getProperty("bench.instanceId");
  private final Path jar = Path.of(System.getProperty("bench.jar", "modules/tandem-demo/target/tandem-demo.jar"));

  /** Heartbeat number → nanoTime of its legacy commit, and of its first sighting in the new database. */
  private final ConcurrentHashMap<Long, Long> committedAt = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Long> visibleAt = new ConcurrentHashMap<>();
  private final AtomicLong lastCommitted = new AtomicLong(-1);
  private volatile boolean running = true;

  private EmbeddedPostgresServer postgres;
  private Path work;
  private int metricsPort;
  private int childCount;

  public static void main(String[] args) throws Exception {
    new RecoveryBenchmark().run();
    System.exit(0); // broker/registry daemon threads
  }

  /** One kill: seconds from the kill to the child's /ready, and to the newest write being visible. */
  private record Recovery(double readySeconds, double caughtUpSeconds, double worstHeartbeatLagSeconds) {}

  private void run() throws Exception {
    work = Files.createTempDirectory("tandem-recovery-bench");
    System.out.printf(Locale.ROOT, "RecoveryBenchmark: rows=%d, pgbench rate=%d/s, kills=%d, settle=%d s, "
        + "kafka.instanceId=%s, cpus=%d%n", rows, rate, kills, settleSeconds,
        instanceId == null ? "(default: host name)" : instanceId, Runtime.getRuntime().availableProcessors());
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      postgres = pg;
      exec("postgres", "CREATE DATABASE " + LEGACY_DB);
      exec("postgres", "CREATE DATABASE " + NEW_DB);
      seedLegacy();
      metricsPort = FreePorts.pick();
      Path config = writeConfig(kafka.bootstrapServers(), registry.url());
      Process child = startChild(config);
      long start = System.nanoTime();
      awaitNewCount(rows, Duration.ofMinutes(5));
      System.out.printf(Locale.ROOT, "Snapshot of %d rows in the new DB %.1f s after start%n", rows, secondsSince(start));

      Process pgbench = startPgbench();
      Thread heartbeat = daemon(this::heartbeat, "bench-heartbeat");
      Thread watcher = daemon(this::watchNew, "bench-watch-new");
      List<Recovery> recoveries = new ArrayList<>();
      try {
        for (int kill = 1; kill <= kills; kill++) {
          Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
          long newest = lastCommitted.get();
          long killedAt = System.nanoTime();
          child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
          child = startChild(config);
          double ready = awaitReady(killedAt, Duration.ofMinutes(3));
          double caughtUp = awaitVisible(newest, killedAt, Duration.ofMinutes(3));
          Recovery recovery = new Recovery(ready, caughtUp, worstLagSince(killedAt));
          recoveries.add(recovery);
          System.out.printf(Locale.ROOT, "kill %d: /ready after %.2f s, newest write at the kill visible after %.2f s, "
              + "worst heartbeat lag (commit → visible) in the %d s after the kill %.2f s%n", kill, ready, caughtUp,
              settleSeconds, recovery.worstHeartbeatLagSeconds);
        }
        Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
      } finally {
        running = false;
        pgbench.destroy();
        pgbench.waitFor(30, TimeUnit.SECONDS);
        heartbeat.join(5_000);
      }
      awaitEqual(Duration.ofMinutes(3));
      watcher.join(5_000);
      child.destroy();
      child.waitFor(60, TimeUnit.SECONDS);
      summarize(recoveries);
    }
  }

  private void summarize(List<Recovery> recoveries) {
    List<Double> caughtUp = recoveries.stream().map(Recovery::caughtUpSeconds).sorted().toList();
    List<Double> ready = recoveries.stream().map(Recovery::readySeconds).sorted().toList();
    System.out.printf(Locale.ROOT, "SUMMARY kills=%d instanceId=%s caught_up_s min/median/max = %.2f / %.2f / %.2f; "
            + "ready_s min/median/max = %.2f / %.2f / %.2f%n", recoveries.size(),
        instanceId == null ? "default" : instanceId, caughtUp.get(0), caughtUp.get(caughtUp.size() / 2),
        caughtUp.get(caughtUp.size() - 1), ready.get(0), ready.get(ready.size() / 2), ready.get(ready.size() - 1));
  }

  // ---- the child: `tandem run` as an operator starts it ----

  private Path writeConfig(String bootstrap, URI registry) throws Exception {
    Path schemas = Path.of(RecoveryBenchmark.class.getResource("/bench-schemas").toURI());
    String yaml = "kafka:\n"
        + "  bootstrapServers: " + bootstrap + "\n"
        + "  partitions: 2\n"
        + (instanceId == null ? "" : "  instanceId: " + instanceId + "\n")
        + "registry:\n"
        + "  url: " + registry + "\n"
        + "legacy:\n"
        + "  connector: " + Path.of("connectors/legacy-postgres.properties").toAbsolutePath() + "\n"
        + "  env:\n"
        + "    LEGACY_DB_HOST: " + postgres.host() + "\n"
        + "    LEGACY_DB_PORT: " + postgres.port() + "\n"
        + "    LEGACY_DB_NAME: " + LEGACY_DB + "\n"
        + "    LEGACY_DB_USER: " + postgres.user() + "\n"
        + "    LEGACY_DB_PASSWORD: \"\"\n"
        + "    LEGACY_TABLES: public.customers\n"
        + "    TANDEM_OFFSET_REPLICATION_FACTOR: 1\n"
        + "target:\n"
        + "  jdbcUrl: " + postgres.jdbcUrl(NEW_DB) + "\n"
        + "  user: " + postgres.user() + "\n"
        + "  password: \"\"\n"
        + "schemas:\n"
        + "  dir: " + schemas + "\n"
        + "transform:\n"
        + "  threads: 1\n"
        + "  stateDir: " + work.resolve("streams") + "\n"
        + "metrics:\n"
        + "  host: 127.0.0.1\n"
        + "  port: " + metricsPort + "\n";
    Path file = work.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private Process startChild(Path config) throws IOException {
    Path log = work.resolve("tandem-run-" + (++childCount) + ".log");
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-jar", jar.toString(), "run", "--config", config.toString(), "--components", "capture,transform,sink")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private double awaitReady(long since, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/ready"))
        .timeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return (System.nanoTime() - since) / 1e9;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("tandem run not ready after " + timeout + " (see " + work + ")");
  }

  // ---- load, heartbeat and what the new side shows ----

  private Process startPgbench() throws IOException {
    Path script = work.resolve("update.sql");
    Files.writeString(script, "\\set id random(2, " + rows + ")\n"
        + "UPDATE customers SET balance = balance + 0.01, updated_at = now() WHERE id = :id;\n");
    int seconds = kills * (settleSeconds + 60) + 600; // outlives the run; destroyed at the end
    return new ProcessBuilder(System.getProperty("bench.pgbench", "/usr/bin/pgbench"), "-n", "-f", script.toString(),
        "-R", Integer.toString(rate), "-T", Integer.toString(seconds), "-c", "4", "-j", "2",
        "-h", postgres.host(), "-p", Integer.toString(postgres.port()), "-U", postgres.user(), LEGACY_DB)
        .redirectErrorStream(true).redirectOutput(work.resolve("pgbench.log").toFile()).start();
  }

  private void heartbeat() {
    try (Connection legacy = postgres.connect(LEGACY_DB);
        PreparedStatement bump = legacy.prepareStatement("UPDATE customers SET name = ? WHERE id = 1")) {
      for (long n = 0; running; n++) {
        bump.setString(1, "hb-" + n);
        bump.executeUpdate(); // autocommit: committed when it returns
        committedAt.put(n, System.nanoTime());
        lastCommitted.set(n);
        Thread.sleep(HEARTBEAT_EVERY.toMillis());
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("heartbeat failed", e);
    }
  }

  private void watchNew() {
    long seen = -1;
    try (Connection target = postgres.connect(NEW_DB);
        PreparedStatement read = target.prepareStatement("SELECT name FROM customer WHERE id = 1")) {
      while (running || seen < lastCommitted.get()) {
        try (ResultSet rs = read.executeQuery()) {
          if (rs.next() && rs.getString(1) != null && rs.getString(1).startsWith("hb-")) {
            long now = System.nanoTime();
            long shown = Long.parseLong(rs.getString(1).substring(3));
            for (long n = seen + 1; n <= shown; n++) {
              visibleAt.putIfAbsent(n, now);
            }
            seen = Math.max(seen, shown);
          }
        }
        Thread.sleep(10);
      }
    } catch (SQLException | InterruptedException e) {
      throw new IllegalStateException("watching the new database failed", e);
    }
  }

  private double awaitVisible(long heartbeat, long since, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Long at = visibleAt.get(heartbeat);
      if (at != null) {
        return Math.max(0, at - since) / 1e9;
      }
      Thread.sleep(10);
    }
    throw new IllegalStateException("heartbeat " + heartbeat + " not visible in the new DB after " + timeout);
  }

  /** The worst commit → visible delay of the heartbeats committed in the settle window after {@code since}. */
  private double worstLagSince(long since) throws InterruptedException {
    Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds) / 2);
    long worst = 0;
    long until = since + TimeUnit.SECONDS.toNanos(settleSeconds);
    for (var entry : committedAt.entrySet()) {
      long committed = entry.getValue();
      Long visible = visibleAt.get(entry.getKey());
      if (committed >= since && committed <= until && visible != null) {
        worst = Math.max(worst, visible - committed);
      }
    }
    // Heartbeats committed just before the kill waited for the restart: count them from the kill.
    for (var entry : committedAt.entrySet()) {
      Long visible = visibleAt.get(entry.getKey());
      if (entry.getValue() < since && visible != null && visible > since) {
        worst = Math.max(worst, visible - entry.getValue());
      }
    }
    return worst / 1e9;
  }

  // ---- legacy data and checks ----

  private void seedLegacy() throws SQLException {
    try (Connection c = postgres.connect(LEGACY_DB); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, balance numeric(12,2), "
          + "status text, updated_at timestamptz)");
      s.execute("INSERT INTO customers SELECT i, 'Customer ' || i, 'customer' || i || '@example.com', "
          + "round((random() * 10000)::numeric, 2), (ARRAY['A','S','C'])[1 + (i % 3)], now() "
          + "FROM generate_series(1, " + rows + ") AS i");
      s.execute("ALTER TABLE customers REPLICA IDENTITY FULL");
      s.execute("VACUUM ANALYZE customers");
    }
  }

  private void awaitNewCount(long expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (newCount() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the new DB did not reach " + expected + " rows (see " + work + ")");
      }
      Thread.sleep(200);
    }
  }

  /** Rows in the new table; 0 until the sink has created it. */
  private long newCount() throws SQLException {
    try {
      return queryLong(NEW_DB, "SELECT count(*) FROM customer");
    } catch (SQLException e) {
      if ("42P01".equals(e.getSQLState())) {
        return 0;
      }
      throw e;
    }
  }

  /** Balances (pgbench's writes) and names (the heartbeat's) equal on both sides: nothing lost or doubled. */
  private void awaitEqual(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String legacySql = "SELECT count(*), (sum(balance) * 100)::bigint, sum(hashtext(name)::bigint) FROM customers";
    String newSql = "SELECT count(*), sum(balance_cents), sum(hashtext(name)::bigint) FROM customer";
    while (true) {
      String legacy = queryRow(LEGACY_DB, legacySql);
      String migrated = queryRow(NEW_DB, newSql);
      if (legacy.equals(migrated)) {
        System.out.println("Check: legacy and new equal (count, sum of balances in cents, sum of name hashes) = "
            + legacy);
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("legacy " + legacy + " and new " + migrated + " differ after " + timeout);
      }
      Thread.sleep(500);
    }
  }

  private void exec(String db, String sql) throws SQLException {
    BenchSql.exec(postgres, db, sql);
  }

  private long queryLong(String db, String sql) throws SQLException {
    return BenchSql.queryLong(postgres, db, sql);
  }

  private String queryRow(String db, String sql) throws SQLException {
    try (Connection c = postgres.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
    }
  }

  private static double secondsSince(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private RecoveryBenchmark() {}
}
