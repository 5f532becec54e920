package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.MariaDbShop;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.verify.VerifySettings;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forward sync from a legacy MariaDB (the machine's server, binlog on) to a new PostgreSQL, as {@code tandem run}
 * deploys it: the repository's mappings (their source tables renamed to the MariaDB database), Debezium's MariaDB
 * connector, Kafka Streams and the JDBC sink on real parts. The tables are {@link MariaDbShop}'s, the rows this
 * test's own. Equal means: every MariaDB customer, through the mapping, is its new row, and nothing extra.
 */
class MariaDbPipelineIT {
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
  void snapshotAndBinlogChangesReachTheNewDatabaseThroughTheMappings() throws Exception {
    String db = "tandem_pipe_" + UUID.randomUUID().toString().substring(0, 8);
    String newDb = postgres.createDatabase("target");
    createLegacy(db, 200);
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
            .kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      TandemConfig config = config(kafka.bootstrapServers(), registry.url(), db, postgres.jdbcUrl(newDb));
      Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
      Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
          java.time.Clock.systemUTC());
      supervisor.start(() -> true);
      try {
        awaitEqual(db, newDb);
        legacy(db, "INSERT INTO customers (cust_id, full_nm, email_addr, balance, status_cd, created_local) "
                + "VALUES (100001, 'New', NULL, 1.10, 'A', '2026-03-29 02:30:00')",
            "UPDATE customers SET balance = 99.99, email_addr = NULL WHERE cust_id = 1",
            "UPDATE customers SET status_cd = 'X' WHERE cust_id = 3", // leaves the new model
            "DELETE FROM customers WHERE cust_id = 5",
            "UPDATE customers SET full_nm = 'Zoë Ünïcode 👩‍💻' WHERE cust_id = 6");
        awaitEqual(db, newDb);
        assertThat(supervisor.firstFailure()).isEmpty();
      } finally {
        supervisor.stop();
      }
    } finally {
      legacy("", "DROP DATABASE " + db);
    }
  }

  private TandemConfig config(String bootstrap, java.net.URI registry, String db, String newDbUrl) throws IOException {
    return MariaDbStack.config(bootstrap, registry, db, newDbUrl, postgres.user(),
        MariaDbShop.schemasReading(db, ROOT.resolve("schemas"), work.resolve("schemas")), work.resolve("streams"),
        Optional.empty(), VerifySettings.defaults().statusTopic());
  }

  private static void createLegacy(String db, int customers) throws SQLException {
    legacy("", "CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "")) {
      MariaDbShop.createSchema(connection);
    }
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        PreparedStatement customer = connection.prepareStatement("INSERT INTO customers (cust_id, full_nm, email_addr,"
            + " balance, status_cd, created_local) VALUES (?, ?, ?, ?, ?, ?)")) {
      String[] statuses = {"A", "A", "S", "C", "X", "A", "A"};
      for (long id = 1; id <= customers; id++) {
        customer.setLong(1, id);
        customer.setString(2, "Customer " + id);
        customer.setString(3, id % 4 == 0 ? null : "c" + id + "@example.com");
        customer.setBigDecimal(4, java.math.BigDecimal.valueOf(id * 137 % 100_000, 2));
        customer.setString(5, id == 3 ? "A" : statuses[(int) (id % statuses.length)]);
        customer.setString(6, "2026-0" + (1 + id % 9) + "-1" + (id % 9) + " 1" + (id % 10) + ":30:00.123456");
        customer.addBatch();
      }
      customer.executeBatch();
    }
  }

  private static void awaitEqual(String db, String newDb) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(migrated(newDb)).isEqualTo(expected(db)));
  }

  /** What the customer mapping makes of the MariaDB rows (schemas/mappings/customer.yaml). */
  private static Map<Long, String> expected(String db) throws SQLException {
    Map<String, String> status = Map.of("A", "ACTIVE", "S", "SUSPENDED", "C", "CLOSED");
    Map<Long, String> rows = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(URL + db, "root", "");
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT cust_id, full_nm, email_addr, balance, status_cd, created_local FROM customers"
            + " WHERE status_cd <> 'X'")) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getString(2) + "|" + rs.getString(3) + "|"
            + rs.getBigDecimal(4).movePointRight(2).longValueExact() + "|" + status.get(rs.getString(5)) + "|"
            + rs.getObject(6, java.time.LocalDateTime.class).atZone(java.time.ZoneId.of("Europe/Amsterdam")).toInstant()
            .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)); // the new model keeps milliseconds (customer.avsc)
      }
    }
    return rows;
  }

  private static Map<Long, String> migrated(String newDb) throws SQLException {
    Map<Long, String> rows = new TreeMap<>();
    try (Connection connection = postgres.connect(newDb); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id, name, email, balance_cents, status, created_at FROM customer")) {
      while (rs.next()) {
        rows.put(rs.getLong(1), rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getLong(4) + "|" + rs.getString(5)
            + "|" + rs.getObject(6, java.time.OffsetDateTime.class).toInstant());
      }
    } catch (SQLException e) {
      if (e.getMessage().contains("does not exist")) {
        return rows; // the sink has not created its tables yet
      }
      throw e;
    }
    return rows;
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
