package io.tandem.bench;

import io.tandem.core.mapping.Mapping;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.core.model.EntitySchema;
import io.tandem.core.model.MappedEntity;
import io.tandem.verify.CohortResolver;
import io.tandem.verify.Connector;
import io.tandem.verify.DeadLetters;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerifyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Verifier throughput: a {@code customers} table of {@code bench.rows} (1,000,000) rows on legacy and
 * its mapped copy on new, in one embedded PostgreSQL (two databases); a clean pass (rows compared per
 * second), then one changed row and the time to locate it. See docs/benchmarks.md for the command.
 * Knobs: {@code bench.rows}, {@code bench.chunk} (10000), {@code bench.runs} (3), {@code bench.sharedBuffers} (1GB),
 * {@code bench.keyBuckets} (false: with true the key field is computed by an expression giving the same
 * values, so the entity is not aligned and is compared by key buckets on the same data).
 */
public final class VerifyBenchmark {
  private VerifyBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000);
    int chunk = Integer.getInteger("bench.chunk", 10_000);
    int runs = Integer.getInteger("bench.runs", 3);
    Path schemas = schemas();
    // The migration model, loaded as every deployment loads it.
    MappedEntity customer = MappedEntity.loadAll(schemas.resolve("mappings"), schemas.resolve("avro")).stream()
        .filter(e -> e.name().equals("customer")).findFirst().orElseThrow();
    Mapping mapping = customer.mapping();
    EntitySchema schema = customer.schema();
    if (Boolean.getBoolean("bench.keyBuckets")) {
      Path file = schemas.resolve("mappings/customer.yaml");
      mapping = io.tandem.core.mapping.MappingLoader.parse(file.toString(), Files.readString(file)
          .replace("id: { from: cust_id, cast: long }", "id: { expr: \"cust_id\", cast: long }"));
      schema = EntitySchema.load(schemas.resolve("avro"), mapping);
      System.out.println("key buckets: the key is an expression");
    }
    // A database server's memory, not the test suite's 64 MB: both tables and their indexes fit.
    String sharedBuffers = System.getProperty("bench.sharedBuffers", "1GB");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(Map.of("shared_buffers", sharedBuffers))) {
      String legacyDb = pg.createDatabase("legacy");
      String newDb = pg.createDatabase("fresh");
      Connector legacy = Connector.jdbc(pg.jdbcUrl(legacyDb), pg.user(), "");
      Connector fresh = Connector.jdbc(pg.jdbcUrl(newDb), pg.user(), "");
      long seedStart = System.nanoTime();
      seed(legacy, fresh, rows);
      System.out.printf("seeded %,d rows per side in %.1f s%n", rows, (System.nanoTime() - seedStart) / 1e9);
      VerifyOptions options = new VerifyOptions(chunk, 0, Duration.ofMillis(200), 1, false, null);
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      for (int run = 1; run <= runs; run++) {
        long cpu = os.getProcessCpuTime();
        long postgresCpu = postgresCpuTicks();
        EntityResult result = pass(mapping, schema, legacy, fresh, options);
        System.out.printf("clean pass %d: %,d rows in %.2f s = %,.0f rows/s (differences %d); CPU: verifier JVM %.2f s,"
            + " PostgreSQL %.2f s%n", run, result.rowsChecked(), result.duration().toMillis() / 1e3,
            result.rowsChecked() / (result.duration().toNanos() / 1e9), result.differences().size(),
            (os.getProcessCpuTime() - cpu) / 1e9, (postgresCpuTicks() - postgresCpu) / 100.0);
      }
      if (Long.getLong("bench.holdSeconds", 0) > 0) {
        // Keeps the databases up for measuring PostgreSQL alone (psql on the printed port).
        System.out.printf("holding PostgreSQL on port %d (databases %s, %s)%n", pg.port(), legacyDb, newDb);
        Thread.sleep(Long.getLong("bench.holdSeconds") * 1000);
      }
      long target = rows * 2 / 3;
      execute(fresh, "UPDATE customer SET balance_cents = balance_cents + 1 WHERE id = " + target);
      for (int run = 1; run <= runs; run++) {
        long started = System.nanoTime();
        EntityResult result = pass(mapping, schema, legacy, fresh, options);
        System.out.printf("locate run %d: %s in %.2f s (of which re-check delay %d ms; chunks differing %d)%n", run,
            result.differences(), (System.nanoTime() - started) / 1e9, options.recheckDelay().toMillis(),
            result.chunksDiffering());
      }
    }
  }

  /** CPU clock ticks (1/100 s) of the postgres processes and their exited children (Linux /proc). */
  private static long postgresCpuTicks() {
    long ticks = 0;
    java.io.File[] processes = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
    if (processes == null) {
      return 0;
    }
    for (java.io.File process : processes) {
      try {
        String stat = Files.readString(process.toPath().resolve("stat"));
        int close = stat.lastIndexOf(')');
        if (!stat.substring(stat.indexOf('(') + 1, close).startsWith("postgres")) {
          continue;
        }
        String[] fields = stat.substring(close + 2).split(" ");
        // utime + stime, and cutime + cstime: the postmaster collects its exited backends there
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
            + Long.parseLong(fields[14]);
      } catch (java.io.IOException | RuntimeException e) {
        // the process ended meanwhile
      }
    }
    return ticks;
  }

  private static EntityResult pass(Mapping mapping, EntitySchema schema, Connector legacy, Connector fresh,
      VerifyOptions options) throws InterruptedException {
    return EntityVerifier.create(mapping, schema, "customer", legacy, fresh, options, CohortResolver.NONE,
        DeadLetters.NONE, Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
  }

  // Local times at midday: never in a daylight-saving gap or overlap, where PostgreSQL's AT TIME ZONE and
  // java.time resolve an ambiguous wall-clock time differently (a first run flagged exactly those rows).
  private static void seed(Connector legacy, Connector fresh, long rows) throws SQLException {
    execute(legacy, """
        CREATE TABLE customers (cust_id bigint PRIMARY KEY, full_nm varchar(200) NOT NULL, email_addr varchar(320),
          balance numeric(12,2) NOT NULL, status_cd char(1) NOT NULL, created_local timestamp NOT NULL,
          updated_at timestamptz NOT NULL, legacy_flags varchar(20))""");
    execute(legacy, "INSERT INTO customers SELECT g, 'Customer ' || g, 'c' || g || '@example.com',"
        + " (g % 100000) / 100.0, (ARRAY['A','S','C'])[g % 3 + 1], timestamp '2020-01-01 12:00' + (g % 3650) * interval '1 day' + (g % 3600) * interval '1 second',"
        + " timestamptz '2021-01-01 00:00:00.123Z' + g * interval '1 second', NULL FROM generate_series(1, " + rows + ") g");
    execute(legacy, "VACUUM ANALYZE customers");
    execute(fresh, """
        CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL, email text, balance_cents bigint NOT NULL,
          status text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, country text NOT NULL,
          _tandem_position bigint NOT NULL, _tandem_commit_ts timestamptz)""");
    execute(fresh, "INSERT INTO customer SELECT g, 'Customer ' || g, 'c' || g || '@example.com', g % 100000,"
        + " (ARRAY['ACTIVE','SUSPENDED','CLOSED'])[g % 3 + 1],"
        + " (timestamp '2020-01-01 12:00' + (g % 3650) * interval '1 day' + (g % 3600) * interval '1 second')"
        + " AT TIME ZONE 'Europe/Amsterdam',"
        + " timestamptz '2021-01-01 00:00:00.123Z' + g * interval '1 second', 'NL', g, now()"
        + " FROM generate_series(1, " + rows + ") g");
    execute(fresh, "VACUUM ANALYZE customer");
  }

  private static void execute(Connector connector, String sql) throws SQLException {
    try (Connection connection = connector.open(); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static Path schemas() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("schemas/mappings"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from inside the repository: schemas/ not found");
    }
    return dir.resolve("schemas");
  }
}
