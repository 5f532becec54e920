package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.LegacySettings;
import io.tandem.capture.RowResnapshot;
import io.tandem.capture.SourceKind;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.Repair;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem verify} and {@code --repair} with a legacy MariaDB (the machine's server, binlog on): the verifier
 * reads MariaDB in keyset chunks through the same mapping, finds a row changed, one deleted and one added directly
 * in the new database, and repair puts each right through the pipeline (two rows re-read through the MariaDB
 * signal table, one delete at the binlog position now) until a second pass is clean.
 */
class MariaDbVerifyIT {
  private static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
  static EmbeddedPostgresServer postgres;

  @TempDir
  Path work;

  @BeforeAll
  static void start() {
    try (Connection ignored = DriverManager.getConnection(URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage()
          + "; .ci/run starts it and turns its binlog on");
    }
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void differencesInTheNewDatabaseAreFoundAndRepairedThroughThePipeline() throws Exception {
    String db = "tandem_ver_" + UUID.randomUUID().toString().substring(0, 8);
    String newDb = postgres.createDatabase("target");
    createLegacy(db, 700);
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
            .kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      TandemConfig config = config(kafka.bootstrapServers(), registry.url(), db, postgres.jdbcUrl(newDb));
      Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
      Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
          Clock.systemUTC());
      supervisor.start(() -> true);
      try {
        long mapped = count(db, "SELECT count(*) FROM customers WHERE status_cd <> 'X'");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
            .until(() -> newCount(newDb) == mapped);
        Verifier verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
        VerificationReport first = pass(verifier);
        assertThat(first.clean()).as("%s", first.toJson()).isTrue();
        assertThat(first.entities().get(0).rowsChecked()).isEqualTo(mapped);

        newSql(newDb, "UPDATE customer SET name = 'Tampered' WHERE id = 10",
            "DELETE FROM customer WHERE id = 20",
            "INSERT INTO customer (id, name, email, balance_cents, status, created_at, updated_at, country,"
                + " _tandem_position) SELECT 999999, name, email, balance_cents, status, created_at, updated_at,"
                + " country, 1 FROM customer WHERE id = 2");
        VerificationReport found = pass(verifier);
        EntityResult result = found.entities().get(0);
        assertThat(result.differences()).extracting(Difference::key, Difference::kind).containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("10", Difference.Kind.DIFFERENT),
            org.assertj.core.groups.Tuple.tuple("20", Difference.Kind.MISSING),
            org.assertj.core.groups.Tuple.tuple("999999", Difference.Kind.EXTRA));
        assertThat(result.differences().stream().filter(d -> d.kind() == Difference.Kind.DIFFERENT).findFirst()
            .orElseThrow().fields()).containsExactly("name");

        List<Repair.Outcome> outcomes = verifier.repair(found, Duration.ofSeconds(90), Clock.systemUTC());
        assertThat(outcomes).singleElement().satisfies(outcome -> {
          assertThat(outcome.reEmitted()).isEqualTo(2);
          assertThat(outcome.deleted()).isEqualTo(1);
          assertThat(outcome.remaining()).isEmpty();
        });
        VerificationReport after = pass(verifier);
        assertThat(after.clean()).as("%s", after.toJson()).isTrue();

        // A legacy change after the repair still wins over the repaired rows.
        legacy(db, "UPDATE customers SET full_nm = 'Later' WHERE cust_id = 10");
        await().atMost(Duration.ofSeconds(60)).until(() -> "Later".equals(newName(newDb, 10)));

        // Inventory, audit and resnapshot read a MariaDB legacy through the same dialect.
        Deployment.LegacyRead read = deployment.legacyRead();
        List<io.tandem.core.model.MappedEntity> customers = Verifier.select(deployment.model().entities(),
            List.of("customer"));
        io.tandem.verify.Inventory inventory = io.tandem.verify.Inventory.read(read.connector(), read.description(),
            customers);
        io.tandem.verify.Inventory.Table table = inventory.tables().get(0);
        assertThat(table.problems()).isEmpty();
        assertThat(table.columns()).filteredOn(c -> c.name().equals("email_addr")).singleElement()
            .satisfies(c -> assertThat(c.sensitive()).isTrue());
        assertThat(table.columns()).filteredOn(c -> c.name().equals("legacy_flags")).singleElement()
            .satisfies(c -> assertThat(c.status()).isEqualTo(io.tandem.verify.Inventory.Status.DROPPED));
        io.tandem.verify.DataAudit audit = io.tandem.verify.DataAudit.run(read.connector(), read.description(),
            customers, 100_000);
        io.tandem.verify.DataAudit.TableAudit profiled = audit.tables().get(0);
        assertThat(profiled.error()).isNull();
        assertThat(profiled.rows()).isEqualTo(count(db, "SELECT count(*) FROM customers"));
        assertThat(profiled.migrated()).isEqualTo(mapped);
        assertThat(profiled.refusedRows()).isZero();

        newSql(newDb, "UPDATE customer SET name = 'Tampered again' WHERE id = 30");
        assertThat(verifier.resnapshot("customer", n -> { })).isEqualTo(profiled.rows());
        await().atMost(Duration.ofSeconds(90)).until(() -> "Customer 30".equals(newName(newDb, 30)));
        assertThat(supervisor.firstFailure()).isEmpty();
      } finally {
        supervisor.stop();
      }
    } finally {
      legacy("", "DROP DATABASE " + db);
    }
  }

  private static VerificationReport pass(Verifier verifier) throws InterruptedException {
    return verifier.pass(new Verifier.Request(List.of("customer"), null, false, false), EntityVerifier.Progress.NONE,
        Clock.systemUTC());
  }

  private TandemConfig config(String bootstrap, java.net.URI registry, String db, String newDbUrl) throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_USER", "root");
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_DB_NAME", db);
    env.put("LEGACY_TABLES", db + ".customers");
    env.put("LEGACY_SERVER_ID", Integer.toString(8000 + Math.abs(db.hashCode() % 100_000)));
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    env.put("TANDEM_SCHEMA_HISTORY_TOPIC", "history_" + db);
    // Small chunks: the pass reads several keyset chunks of MariaDB.
    VerifySettings verify = new VerifySettings(100, 0, Optional.empty(), Duration.ofMillis(500), 5,
        Duration.ofMinutes(10), "tandem.status", "tandem.routing", List.of("tandem.dlq.transform", "tandem.dlq.sink"));
    return new TandemConfig(Path.of("mariadb stack"), new KafkaSettings(bootstrap, 2, Map.of()),
        Optional.of(RegistrySettings.external(registry)),
        new LegacySettings(ROOT.resolve("connectors/legacy-mariadb.properties"), env, Optional.empty()),
        Optional.of(new TargetSettings(newDbUrl, postgres.user(), "")), new SchemasSettings(customerSchemasFor(db)),
        TransformSettings.defaults().withStateDir(work.resolve("streams")), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", 0), verify);
  }

  /** The repository's schemas with only the customer mapping, reading the MariaDB database's table. */
  private Path customerSchemasFor(String db) throws IOException {
    Path schemas = work.resolve("schemas");
    try (Stream<Path> files = Files.walk(ROOT.resolve("schemas"))) {
      for (Path file : files.toList()) {
        Path copy = schemas.resolve(ROOT.resolve("schemas").relativize(file).toString());
        boolean mapping = file.getParent().getFileName().toString().equals("mappings");
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else if (!mapping) {
          Files.copy(file, copy);
        } else if (file.getFileName().toString().equals("customer.yaml")) {
          Files.writeString(copy, Files.readString(file).replace("source: public.", "source: " + db + "."));
        }
      }
    }
    return schemas;
  }

  private static void createLegacy(String db, int customers) throws SQLException {
    legacy("", "CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "")) {
      io.tandem.embedded.MariaDbShop.createSchema(connection);
    }
    legacy(db, RowResnapshot.createTableSql(SourceKind.MARIADB, db + ".tandem_signal"));
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        PreparedStatement customer = connection.prepareStatement("INSERT INTO customers (cust_id, full_nm, email_addr,"
            + " balance, status_cd, created_local) VALUES (?, ?, ?, ?, ?, ?)")) {
      String[] statuses = {"A", "A", "S", "C", "X", "A", "A"};
      for (long id = 1; id <= customers; id++) {
        customer.setLong(1, id);
        customer.setString(2, "Customer " + id);
        customer.setString(3, id % 4 == 0 ? null : "c" + id + "@example.com");
        customer.setBigDecimal(4, java.math.BigDecimal.valueOf(id * 137 % 100_000, 2));
        customer.setString(5, id % 10 == 0 ? "A" : statuses[(int) (id % statuses.length)]);
        customer.setString(6, "2026-0" + (1 + id % 9) + "-1" + (id % 9) + " 1" + (id % 10) + ":30:00.123456");
        customer.addBatch();
      }
      customer.executeBatch();
    }
  }

  private static long count(String db, String query) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static long newCount(String newDb) throws SQLException {
    try (Connection connection = postgres.connect(newDb); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM customer")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      if (e.getMessage().contains("does not exist")) {
        return -1; // the sink has not created its tables yet
      }
      throw e;
    }
  }

  private static String newName(String newDb, long id) throws SQLException {
    try (Connection connection = postgres.connect(newDb);
        PreparedStatement statement = connection.prepareStatement("SELECT name FROM customer WHERE id = ?")) {
      statement.setLong(1, id);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static void newSql(String newDb, String... statements) throws SQLException {
    try (Connection connection = postgres.connect(newDb); Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }

  private static void legacy(String db, String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }
}
