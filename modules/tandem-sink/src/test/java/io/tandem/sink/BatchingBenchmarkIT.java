package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The batching measurement behind docs/sink.md. Opt-in, not part of the suite:
 *
 * <pre>
 * ./mvnw -B -o verify -pl modules/tandem-sink -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=BatchingBenchmarkIT -Dtandem.bench=true
 * </pre>
 *
 * <p>Writer level: the same pre-decoded batches of the customer entity (8 columns) go through each
 * strategy on a fresh database, one transaction per batch, in three phases (new keys; updates with
 * newer positions, 10 % of keys blocked by a newer tombstone; a stale replay that must change
 * nothing). End to end: records on a 3-partition topic drained by a JdbcSink into PostgreSQL.
 * Figures go to stdout and target/sink-batching.md.
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class BatchingBenchmarkIT {
  private static final int ROUNDS = Integer.getInteger("tandem.bench.rounds", 3);
  private static final int KEYS = Integer.getInteger("tandem.bench.keys", 100_000);
  private static final int E2E_RECORDS = Integer.getInteger("tandem.bench.e2e", 100_000);

  private final Map<String, Supplier<TableWriter>> strategies = strategies();
  private final StringBuilder report = new StringBuilder();

  private static Map<String, Supplier<TableWriter>> strategies() {
    Map<String, Supplier<TableWriter>> strategies = new LinkedHashMap<>();
    strategies.put("unnest arrays (kept)", TableWriter::new);
    strategies.put("JDBC batch, reWriteBatchedInserts=true", AlternativeWriters.JdbcBatch::new);
    strategies.put("JDBC batch, reWriteBatchedInserts=false", AlternativeWriters.JdbcBatch::new);
    strategies.put("multi-row VALUES (1000 rows/stmt)", AlternativeWriters.MultiRowValues::new);
    strategies.put("COPY to temp table + merge", AlternativeWriters.CopyMerge::new);
    return strategies;
  }

  @Test
  void writerStrategies() throws Exception {
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start()) {
      EntityTable entity = EntityTable.builder("customer", Fixtures.CUSTOMER).table("sink_it.customer_plain")
          .keyColumns("id").build();
      for (int batchSize : new int[] {2000, 100}) {
        int keys = batchSize == 2000 ? KEYS : KEYS / 5;
        Workload workload = Workload.of(entity, keys);
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        // Warm-up: JIT, statement caches, the server's plan cache.
        for (String name : strategies.keySet()) {
          run(pg, entity, name, Workload.of(entity, 4 * batchSize), batchSize);
        }
        for (int round = 0; round < ROUNDS; round++) {
          for (String name : strategies.keySet()) {
            results.computeIfAbsent(name, n -> new ArrayList<>()).add(run(pg, entity, name, workload, batchSize));
          }
        }
        line("");
        line("Writer, batch " + batchSize + ", " + keys + " keys, median of " + ROUNDS + " rounds (rows/s):");
        line("| strategy | insert | update (10 % tombstoned) | stale replay |");
        line("|---|---:|---:|---:|");
        results.forEach((name, runs) -> line("| " + name + " | " + median(runs, 0) + " | " + median(runs, 1) + " | "
            + median(runs, 2) + " |"));
      }
    }
    write();
  }

  @Test
  void endToEnd() throws Exception {
    List<String> names = List.of("unnest arrays (kept)", "COPY to temp table + merge",
        "JDBC batch, reWriteBatchedInserts=true");
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    try (SinkEnvironment env = SinkEnvironment.start()) {
      for (int round = 0; round < ROUNDS; round++) {
        for (String name : names) {
          results.computeIfAbsent(name, n -> new ArrayList<>()).add(new double[] {drain(env, name)});
        }
      }
    }
    line("");
    line("End to end, steady-state drain of " + E2E_RECORDS + " records on a 3-partition topic (" + E2E_RECORDS / 2
        + " keys, each inserted then updated), max.poll.records 2000, median of " + ROUNDS + " rounds:");
    line("| strategy | records/s |");
    line("|---|---:|");
    results.forEach((name, runs) -> line("| " + name + " | " + median(runs, 0) + " |"));
    write();
  }

  /** Records/s of a sink draining a backlog that was produced before it started. */
  private double drain(SinkEnvironment env, String name) {
    String db = Fixtures.migratedDatabase(env.pg, "e2e");
    String topic = env.customerTopic();
    for (int i = 0; i < E2E_RECORDS; i++) {
      long id = i % (E2E_RECORDS / 2);
      env.send(topic, id, Fixtures.customer(id, "n" + i), i + 1);
    }
    env.flush();
    String url = env.pg.jdbcUrl(db) + (name.contains("=true") ? "?reWriteBatchedInserts=true" : "");
    EntityTable plain = EntityTable.builder("customer", Fixtures.CUSTOMER).topic(topic)
        .table("sink_it.customer_plain").keyColumns("id").build();
    JdbcSink sink = env.sink(db, plain).jdbc(url, env.pg.user(), "").writer(strategies.get(name).get()).build();
    env.run(sink);
    // Steady state: from the first committed poll (start-up and group join excluded) to the last.
    await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(1)).until(() -> sink.stats().records() > 0);
    long start = System.nanoTime();
    long first = sink.stats().records();
    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(5))
        .until(() -> sink.stats().records() == E2E_RECORDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    env.closeSinks();
    assertThat(Fixtures.scalar(env.pg, db, "select count(*) from sink_it.customer_plain where name like 'n%'"))
        .isEqualTo(Integer.toString(E2E_RECORDS / 2));
    Fixtures.execute(env.pg, "postgres", "drop database " + db);
    return (E2E_RECORDS - first) / seconds;
  }

  /** Rows/s for the three phases, and the end state checked against the expected one. */
  private double[] run(EmbeddedPostgresServer pg, EntityTable entity, String name, Workload workload, int batchSize)
      throws SQLException {
    String db = Fixtures.migratedDatabase(pg, "bench");
    PGSimpleDataSource ds = (PGSimpleDataSource) Fixtures.dataSource(pg, db);
    ds.setReWriteBatchedInserts(name.contains("=true"));
    TableWriter writer = strategies.get(name).get();
    try (Connection connection = ds.getConnection()) {
      connection.setAutoCommit(false);
      BoundTable table = BoundTable.bind(connection, entity);
      double insert = apply(connection, table, writer, workload.inserts, batchSize, false);
      apply(connection, table, new TableWriter(), workload.tombstones, batchSize, true);
      double update = apply(connection, table, writer, workload.updates, batchSize, false);
      double stale = apply(connection, table, writer, workload.stale, batchSize, false);
      int keys = workload.inserts.size();
      int tombstoned = workload.tombstones.size();
      assertThat(Fixtures.scalar(pg, db, "select count(*) from sink_it.customer_plain where name like 'u%'"))
          .as(name).isEqualTo(Integer.toString(keys - tombstoned));
      assertThat(Fixtures.scalar(pg, db, "select count(*) from sink_it.customer_plain")).as(name)
          .isEqualTo(Integer.toString(keys - tombstoned));
      return new double[] {insert, update, stale};
    } finally {
      Fixtures.execute(pg, "postgres", "drop database " + db);
    }
  }

  private static double apply(Connection connection, BoundTable table, TableWriter writer, List<Change> changes,
                              int batchSize, boolean deletes) throws SQLException {
    long start = System.nanoTime();
    for (int from = 0; from < changes.size(); from += batchSize) {
      List<Change> batch = changes.subList(from, Math.min(changes.size(), from + batchSize));
      if (deletes) {
        writer.delete(connection, table, batch);
      } else {
        writer.upsert(connection, table, batch);
      }
      connection.commit();
    }
    return changes.size() / ((System.nanoTime() - start) / 1e9);
  }

  private record Workload(List<Change> inserts, List<Change> tombstones, List<Change> updates, List<Change> stale) {
    static Workload of(EntityTable entity, int keys) {
      List<Change> inserts = new ArrayList<>();
      List<Change> tombstones = new ArrayList<>();
      List<Change> updates = new ArrayList<>();
      List<Change> stale = new ArrayList<>();
      for (long k = 0; k < keys; k++) {
        inserts.add(change(entity, k, "i" + k, 1_000_000 + k));
        if (k % 10 == 0) {
          tombstones.add(ChangeDecoder.change(entity, Fixtures.customerKey(k), null, 3_000_000 + k, 1L, null));
        }
        updates.add(change(entity, k, "u" + k, 2_000_000 + k));
        stale.add(change(entity, k, "s" + k, 1_500_000 + k));
      }
      return new Workload(inserts, tombstones, updates, stale);
    }

    private static Change change(EntityTable entity, long id, String name, long position) {
      return ChangeDecoder.change(entity, Fixtures.customerKey(id), Fixtures.customer(id, name), position,
          1_700_000_000_000L + position, null);
    }
  }

  private static String median(List<double[]> runs, int phase) {
    double[] values = runs.stream().mapToDouble(r -> r[phase]).sorted().toArray();
    return String.format("%,d", Math.round(values[values.length / 2]));
  }

  private void line(String text) {
    System.out.println(text);
    report.append(text).append('\n');
  }

  private void write() throws IOException {
    Path out = Path.of("target", "sink-batching.md");
    Files.writeString(out, report.toString(), java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }
}
