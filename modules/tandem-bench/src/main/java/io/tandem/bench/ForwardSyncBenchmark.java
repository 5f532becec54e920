package io.tandem.bench;

import io.tandem.capture.LegacySettings;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.HealthServer;
import io.tandem.runtime.MetricsSettings;
import io.tandem.runtime.SchemasSettings;
import io.tandem.runtime.Supervisor;
import io.tandem.runtime.TandemConfig;
import io.tandem.sink.JdbcSink;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.SinkStats;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end forward-sync benchmark: legacy PostgreSQL → Debezium capture → Kafka → Kafka Streams
 * transform → JDBC sink → new PostgreSQL, all on the embedded stack in this JVM (like
 * {@code tandem demo}). Phases: snapshot of a seeded {@code customers} table, drain of a pgbench
 * burst of single-row updates, commit → visible lag under a fixed pgbench rate. Prints the figures,
 * per-stage timelines and where the CPU went. See docs/benchmarks.md for the command.
 *
 * <p>{@code -Dbench.legacy=mariadb} captures a database on the machine's MariaDB instead
 * ({@code bench.mariadbUrl}, default {@code jdbc:mariadb://127.0.0.1:3306/}, user root without a password, binlog
 * on) through {@code connectors/legacy-mariadb.properties}; the new database stays the embedded PostgreSQL, and
 * JDBC writers in this JVM take pgbench's place ({@link MariaDbUpdates}).
 *
 * <p>Knobs (system properties): {@code bench.rows} (200000), {@code bench.updates} (100000),
 * {@code bench.rate} (3000), {@code bench.lagSeconds} (60), {@code bench.partitions} (2),
 * {@code bench.phases} (snapshot,drain,lag), {@code bench.connector} (connectors/legacy-postgres.properties or
 * connectors/legacy-mariadb.properties), {@code bench.mariadbClients} (16) and {@code bench.mariadbBatch} (50: updates
 * per JDBC batch of a MariaDB writer in the drain), {@code bench.mariadbTxSize} (1: updates per transaction in the
 * drain), {@code bench.visibilityProbe} (false: a write→visible probe in the lag phase, {@link VisibilityProbe}),
 * {@code bench.result} (append a one-line summary to this file), {@code bench.label}.
 * Tuning overrides: {@code connector.<key>} (written into a copy of the connector file),
 * {@code kafka.<key>} ({@code kafka.properties}: every Kafka client; e.g. {@code kafka.compression.type},
 * {@code kafka.producer.linger.ms} for Kafka Streams' producer), {@code streams.threads},
 * {@code sink.maxPollRecords}. The stages run exactly as {@code tandem run} runs them: one
 * {@link Deployment} under one {@link Supervisor}, configured by the same settings records.
 */
public final class ForwardSyncBenchmark {
  private static final String LEGACY_DB = "legacy";
  private static final String NEW_DB = "legacy_new";
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

  private final int rows = Integer.getInteger("bench.rows", 200_000);
  private final int updates = Integer.getInteger("bench.updates", 100_000);
  private final int rate = Integer.getInteger("bench.rate", 3000);
  private final int lagSeconds = Integer.getInteger("bench.lagSeconds", 60);
  private final int partitions = Integer.getInteger("bench.partitions", 2);
  private final List<String> phases = List.of(System.getProperty("bench.phases", "snapshot,drain,lag").split(","));
  private final String label = System.getProperty("bench.label", "stock");
  private final String legacyKind = System.getProperty("bench.legacy", "postgres");
  private final boolean mariaDb = legacyKind.equals("mariadb");
  private final String mariaDbUrl = System.getProperty("bench.mariadbUrl", "jdbc:mariadb://127.0.0.1:3306/");
  /** A database of its own on the shared MariaDB server, dropped at the end. */
  private final String mariaDbName = "tandem_bench_" + Long.toHexString(System.nanoTime() & 0xffff_ffffL);
  private final Map<String, String> summary = new LinkedHashMap<>();

  private EmbeddedPostgresServer postgres;
  private String bootstrap;
  private SchemaRegistryClient registryClient;
  private Path work;
  private Stages stages;

  public static void main(String[] args) throws Exception {
    new ForwardSyncBenchmark().run();
    System.exit(0); // broker/registry daemon threads
  }

  /** The three stages as the deployment built them. */
  private record Stages(Deployment deployment, Supervisor supervisor) {
    long captured() {
      return deployment.capture().orElseThrow().stats().eventsByTable().values().stream().mapToLong(Long::longValue)
          .sum();
    }

    long transformed() {
      return deployment.transform().orElseThrow().metrics().migratedByEntity().values().stream()
          .mapToLong(Long::longValue).sum();
    }

    long sunk() {
      return sink().stats().records();
    }

    JdbcSink sink() {
      return deployment.sink().orElseThrow();
    }

    Optional<String> failure() {
      return supervisor.firstFailure();
    }

    void close() {
      supervisor.stop();
    }
  }

  private void run() throws Exception {
    if (!mariaDb && !legacyKind.equals("postgres")) {
      throw new IllegalArgumentException("bench.legacy: postgres or mariadb, not " + legacyKind);
    }
    work = Files.createTempDirectory("tandem-fwd-bench");
    System.out.printf("ForwardSyncBenchmark %s, label=%s, rows=%d, updates=%d, rate=%d/s for %d s, partitions=%d, "
            + "cpus=%d, maxHeap=%d MiB%n", Instant.now(), label, rows, updates, rate, lagSeconds, partitions,
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    summary.put("label", label);
    summary.put("legacy", legacyKind);
    summary.put("date", Instant.now().toString());
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      postgres = pg;
      exec("postgres", "CREATE DATABASE " + NEW_DB);
      long seedStart = System.nanoTime();
      if (mariaDb) {
        seedMariaDb();
      } else {
        exec("postgres", "CREATE DATABASE " + LEGACY_DB);
        seedLegacy();
      }
      System.out.printf("Seeded %d legacy rows (%s) in %.1f s%n", rows, mariaDb ? "MariaDB " + mariaDbName
          : "PostgreSQL", secondsSince(seedStart));

      SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
      bootstrap = kafka.bootstrapServers();
      registryClient = client;
      Map<String, String> env = new HashMap<>(System.getenv());
      if (mariaDb) {
        URI server = URI.create(mariaDbUrl.substring("jdbc:".length()));
        env.put("LEGACY_DB_HOST", server.getHost());
        env.put("LEGACY_DB_PORT", Integer.toString(server.getPort() < 0 ? 3306 : server.getPort()));
        env.put("LEGACY_DB_NAME", mariaDbName);
        env.put("LEGACY_DB_USER", "root");
        env.put("LEGACY_DB_PASSWORD", "");
        env.put("LEGACY_TABLES", mariaDbName + ".customers");
        // Unique among the server's replicas (other runs and tests may stream from it meanwhile).
        env.put("LEGACY_SERVER_ID", Integer.toString(900_000 + Math.floorMod(mariaDbName.hashCode(), 90_000)));
        env.put("TANDEM_SCHEMA_HISTORY_TOPIC", "history_" + mariaDbName);
      } else {
        env.put("LEGACY_DB_HOST", pg.host());
        env.put("LEGACY_DB_PORT", Integer.toString(pg.port()));
        env.put("LEGACY_DB_NAME", LEGACY_DB);
        env.put("LEGACY_DB_USER", pg.user());
        env.put("LEGACY_DB_PASSWORD", "");
        env.put("LEGACY_TABLES", "public.customers");
      }
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
      TandemConfig config = config(pg, kafka.bootstrapServers(), registry.url(), env);

      CpuMeter cpu = new CpuMeter();
      Sampler sampler = new Sampler();
      long start = System.nanoTime();
      stages = start(config, env);
      System.out.printf("Pipeline started in %.2f s (kafka.properties %s, transform threads %d, sink maxPollRecords %d)%n",
          secondsSince(start), config.kafka().properties(), config.transform().threads(),
          config.sink().maxPollRecords());
      try {
        sampler.start();
        if (phases.contains("snapshot")) {
          snapshot(start, sampler, cpu);
        } else {
          awaitCount(stages::sunk, rows, Duration.ofMinutes(10));
        }
        if (phases.contains("drain")) {
          drain(sampler);
        }
        if (phases.contains("lag")) {
          lag();
        }
      } finally {
        sampler.stop();
        stages.close();
      }
    } finally {
      if (mariaDb) {
        mariaDbExec("", "DROP DATABASE IF EXISTS " + mariaDbName);
      }
    }
    String hwm = procStatus("VmHWM");
    System.out.println("JVM peak RSS (VmHWM): " + hwm + "; VmRSS now " + procStatus("VmRSS"));
    summary.put("vmhwm", hwm.replace(" ", ""));
    String line = summary.toString();
    System.out.println("SUMMARY " + line);
    String result = System.getProperty("bench.result");
    if (result != null) {
      Files.writeString(Path.of(result), line + System.lineSeparator(), StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
  }

  // ---- phases ----

  private void snapshot(long start, Sampler sampler, CpuMeter cpu) throws Exception {
    awaitCount(stages::sunk, rows, Duration.ofMinutes(10));
    double seconds = secondsSince(start);
    long newRows = queryLong(NEW_DB, "SELECT count(*) FROM customer");
    System.out.println();
    System.out.printf("== Snapshot: %d rows in the new DB %.2f s after pipeline start: %,.0f rows/s%n", newRows, seconds,
        newRows / seconds);
    summary.put("snapshot_s", fmt(seconds));
    summary.put("snapshot_rows_s", fmt0(rows / seconds));
    Thread.sleep(250); // let the sampler see the end
    sampler.timeline(start, rows, 0);
    cpu.report("snapshot", seconds);
    if (newRows != rows) {
      throw new IllegalStateException("new DB has " + newRows + " rows, expected " + rows);
    }
  }

  private void drain(Sampler sampler) throws Exception {
    awaitIdle();
    long base = stages.captured();
    long baseSunk = stages.sunk();
    long baseTransformed = stages.transformed();
    CpuMeter cpu = new CpuMeter();
    long start = System.nanoTime();
    int clients = mariaDb ? MARIADB_CLIENTS : 4;
    int perClient = updates / clients;
    PgbenchResult bench = mariaDb ? new MariaDbUpdates(clients).run(perClient, 0, 0)
        : pgbench(updateScript(), "-t", Integer.toString(perClient), "-c", "4", "-j", "2");
    double pgbenchSeconds = secondsSince(start);
    long capturedAtEnd = stages.captured() - base;
    long sunkAtEnd = stages.sunk() - baseSunk;
    long transformedAtEnd = stages.transformed() - baseTransformed;
    String marker = "marker-drain-" + System.nanoTime();
    legacyExec("UPDATE customers SET name = '" + marker + "' WHERE id BETWEEN 1 AND 16");
    awaitMarker(marker);
    double seconds = secondsSince(start);
    long events = (long) perClient * clients;
    System.out.println();
    System.out.printf("== Drain: %d single-row updates (%s %.2f s, %s TPS), last visible in the new DB after %.2f s: "
        + "%,.0f events/s end to end%n", events, loadName(), pgbenchSeconds, bench.tps, seconds, events / seconds);
    System.out.printf("   when the load finished: captured %d, transformed %d, sunk %d (backlog behind it: capture %d, sink %d)%n",
        capturedAtEnd, transformedAtEnd, sunkAtEnd, events - capturedAtEnd, events - sunkAtEnd);
    double tail = seconds - pgbenchSeconds;
    System.out.printf("   catch-up after the load: %.2f s for %d sink records (%,.0f records/s)%n", tail,
        events - sunkAtEnd, (events - sunkAtEnd) / tail);
    summary.put("drain_s", fmt(seconds));
    summary.put("drain_events_s", fmt0(events / seconds));
    summary.put("drain_pgbench_tps", bench.tps);
    summary.put("drain_pgbench_s", fmt(pgbenchSeconds));
    summary.put("drain_backlog_at_pgbench_end", Long.toString(events - sunkAtEnd));
    summary.put("drain_catchup_rec_s", fmt0((events - sunkAtEnd) / tail));
    Thread.sleep(250);
    sampler.timeline(start, events + 16, baseSunk);
    cpu.report("drain", seconds);
    verifyBalances();
  }

  private void lag() throws Exception {
    awaitIdle();
    LagCollector collector = new LagCollector();
    StageLagProbe probe = Boolean.getBoolean("bench.stageLag") ? new StageLagProbe() : null;
    VisibilityProbe visibility = Boolean.getBoolean("bench.visibilityProbe") ? new VisibilityProbe() : null;
    CpuMeter cpu = new CpuMeter();
    long start = System.nanoTime();
    collector.start();
    if (visibility != null) {
      visibility.start();
    }
    if (probe != null) {
      probe.start();
    }
    PgbenchResult bench = mariaDb ? new MariaDbUpdates(MARIADB_CLIENTS).run(0, rate, lagSeconds)
        : pgbench(updateScript(), "-R", Integer.toString(rate), "-T", Integer.toString(lagSeconds), "-c", "4", "-j", "2");
    String marker = "marker-lag-" + System.nanoTime();
    legacyExec("UPDATE customers SET name = '" + marker + "' WHERE id BETWEEN 1 AND 16");
    awaitMarker(marker);
    double seconds = secondsSince(start);
    collector.stop();
    if (visibility != null) {
      visibility.stop();
    }
    if (probe != null) {
      probe.stop();
      probe.report();
    }
    List<Long> all = collector.samples();
    List<Long> steady = collector.samplesAfter(start + TimeUnit.SECONDS.toNanos(5));
    System.out.println();
    System.out.printf("== Lag: %s at %d/s for %d s: achieved %s TPS (%s); all visible %.2f s after start%n", loadName(),
        rate, lagSeconds, bench.tps, bench.scheduleLag, seconds);
    System.out.printf("   commit→visible lag (SinkStats samples, %d samples%s): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
        all.size(), collector.overflows > 0 ? ", " + collector.overflows + " polls lost samples" : "",
        pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 100));
    System.out.printf("   after the first 5 s (%d samples): p50 %d ms, p99 %d ms; Pipeline's own gauge (last 1024) now: p99 %s%n",
        steady.size(), pct(steady, 50), pct(steady, 99),
        stages.sink().stats().lagPercentile(99).map(d -> d.toMillis() + " ms").orElse("-"));
    if (visibility != null) {
      visibility.report();
    }
    // The sink's samples start at the legacy commit time the change carries (Debezium's source.ts_ms).
    long whole = queryLong(NEW_DB, "SELECT count(*) FROM customer WHERE _tandem_commit_ts IS NOT NULL"
        + " AND extract(milliseconds FROM _tandem_commit_ts) % 1000 = 0");
    long stamped = queryLong(NEW_DB, "SELECT count(*) FROM customer WHERE _tandem_commit_ts IS NOT NULL");
    System.out.printf("   commit timestamps: %d of %d rows' _tandem_commit_ts are whole seconds%n", whole, stamped);
    summary.put("lag_commit_ts_whole_seconds", whole + "/" + stamped);
    SinkStats s = stages.sink().stats();
    System.out.printf("   sink: %d batches, %d records total (%.0f records/batch over the run)%n", s.batches(), s.records(),
        (double) s.records() / Math.max(1, s.batches()));
    summary.put("lag_tps", bench.tps);
    summary.put("lag_p50_ms", Long.toString(pct(all, 50)));
    summary.put("lag_p99_ms", Long.toString(pct(all, 99)));
    summary.put("lag_max_ms", Long.toString(pct(all, 100)));
    summary.put("lag_samples", Integer.toString(all.size()));
    cpu.report("lag", seconds);
    verifyBalances();
  }

  /**
   * Write → visible, timed by this harness alone rather than from the legacy commit time a change carries (which
   * MariaDB's binlog stamps in whole seconds): every 200 ms an autocommit UPDATE of customer 17's name on legacy,
   * then the new database polled every 5 ms until it shows the name. Each sample is timed from just before the
   * UPDATE is sent, so it includes the legacy commit.
   * {@code -Dbench.visibilityProbe=true}.
   */
  private final class VisibilityProbe {
    private final List<Long> samples = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private Thread thread;

    void start() {
      thread = daemon(() -> {
        try (Connection legacy = mariaDb ? mariaDbConnection(mariaDbName) : postgres.connect(LEGACY_DB);
            Connection target = postgres.connect(NEW_DB);
            var update = legacy.prepareStatement("UPDATE customers SET name = ? WHERE id = 17");
            var read = target.prepareStatement("SELECT name FROM customer WHERE id = 17")) {
          for (long n = 0; running; n++) {
            String name = "probe-" + n;
            long sent = System.nanoTime();
            update.setString(1, name);
            update.executeUpdate();
            long deadline = sent + TimeUnit.SECONDS.toNanos(10);
            while (!name.equals(value(read)) && System.nanoTime() < deadline) {
              Thread.sleep(5);
            }
            samples.add((System.nanoTime() - sent) / 1_000_000);
            Thread.sleep(Math.max(0, 200 - (System.nanoTime() - sent) / 1_000_000));
          }
        } catch (SQLException | InterruptedException e) {
          System.out.println("visibility probe stopped: " + e);
        }
      }, "bench-visibility-probe");
    }

    private String value(java.sql.PreparedStatement read) throws SQLException {
      try (ResultSet rs = read.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    void report() {
      List<Long> sorted;
      synchronized (samples) {
        sorted = samples.stream().sorted().toList();
      }
      System.out.printf("   write→visible (probe, %d writes 200 ms apart): p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n",
          sorted.size(), pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), pct(sorted, 100));
      summary.put("lag_probe_p50_ms", Long.toString(pct(sorted, 50)));
      summary.put("lag_probe_p99_ms", Long.toString(pct(sorted, 99)));
      summary.put("lag_probe_max_ms", Long.toString(pct(sorted, 100)));
    }
  }

  /** One random single-row update per pgbench transaction. */
  private Path updateScript() throws IOException {
    Path script = work.resolve("update.sql");
    Files.writeString(script, "\\set id random(1, " + rows + ")\n"
        + "UPDATE customers SET balance = balance + 0.01, updated_at = now() WHERE id = :id;\n");
    return script;
  }

  // ---- wiring ----

  /** What a tandem.yaml for this stack would say, with the knobs of the class comment. */
  private TandemConfig config(EmbeddedPostgresServer pg, String kafka, URI registry, Map<String, String> env)
      throws Exception {
    Map<String, String> kafkaProperties = new TreeMap<>();
    prefixed("kafka.").forEach((key, value) -> kafkaProperties.put(key, value.toString()));
    SinkSettings sink = SinkSettings.defaults();
    if (Integer.getInteger("sink.maxPollRecords") != null) {
      sink = sink.withMaxPollRecords(Integer.getInteger("sink.maxPollRecords"));
    }
    TransformSettings transform = new TransformSettings(TransformSettings.APPLICATION.defaultValue(),
        Integer.getInteger("streams.threads", 1), Files.createTempDirectory(work, "streams"));
    return new TandemConfig(work.resolve("bench (built in)"), new KafkaSettings(kafka, partitions, kafkaProperties),
        Optional.of(RegistrySettings.external(registry)), new LegacySettings(connectorFile(), Map.of(), Optional.empty()),
        Optional.of(new TargetSettings(pg.jdbcUrl(NEW_DB), pg.user(), "")), new SchemasSettings(schemasFolder()),
        transform, sink, new MetricsSettings("127.0.0.1", 0), VerifySettings.defaults());
  }

  private Stages start(TandemConfig config, Map<String, String> env) {
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, env);
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(60),
        Clock.systemUTC());
    supervisor.start(() -> true);
    return new Stages(deployment, supervisor);
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static Map<String, Object> prefixed(String prefix) {
    Map<String, Object> map = new TreeMap<>();
    for (String key : System.getProperties().stringPropertyNames()) {
      if (key.startsWith(prefix)) {
        map.put(key.substring(prefix.length()), System.getProperty(key));
      }
    }
    return map;
  }

  /** A copy of the connector file with {@code connector.<key>} overrides applied. */
  private Path connectorFile() throws IOException {
    Path original = Path.of(System.getProperty("bench.connector", mariaDb ? "connectors/legacy-mariadb.properties"
        : "connectors/legacy-postgres.properties"));
    Map<String, Object> overrides = prefixed("connector.");
    if (overrides.isEmpty()) {
      return original;
    }
    List<String> lines = new ArrayList<>();
    Map<String, Object> pending = new LinkedHashMap<>(overrides);
    for (String line : Files.readAllLines(original)) {
      int eq = line.indexOf('=');
      String key = eq > 0 && !line.startsWith("#") ? line.substring(0, eq).trim() : null;
      if (key != null && pending.containsKey(key)) {
        lines.add(key + "=" + pending.remove(key));
      } else {
        lines.add(line);
      }
    }
    pending.forEach((k, v) -> lines.add(k + "=" + v));
    Path copy = work.resolve(original.getFileName().toString());
    Files.write(copy, lines);
    System.out.println("Connector overrides: " + overrides);
    return copy;
  }

  private Path schemasFolder() throws URISyntaxException, IOException {
    String configured = System.getProperty("bench.schemas");
    Path schemas = configured != null ? Path.of(configured)
        : Path.of(ForwardSyncBenchmark.class.getResource("/bench-schemas").toURI());
    return mariaDb ? readingMariaDb(schemas) : schemas;
  }

  /**
   * A copy of the schemas folder whose mappings read the MariaDB database: there the database plays PostgreSQL's
   * schema, so {@code source: public.customers} becomes {@code source: <database>.customers}.
   */
  private Path readingMariaDb(Path schemas) throws IOException {
    Path into = work.resolve("schemas-" + mariaDbName);
    try (var files = Files.walk(schemas)) {
      for (Path file : files.toList()) {
        Path copy = into.resolve(schemas.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else if (file.getParent().getFileName().toString().equals("mappings")) {
          Files.writeString(copy, Files.readString(file).replaceAll("(?m)^source:\\s*public\\.",
              "source: " + mariaDbName + "."));
        } else {
          Files.copy(file, copy);
        }
      }
    }
    return into;
  }

  // ---- legacy data and checks ----

  private void seedLegacy() throws SQLException {
    try (Connection c = postgres.connect(LEGACY_DB); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, balance numeric(12,2), "
          + "status text, updated_at timestamptz)");
      s.execute("INSERT INTO customers SELECT i, 'Customer ' || i, 'customer' || i || '@example.com', "
          + "round((random() * 10000)::numeric, 2), (ARRAY['A','S','C'])[1 + (i % 3)], now() - (i || ' seconds')::interval "
          + "FROM generate_series(1, " + rows + ") AS i");
      s.execute("ALTER TABLE customers REPLICA IDENTITY FULL");
      s.execute("VACUUM ANALYZE customers");
    }
    // Environment knobs of the embedded server (synchronous_commit=off there: commits wait for the WAL
    // writer, and logical decoding only sends flushed WAL).
    String syncCommit = System.getProperty("bench.legacySyncCommit");
    if (syncCommit != null) {
      exec("postgres", "ALTER DATABASE " + LEGACY_DB + " SET synchronous_commit = " + syncCommit);
      System.out.println("Legacy database: synchronous_commit = " + syncCommit);
    }
    String walWriterDelay = System.getProperty("bench.walWriterDelay");
    if (walWriterDelay != null) {
      exec("postgres", "ALTER SYSTEM SET wal_writer_delay = '" + walWriterDelay + "'");
      exec("postgres", "SELECT pg_reload_conf()");
      System.out.println("Server: wal_writer_delay = " + walWriterDelay);
    }
  }

  /**
   * The same table and rows as {@link #seedLegacy} in MariaDB's types ({@code decimal}, a {@code timestamp(6)}
   * instant); no replica identity step: with {@code binlog_row_image=FULL} every change carries the whole row.
   */
  private void seedMariaDb() throws SQLException {
    mariaDbExec("", "CREATE DATABASE " + mariaDbName + " CHARACTER SET utf8mb4");
    mariaDbExec(mariaDbName, "CREATE TABLE customers (id bigint PRIMARY KEY, name varchar(200), email varchar(320), "
        + "balance decimal(12,2), status varchar(1), updated_at timestamp(6) NULL)");
    // seq_1_to_N: MariaDB's sequence engine, the counterpart of generate_series.
    mariaDbExec(mariaDbName, "INSERT INTO customers SELECT seq, CONCAT('Customer ', seq), CONCAT('customer', seq, "
        + "'@example.com'), ROUND(RAND() * 10000, 2), ELT(1 + seq % 3, 'A', 'S', 'C'), now(6) - INTERVAL seq SECOND "
        + "FROM seq_1_to_" + rows);
    mariaDbExec(mariaDbName, "ANALYZE TABLE customers");
  }

  private void verifyBalances() throws SQLException {
    long legacy = mariaDb ? mariaDbQueryLong("SELECT CAST(sum(balance) * 100 AS SIGNED) FROM customers")
        : queryLong(LEGACY_DB, "SELECT (sum(balance) * 100)::bigint FROM customers");
    long migrated = queryLong(NEW_DB, "SELECT sum(balance_cents) FROM customer");
    long count = queryLong(NEW_DB, "SELECT count(*) FROM customer");
    System.out.printf("   check: legacy sum(balance)*100 = %d, new sum(balance_cents) = %d, new rows = %d: %s%n", legacy,
        migrated, count, legacy == migrated && count == rows ? "equal" : "DIFFERENT");
  }

  private void awaitMarker(String marker) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try (Connection c = postgres.connect(NEW_DB);
        var ps = c.prepareStatement("SELECT count(*) FROM customer WHERE id BETWEEN 1 AND 16 AND name = ?")) {
      ps.setString(1, marker);
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 16) {
            return;
          }
        }
        failIfStopped();
        Thread.sleep(20);
      }
    }
    throw new IllegalStateException("marker " + marker + " not visible after 10 minutes");
  }

  private void awaitCount(LongSupplier counter, long target, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (counter.getAsLong() < target) {
      failIfStopped();
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out at " + counter.getAsLong() + " of " + target);
      }
      Thread.sleep(10);
    }
  }

  /** Until every stage has handled everything captured and nothing moved for a second. */
  private void awaitIdle() throws Exception {
    long last = -1;
    long stableSince = System.nanoTime();
    while (true) {
      failIfStopped();
      long c = stages.captured();
      long t = stages.transformed();
      long s = stages.sunk();
      long sum = c + t + s;
      if (sum != last) {
        last = sum;
        stableSince = System.nanoTime();
      } else if (c == t && s >= t && System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(1)) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private void failIfStopped() {
    stages.failure().ifPresent(f -> {
      throw new IllegalStateException("pipeline stage failed: " + f);
    });
  }

  private void exec(String db, String sql) throws SQLException {
    BenchSql.exec(postgres, db, sql);
  }

  private long queryLong(String db, String sql) throws SQLException {
    return BenchSql.queryLong(postgres, db, sql);
  }

  /** A statement on the legacy database, whichever it is. */
  private void legacyExec(String sql) throws SQLException {
    if (mariaDb) {
      mariaDbExec(mariaDbName, sql);
    } else {
      exec(LEGACY_DB, sql);
    }
  }

  private Connection mariaDbConnection(String db) throws SQLException {
    return java.sql.DriverManager.getConnection(mariaDbUrl + db, "root", "");
  }

  /** @param db the database of the connection, {@code ""} for none */
  private void mariaDbExec(String db, String sql) throws SQLException {
    try (Connection c = mariaDbConnection(db); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private long mariaDbQueryLong(String sql) throws SQLException {
    try (Connection c = mariaDbConnection(mariaDbName); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** What writes the legacy changes of the drain and lag phases. */
  private String loadName() {
    return mariaDb ? "MariaDB writers" : "pgbench";
  }

  // ---- pgbench ----

  private record PgbenchResult(String tps, String scheduleLag, String output) {}

  private PgbenchResult pgbench(Path script, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("bench.pgbench", "/usr/bin/pgbench"),
        "-h", postgres.host(), "-p", Integer.toString(postgres.port()), "-U", postgres.user(), "-n", "-f", script.toString()));
    command.addAll(List.of(args));
    command.add(LEGACY_DB);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("pgbench failed: " + output);
    }
    Matcher m = TPS.matcher(output);
    String tps = m.find() ? String.format("%.0f", Double.parseDouble(m.group(1))) : "?";
    String scheduleLag = output.lines().filter(l -> l.startsWith("rate limit schedule lag") || l.startsWith("latency average"))
        .reduce((a, b) -> a + "; " + b).orElse("");
    return new PgbenchResult(tps, scheduleLag, output);
  }

  /**
   * pgbench's counterpart for a MariaDB legacy: {@code clients} ({@code bench.mariadbClients}) JDBC connections (MariaDB Connector/J, threads
   * {@code bench-mariadb-writer-N} of this JVM, so their CPU shows as the harness's) sending
   * {@code UPDATE customers SET balance = balance + 0.01, updated_at = now(6) WHERE id = ?} for random ids, each
   * statement its own transaction (autocommit), as pgbench's script does ({@code bench.mariadbTxSize} groups the
   * drain's updates into transactions instead). Unpaced ({@code rate} 0, the drain):
   * {@code perClient} updates each, in JDBC batches of {@code bench.mariadbBatch} (50) that the driver pipelines
   * ({@code useBulkStmts=false}: statements one by one, not one bulk statement). Paced (the lag): one statement
   * at a time, {@code rate}/clients per second each on a fixed schedule, for {@code seconds}.
   */
  /**
   * 16, not pgbench's 4: on the machine's MariaDB every commit flushes the redo log
   * ({@code innodb_flush_log_at_trx_commit=1}), so 4 connections write only ~3k updates/s, below what the pipeline
   * drains, and the drain figure would be the writers'. 16 share their log flushes (group commit).
   */
  private static final int MARIADB_CLIENTS = Integer.getInteger("bench.mariadbClients", 16);

  private final class MariaDbUpdates {
    private static final String UPDATE = "UPDATE customers SET balance = balance + 0.01, updated_at = now(6) WHERE id = ?";
    private final int clients;

    MariaDbUpdates(int clients) {
      this.clients = clients;
    }

    PgbenchResult run(long perClient, int rate, int seconds) throws Exception {
      int batch = Integer.getInteger("bench.mariadbBatch", 50);
      int transaction = rate == 0 ? Integer.getInteger("bench.mariadbTxSize", 1) : 1;
      java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.atomic.AtomicLong worstBehind = new java.util.concurrent.atomic.AtomicLong();
      List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      long start = System.nanoTime();
      for (int client = 0; client < clients; client++) {
        threads.add(daemon(() -> {
          try (Connection connection = java.sql.DriverManager.getConnection(mariaDbUrl + mariaDbName
                  + "?useBulkStmts=false", "root", "");
              var update = connection.prepareStatement(UPDATE)) {
            var random = java.util.concurrent.ThreadLocalRandom.current();
            if (rate == 0) {
              connection.setAutoCommit(transaction == 1);
              for (long sent = 0; sent < perClient; ) {
                int chunk = (int) Math.min(transaction > 1 ? transaction : batch, perClient - sent);
                long[] ids = random.longs(chunk, 1, rows + 1L).toArray();
                // One lock order in every transaction: clients never deadlock on each other's rows.
                java.util.Arrays.sort(ids);
                for (int k = 0; k < chunk; k++) {
                  update.setLong(1, ids[k]);
                  update.addBatch();
                  if ((k + 1) % batch == 0 || k == chunk - 1) {
                    done.addAndGet(update.executeBatch().length);
                  }
                }
                if (transaction > 1) {
                  connection.commit();
                }
                sent += chunk;
              }
            } else {
              long interval = 1_000_000_000L * clients / rate;
              long end = start + TimeUnit.SECONDS.toNanos(seconds);
              for (long next = start; next < end; next += interval) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                  java.util.concurrent.locks.LockSupport.parkNanos(wait);
                } else {
                  worstBehind.accumulateAndGet(-wait, Math::max);
                }
                update.setLong(1, random.nextLong(1, rows + 1L));
                update.executeUpdate();
                done.incrementAndGet();
              }
            }
          } catch (SQLException e) {
            errors.add(e);
          }
        }, "bench-mariadb-writer-" + client));
      }
      for (Thread thread : threads) {
        thread.join();
      }
      if (!errors.isEmpty()) {
        throw new IllegalStateException("MariaDB writers failed", errors.get(0));
      }
      double took = secondsSince(start);
      String detail = rate == 0 ? String.format("%d clients, batches of %d, %d per transaction, %d updates in %.2f s",
          clients, batch, transaction, done.get(), took) : String.format("%d clients paced, %d updates in %.2f s, worst behind schedule %d ms",
          clients, done.get(), took, worstBehind.get() / 1_000_000);
      return new PgbenchResult(fmt0(done.get() / took), detail, "");
    }
  }

  // ---- measurement helpers ----

  /** Per-stage counters every 100 ms, to see which stage finishes when. */
  private final class Sampler {
    private final List<long[]> points = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private Thread thread;

    void start() {
      running = true;
      thread = daemon(() -> {
        while (running) {
          try {
            points.add(new long[] {System.nanoTime(), stages.captured(), stages.transformed(), stages.sunk()});
            if (points.size() % 5 == 0) {
              threadCpu();
            }
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          } catch (RuntimeException e) {
            // a stage not ready yet
          }
        }
      }, "bench-sampler");
    }

    void stop() {
      running = false;
    }

    /** When each stage delivered its first and last of {@code count} records after {@code from}. */
    void timeline(long from, long count, long sinkBase) {
      String[] names = {"capture (Kafka-acked raw events)", "transform (migrated records)", "sink (records committed)"};
      long[] base = null;
      for (long[] p : points) {
        if (p[0] <= from) {
          base = p;
        }
      }
      for (int stage = 1; stage <= 3; stage++) {
        long b = base == null ? (stage == 3 ? sinkBase : 0) : base[stage];
        long first = -1;
        long done = -1;
        double peak = 0;
        for (long[] p : points) {
          if (p[0] < from) {
            continue;
          }
          if (first < 0 && p[stage] > b) {
            first = p[0];
          }
          if (done < 0 && p[stage] - b >= count) {
            done = p[0];
          }
        }
        // 1-second sliding peak
        for (int i = 0; i < points.size(); i++) {
          long[] a = points.get(i);
          if (a[0] < from) {
            continue;
          }
          for (int j = i + 1; j < points.size(); j++) {
            long[] z = points.get(j);
            if (z[0] - a[0] >= 1_000_000_000L) {
              peak = Math.max(peak, (z[stage] - a[stage]) * 1e9 / (z[0] - a[0]));
              break;
            }
          }
        }
        System.out.printf("   %-34s first at %6.2f s, all %d at %s, average %,.0f/s (first→all), peak 1-s rate %,.0f/s%n",
            names[stage - 1], first < 0 ? -1 : (first - from) / 1e9, count,
            done < 0 ? "n/a" : String.format("%.2f s", (done - from) / 1e9),
            done < 0 || first < 0 || done == first ? 0.0 : count * 1e9 / (done - first), peak);
      }
      if (Boolean.getBoolean("bench.timeline")) {
        StringBuilder line = new StringBuilder("   per-second records (capture/transform/sink):");
        long[] prev = null;
        for (long[] p : points) {
          if (p[0] < from) {
            continue;
          }
          if (prev == null || p[0] - prev[0] >= 1_000_000_000L) {
            if (prev != null) {
              line.append(String.format(" [%.0fs %d/%d/%d]", (p[0] - from) / 1e9, p[1] - prev[1], p[2] - prev[2], p[3] - prev[3]));
            }
            prev = p;
          }
        }
        System.out.println(line);
      }
    }
  }

  /**
   * Collects every SinkStats lag sample: the stats keep only the last 1024, so it polls every 20 ms
   * and appends what is new (the list only ever loses its oldest entries).
   */
  private final class LagCollector {
    private final List<long[]> samples = Collections.synchronizedList(new ArrayList<>()); // {nanoTime seen, lag ms}
    private volatile boolean running;
    private Thread thread;
    int overflows;

    void start() {
      List<Duration> initial = stages.sink().stats().lagSamples();
      running = true;
      thread = daemon(() -> {
        List<Duration> previous = initial;
        while (running) {
          List<Duration> current = stages.sink().stats().lagSamples();
          long now = System.nanoTime();
          int fresh = freshCount(previous, current);
          if (fresh < 0) {
            overflows++;
            fresh = current.size();
          }
          for (Duration d : current.subList(current.size() - fresh, current.size())) {
            samples.add(new long[] {now, d.toMillis()});
          }
          previous = current;
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "bench-lag");
    }

    /** How many entries at the end of current are new since previous; -1 if some were missed. */
    private int freshCount(List<Duration> previous, List<Duration> current) {
      if (current.size() > previous.size() && current.subList(0, previous.size()).equals(previous)) {
        return current.size() - previous.size();
      }
      if (current.equals(previous)) {
        return 0;
      }
      // current = previous minus its first k entries, plus k' new ones
      for (int k = 1; k <= previous.size(); k++) {
        int overlap = previous.size() - k;
        if (overlap <= current.size() && previous.subList(k, previous.size()).equals(current.subList(0, overlap))) {
          if (overlap == 0) {
            return -1; // no overlap at all: cannot tell what was missed
          }
          return current.size() - overlap;
        }
      }
      return -1;
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }

    List<Long> samples() {
      synchronized (samples) {
        return samples.stream().map(s -> s[1]).sorted().toList();
      }
    }

    List<Long> samplesAfter(long nanoTime) {
      synchronized (samples) {
        return samples.stream().filter(s -> s[0] >= nanoTime).map(s -> s[1]).sorted().toList();
      }
    }
  }

  /**
   * Where the lag accrues: legacy commit → raw record produced (Kafka CreateTime), → raw record
   * readable by a consumer, → migrated record readable. Two extra consumers (small CPU cost).
   */
  private final class StageLagProbe {
    private final List<Long> produced = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> rawVisible = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> migratedVisible = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean running = true;
    private final List<Thread> threads = new ArrayList<>();

    void start() {
      threads.add(daemon(() -> consume(mariaDb ? "legacy." + mariaDbName + "." + mariaDbName + ".customers"
          : "legacy." + LEGACY_DB + ".public.customers", true), "bench-probe-raw"));
      threads.add(daemon(() -> consume("migrated.customer", false), "bench-probe-migrated"));
    }

    private void consume(String topic, boolean raw) {
      Map<String, Object> config = Map.of("bootstrap.servers", bootstrap, "group.id", "bench-probe-" + topic,
          "enable.auto.commit", "false", "auto.offset.reset", "latest");
      var deserializer = new io.tandem.registry.serde.AvroDeserializer(io.tandem.registry.serde.AvroSerdeConfig.withClient(registryClient));
      try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(config,
          new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
        var partitions = consumer.partitionsFor(topic).stream()
            .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        while (running) {
          var records = consumer.poll(Duration.ofMillis(100));
          long now = System.currentTimeMillis();
          for (var record : records) {
            if (raw) {
              var value = (org.apache.avro.generic.GenericRecord) deserializer.deserialize(topic, record.value());
              long commitTs = (Long) value.get("commit_ts");
              produced.add(record.timestamp() - commitTs);
              rawVisible.add(now - commitTs);
            } else {
              var header = record.headers().lastHeader("tandem.commit.ts");
              if (header != null) {
                migratedVisible.add(now - java.nio.ByteBuffer.wrap(header.value()).getLong());
              }
            }
          }
        }
      }
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread t : threads) {
        t.join();
      }
    }

    void report() {
      summary.put("lag_stage_produced_p50", Long.toString(pct(produced.stream().sorted().toList(), 50)));
      summary.put("lag_stage_produced_p99", Long.toString(pct(produced.stream().sorted().toList(), 99)));
      summary.put("lag_stage_migrated_p50", Long.toString(pct(migratedVisible.stream().sorted().toList(), 50)));
      summary.put("lag_stage_migrated_p99", Long.toString(pct(migratedVisible.stream().sorted().toList(), 99)));
      for (var e : List.of(Map.entry("legacy commit → raw record produced (CreateTime)", produced),
          Map.entry("legacy commit → raw record consumable", rawVisible),
          Map.entry("legacy commit → migrated record consumable", migratedVisible))) {
        List<Long> sorted;
        synchronized (e.getValue()) {
          sorted = e.getValue().stream().sorted().toList();
        }
        System.out.printf("   stage lag: %-48s p50 %d ms, p90 %d ms, p99 %d ms (%d records)%n", e.getKey(), pct(sorted, 50),
            pct(sorted, 90), pct(sorted, 99), sorted.size());
      }
    }
  }

  private static long pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  /**
   * CPU used during a phase: the machine (/proc/stat), this JVM by thread, PostgreSQL processes
   * started by this JVM (live ones plus exited backends via the postmaster's cutime) and pgbench
   * (this JVM's cutime).
   */
  private final class CpuMeter {
    private final long[] machine = machineTicks();
    private final Map<Long, long[]> threads = threadCpu();
    private final Map<Long, Long> pgProcs = postgresTicks();
    private final long[] self = selfTicks();
    private final long mariaDbServer = mariaDbServerTicks();

    void report(String phase, double seconds) {
      long[] m = machineTicks();
      double machineBusy = (m[0] - machine[0]) / 100.0;
      double machineTotal = (m[1] - machine[1]) / 100.0;
      long[] s = selfTicks();
      double jvm = (s[0] - self[0]) / 100.0;
      double children = (s[1] - self[1]) / 100.0;
      Map<Long, Long> pg = postgresTicks();
      double pgCpu = 0;
      for (Map.Entry<Long, Long> e : pg.entrySet()) {
        pgCpu += (e.getValue() - pgProcs.getOrDefault(e.getKey(), 0L)) / 100.0;
      }
      // The MariaDB server is not this JVM's child: the whole server, other clients' work included.
      double mariaDbCpu = mariaDb ? (mariaDbServerTicks() - mariaDbServer) / 100.0 : 0;
      double other = machineBusy - jvm - pgCpu - children - mariaDbCpu;
      System.out.printf("   CPU during %s (%.1f s wall, %.1f core-s available): machine busy %.1f core-s (%.0f %%), this JVM %.1f, "
              + "PostgreSQL %.1f, %s %.1f, other processes ~%.1f%n", phase, seconds, machineTotal, machineBusy,
          100 * machineBusy / Math.max(0.01, machineTotal), jvm, pgCpu, mariaDb ? "MariaDB server" : "pgbench",
          mariaDb ? mariaDbCpu : children, other);
      summary.put(phase + "_cpu_machine_pct", fmt0(100 * machineBusy / Math.max(0.01, machineTotal)));
      summary.put(phase + "_cpu_jvm", fmt(jvm));
      summary.put(phase + "_cpu_pg", fmt(pgCpu));
      if (mariaDb) {
        summary.put(phase + "_cpu_mariadb", fmt(mariaDbCpu));
      }
      summary.put(phase + "_cpu_other", fmt(other));
      Map<Long, long[]> now = threadCpu();
      Map<String, Double> byGroup = new TreeMap<>();
      for (Map.Entry<Long, long[]> e : now.entrySet()) {
        long before = threads.containsKey(e.getKey()) ? threads.get(e.getKey())[0] : 0;
        double used = (e.getValue()[0] - before) / 1e9;
        String name = threadNames.getOrDefault(e.getKey(), "?");
        byGroup.merge(group(name), used, Double::sum);
      }
      StringBuilder line = new StringBuilder("   JVM threads (core-s): ");
      byGroup.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).filter(e -> e.getValue() >= 0.05)
          .forEach(e -> line.append(e.getKey()).append(' ').append(fmt(e.getValue())).append(", "));
      System.out.println(line);
      byGroup.forEach((g, v) -> {
        if (v >= 0.2) {
          summary.put(phase + "_cpu_" + g.replace(' ', '_'), fmt(v));
        }
      });
      Map<String, Double> pgByKind = new TreeMap<>();
      for (Map.Entry<Long, Long> e : pg.entrySet()) {
        double used = (e.getValue() - pgProcs.getOrDefault(e.getKey(), 0L)) / 100.0;
        pgByKind.merge(pgKind(e.getKey()), used, Double::sum);
      }
      StringBuilder pgLine = new StringBuilder("   PostgreSQL processes (core-s): ");
      pgByKind.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).filter(e -> e.getValue() >= 0.05)
          .forEach(e -> pgLine.append(e.getKey()).append(' ').append(fmt(e.getValue())).append(", "));
      System.out.println(pgLine);
    }
  }

  private final Map<Long, String> threadNames = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<Long, String> pgTitles = new java.util.concurrent.ConcurrentHashMap<>();

  private final Map<Long, long[]> lastThreadCpu = new java.util.concurrent.ConcurrentHashMap<>();

  /** CPU ns of every thread seen so far (threads that ended keep their last sampled value), plus native JVM threads. */
  private synchronized Map<Long, long[]> threadCpu() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (var info : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long cpu = mx.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        lastThreadCpu.put(info.getThreadId(), new long[] {cpu});
        threadNames.put(info.getThreadId(), info.getThreadName());
      }
    }
    // GC, JIT and VM threads are not Java threads: read them from /proc/self/task (ids below zero).
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      tasks.forEach(t -> {
        try {
          String comm = Files.readString(t.resolve("comm")).trim();
          if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.contains("CompilerThre") || comm.startsWith("VM ")) {
            String stat = Files.readString(t.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long id = -Long.parseLong(t.getFileName().toString());
            lastThreadCpu.put(id, new long[] {(Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L});
            threadNames.put(id, comm.contains("Compiler") ? "jit " + comm : "gc/vm " + comm);
          }
        } catch (IOException | RuntimeException e) {
          // ended meanwhile
        }
      });
    } catch (IOException e) {
      // no /proc
    }
    Map<Long, long[]> copy = new HashMap<>();
    lastThreadCpu.forEach((k, v) -> copy.put(k, v.clone()));
    return copy;
  }

  private static String group(String name) {
    String n = name.toLowerCase();
    if (n.equals("tandem-capture")) return "capture-engine(debezium-handler)";
    if (n.contains("tandem-capture") && n.contains("producer")) return "capture-producer-io";
    if (n.startsWith("blc-")) return "debezium(binlog-client)";
    if (n.contains("debezium") || n.contains("postgres-connector") || n.contains("change-event-source")) return "debezium";
    if (n.contains("streamthread") && n.contains("producer")) return "transform-producer-io";
    if (n.contains("streamthread")) return "transform-streamthread";
    if (n.startsWith("bench-mariadb-writer")) return "load(mariadb-writers)";
    if (n.equals("tandem-sink")) return "sink";
    if (n.contains("tandem-sink")) return "sink-kafka-io";
    if (n.contains("kafka-producer-network-thread")) return "other-producer-io";
    if (n.contains("data-plane") || n.contains("request-handler") || n.contains("kafka-network") || n.contains("processor")
        || n.contains("broker") || n.contains("raft") || n.contains("replica") || n.contains("log") || n.contains("quorum")
        || n.contains("controller") || n.contains("group-coordinator") || n.contains("kafka-scheduler")) return "kafka-broker";
    if (n.startsWith("jit ")) return "jvm-jit";
    if (n.startsWith("gc/vm ")) return "jvm-gc+vm";
    if (n.startsWith("pool-") || n.startsWith("thread-")) return "debezium-engine-pool(" + n.replaceAll("[0-9]+", "#") + ")";
    if (n.contains("bench")) return "bench-harness";
    if (n.contains("registry") || n.contains("jetty") || n.contains("qtp") || n.contains("javalin")) return "schema-registry";
    return "other(" + n.replaceAll("[0-9]+", "#") + ")";
  }

  private String pgKind(long pid) {
    String title = pgTitles.getOrDefault(pid, "?");
    if (title.contains("exited backends")) return "exited backends (pgbench, ...)";
    if (title.contains("START_REPLICATION") || title.contains("walsender")) return "walsender (logical decoding)";
    if (title.contains(NEW_DB)) return "new-DB backends (sink, checks)";
    if (title.contains(" " + LEGACY_DB + " ")) return "legacy backends";
    if (title.contains("walwriter") || title.contains("checkpointer") || title.contains("background writer")) return "wal/checkpoint";
    return "other (" + title.replaceAll("\\(\\d+\\)", "").replaceAll("\\s+", " ").trim() + ")";
  }

  private long postmasterPid = -1;

  /** PostgreSQL processes (the postmaster of postmaster.pid and its children): pid → utime+stime ticks; exited children as -postmaster. */
  private Map<Long, Long> postgresTicks() {
    Map<Long, Long> map = new HashMap<>();
    try {
      if (postmasterPid < 0) {
        String dir;
        try (Connection c = postgres.connect("postgres"); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SHOW data_directory")) {
          rs.next();
          dir = rs.getString(1);
        }
        postmasterPid = Long.parseLong(Files.readAllLines(Path.of(dir, "postmaster.pid")).get(0).trim());
      }
      String[] pm = statFields(postmasterPid);
      map.put(postmasterPid, Long.parseLong(pm[11]) + Long.parseLong(pm[12]));
      map.put(-postmasterPid, Long.parseLong(pm[13]) + Long.parseLong(pm[14]));
      pgTitles.put(postmasterPid, "postmaster");
      pgTitles.put(-postmasterPid, "exited backends");
      try (var procs = Files.list(Path.of("/proc"))) {
        procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
          try {
            long pid = Long.parseLong(p.getFileName().toString());
            String[] f = statFields(pid);
            if (Long.parseLong(f[1]) == postmasterPid) {
              map.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
              pgTitles.computeIfAbsent(pid, x -> {
                try {
                  return Files.readString(p.resolve("cmdline")).replace('\0', ' ').trim();
                } catch (IOException e) {
                  return "?";
                }
              });
            }
          } catch (IOException | RuntimeException e) {
            // exited meanwhile
          }
        });
      }
    } catch (IOException | SQLException | RuntimeException e) {
      // no figures then
    }
    return map;
  }

  /** Fields after the command name of /proc/pid/stat (index 0 = state). */
  private static String[] statFields(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
  }

  private long mariaDbPid = -1;

  /** utime+stime ticks of the MariaDB server process (all its threads); 0 if not found. */
  private long mariaDbServerTicks() {
    if (!mariaDb) {
      return 0;
    }
    try {
      if (mariaDbPid < 0) {
        try (var procs = Files.list(Path.of("/proc"))) {
          mariaDbPid = procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
              .filter(p -> {
                try {
                  String comm = Files.readString(p.resolve("comm")).trim();
                  return comm.equals("mariadbd") || comm.equals("mysqld");
                } catch (IOException e) {
                  return false;
                }
              }).mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst().orElse(0);
        }
      }
      if (mariaDbPid == 0) {
        return 0;
      }
      String[] f = statFields(mariaDbPid);
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long[] selfTicks() {
    try {
      String[] f = statFields(ProcessHandle.current().pid());
      return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])};
    } catch (IOException e) {
      return new long[2];
    }
  }

  /** {busy, total} jiffies of all CPUs. */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException e) {
      return new long[2];
    }
  }

  private static String procStatus(String key) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith(key + ":")) {
        return line.substring(key.length() + 1).trim();
      }
    }
    return "?";
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }

  private static String fmt(double v) {
    return String.format("%.2f", v);
  }

  private static String fmt0(double v) {
    return String.format("%.0f", v);
  }
}
