package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.verify.CohortResolver;
import io.tandem.verify.Connector;
import io.tandem.verify.DeadLetters;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.VerifyOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An N→1 joined entity end to end on real parts: customers + addresses of the legacy shop → one
 * {@code customer_profile} per customer with its address count and cities (schemas/examples), through Debezium, the join
 * topology on Kafka Streams and the sink; inserts, updates, deletes and re-parenting on legacy end equal,
 * and the verifier checks the joined entity.
 */
class JoinPipelineIT {
  static final Path EXAMPLE = Repo.ROOT.resolve("schemas/examples");
  /** What legacy says each profile is, in SQL (children ordered by their key's text, as the join orders them). */
  static final String EXPECTED = """
      SELECT c.cust_id, c.full_nm, count(a.addr_id), (array_agg(a.city ORDER BY a.addr_id::text))[1],
        coalesce(string_agg(a.city, '|' ORDER BY a.addr_id::text), '')
      FROM customers c LEFT JOIN addresses a ON a.cust_id = c.cust_id GROUP BY c.cust_id, c.full_nm ORDER BY 1
      """;
  static final String ACTUAL = "SELECT id, name, address_count, first_city, cities FROM customer_profile ORDER BY 1";

  @TempDir
  Path dir;
  EmbeddedPostgresServer postgres;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String legacyDb;
  String newDb;
  String slot;

  @BeforeEach
  void startStack() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    legacyDb = postgres.createDatabase("legacy");
    newDb = postgres.createDatabase("target");
    slot = "slot_" + legacyDb;
    try (Connection legacy = postgres.connect(legacyDb)) {
      LegacyShop.createSchema(legacy, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, 200, 5);
    }
    Path schemas = dir.resolve("schemas");
    Files.createDirectories(schemas.resolve("mappings"));
    Files.createDirectories(schemas.resolve("avro"));
    Files.createDirectories(schemas.resolve("migrations/new"));
    Files.copy(EXAMPLE.resolve("customer_profile.yaml"), schemas.resolve("mappings/customer_profile.yaml"));
    Files.copy(EXAMPLE.resolve("customer_profile.avsc"), schemas.resolve("avro/customer_profile.avsc"));
    try (var migrations = Files.list(Repo.ROOT.resolve("schemas/migrations/new"))) {
      for (Path migration : migrations.toList()) {
        // V2 is the demo model's tables, which the others alter: keep Tandem's own tables only
        String name = migration.getFileName().toString();
        if (!name.startsWith("V2__")) {
          String sql = Files.readAllLines(migration).stream()
              .filter(line -> !line.matches("ALTER TABLE (customer|address|customer_order) .*"))
              .collect(java.util.stream.Collectors.joining("\n"));
          Files.writeString(schemas.resolve("migrations/new").resolve(name), sql);
        }
      }
    }
    Files.copy(EXAMPLE.resolve("customer_profile.sql"), schemas.resolve("migrations/new/V2__customer_profile.sql"));
  }

  @AfterEach
  void stopStack() throws SQLException {
    registry.close();
    kafka.close();
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
          + slot + "'");
    }
    postgres.close();
  }

  @Test
  void joinedProfilesFollowEveryChangeOfCustomersAndTheirAddresses() throws Exception {
    TandemConfig config = StackConfig.of(kafka.bootstrapServers(), registry.url(), postgres.host(), postgres.port(),
        legacyDb, slot, postgres.jdbcUrl(newDb), postgres.user(), dir.resolve("state"),
        List.of("public.customers", "public.addresses"), dir.resolve("schemas"));
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    try {
      awaitEqual();
      long moved;
      try (Connection legacy = postgres.connect(legacyDb); Statement statement = legacy.createStatement()) {
        ResultSet first = statement.executeQuery("SELECT addr_id FROM addresses WHERE cust_id = 1 ORDER BY addr_id"
            + " LIMIT 1");
        first.next();
        moved = first.getLong(1);
        statement.execute("INSERT INTO addresses VALUES (900001, 3, 'Kade 1', 'Zwolle', '8011AA', 'NL')");
        statement.execute("UPDATE addresses SET city = 'Assen' WHERE cust_id = 4");
        statement.execute("DELETE FROM addresses WHERE cust_id = 5");
        statement.execute("UPDATE addresses SET cust_id = 2 WHERE addr_id = " + moved); // re-parented: 1 → 2
        statement.execute("UPDATE customers SET full_nm = 'Renamed' WHERE cust_id = 6");
        statement.execute("DELETE FROM orders WHERE cust_id = 7");
        statement.execute("DELETE FROM addresses WHERE cust_id = 7");
        statement.execute("DELETE FROM customers WHERE cust_id = 7");
        legacy.setAutoCommit(false);
        statement.execute("INSERT INTO customers (cust_id, full_nm, balance, status_cd, created_local)"
            + " VALUES (500001, 'Both at once', 0, 'A', '2026-01-01 10:00')");
        statement.execute("INSERT INTO addresses VALUES (900002, 500001, 'Plein 2', 'Gouda', NULL, 'NL')");
        legacy.commit();
      }
      awaitEqual();
      try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement();
          ResultSet gone = statement.executeQuery("SELECT count(*) FROM customer_profile WHERE id = 7")) {
        gone.next();
        assertThat(gone.getInt(1)).as("a deleted customer's profile is deleted").isZero();
      }
      assertThat(supervisor.firstFailure()).isEmpty();

      Mapping mapping = MappingLoader.load(EXAMPLE.resolve("customer_profile.yaml"));
      EntitySchema schema = EntitySchema.load(EXAMPLE, mapping);
      EntityResult result = EntityVerifier.create(mapping, schema, "customer_profile",
          Connector.jdbc(postgres.jdbcUrl(legacyDb), postgres.user(), ""),
          Connector.jdbc(postgres.jdbcUrl(newDb), postgres.user(), ""),
          new VerifyOptions(100, 0, Duration.ofMillis(500), 2, true, null), CohortResolver.NONE, DeadLetters.NONE,
          Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
      assertThat(result.differences()).isEmpty();
      assertThat(result.rowsChecked()).isEqualTo(200);
    } finally {
      supervisor.stop();
    }
  }

  private void awaitEqual() {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> {
          List<String> expected = rows(legacyDb, EXPECTED);
          List<String> actual = rows(newDb, ACTUAL);
          List<String> missing = new ArrayList<>(expected);
          missing.removeAll(actual);
          List<String> extra = new ArrayList<>(actual);
          extra.removeAll(expected);
          assertThat(missing.size() + extra.size()).as("%d legacy, %d new; not in new: %s; not in legacy: %s",
              expected.size(), actual.size(), missing.stream().limit(5).toList(), extra.stream().limit(5).toList())
              .isZero();
        });
  }

  private List<String> rows(String db, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.connect(db); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(result.getLong(1) + "|" + result.getString(2) + "|" + result.getLong(3) + "|" + result.getString(4)
            + "|" + result.getString(5));
      }
    }
    return rows;
  }
}
