package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two legacy shops merged into one customer entity on real parts (schemas/examples/merger): shop A's customers
 * (the {@code legacy} source) and shop B's clients (source {@code shop_b}, its own capture engine, slot and raw
 * topics), whose ids collide with shop A's, and one customer in both shops. Debezium, the merge topology on Kafka
 * Streams and the sink; then changes on both sides, a duplicate found and undone, a survivor deleted, a key both
 * shops claim.
 */
class MergePipelineIT {
  static final Path MERGER = Repo.ROOT.resolve("schemas/examples/merger");
  static final long B = 1_000_000_000L;
  static final int SHOP_B_CLIENTS = 50;

  @TempDir
  Path dir;
  EmbeddedPostgresServer postgres;
  EmbeddedKafkaBroker kafka;
  EmbeddedSchemaRegistry registry;
  String shopA;
  String shopB;
  String newDb;

  @BeforeEach
  void startStack() throws Exception {
    postgres = EmbeddedPostgresServer.start();
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    shopA = postgres.createDatabase("shopa");
    shopB = postgres.createDatabase("shopb");
    newDb = postgres.createDatabase("target");
    try (Connection legacy = postgres.connect(shopA); Statement statement = legacy.createStatement()) {
      LegacyShop.createSchema(legacy, io.tandem.capture.RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, 200, 11);
      statement.execute("UPDATE customers SET status_cd = 'A', email_addr = 'customer' || cust_id || '@example.com'"
          + " WHERE cust_id IN (10, 20)");
    }
    try (Connection legacy = postgres.connect(shopB); Statement statement = legacy.createStatement()) {
      statement.execute(Files.readString(MERGER.resolve("shop_b.sql")));
      statement.execute("INSERT INTO clients (client_no, display_name, mail, credit_cents, state, joined_at)"
          + " SELECT n, 'Client ' || n, 'client' || n || '@shop-b.example', n * 100, 'active', '2024-01-01T00:00:00Z'"
          + " FROM generate_series(1, " + SHOP_B_CLIENTS + ") n");
      // The same person as shop A's customer 10: the e-mail differs in case and spaces only.
      statement.execute("INSERT INTO clients (client_no, display_name, mail, credit_cents, state, joined_at)"
          + " VALUES (51, 'C. Ten', '  Customer10@EXAMPLE.com ', 999, 'blocked', '2024-05-01T00:00:00Z')");
    }
  }

  @AfterEach
  void stopStack() throws SQLException {
    registry.close();
    kafka.close();
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name IN ('"
          + slot(shopA) + "', '" + slot(shopB) + "')");
    }
    postgres.close();
  }

  private static String slot(String db) {
    return "slot_" + db;
  }

  private TandemConfig config() {
    Map<String, String> shopBEnv = new HashMap<>();
    shopBEnv.put("LEGACY_DB_HOST", postgres.host());
    shopBEnv.put("LEGACY_DB_PORT", Integer.toString(postgres.port()));
    shopBEnv.put("LEGACY_DB_NAME", shopB);
    shopBEnv.put("LEGACY_SLOT_NAME", slot(shopB));
    shopBEnv.put("LEGACY_PUBLICATION_NAME", slot(shopB));
    shopBEnv.put("LEGACY_DB_USER", postgres.user());
    shopBEnv.put("LEGACY_DB_PASSWORD", "");
    shopBEnv.put("LEGACY_TABLES", "public.clients");
    shopBEnv.put("TANDEM_OFFSET_TOPIC", "tandem.capture.offsets.shop_b");
    shopBEnv.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return StackConfig.of(kafka.bootstrapServers(), registry.url(), postgres.host(), postgres.port(), shopA,
            slot(shopA), postgres.jdbcUrl(newDb), postgres.user(), dir.resolve("state"), List.of("public.customers"))
        .withSchemas(new SchemasSettings(Repo.ROOT.resolve("schemas"), Optional.of(MERGER.resolve("mappings"))))
        .withMerge(new MergeSettings(List.of(new MergeSettings.Source("shop_b",
            Repo.ROOT.resolve("connectors/legacy-postgres.properties"), shopBEnv))));
  }

  @Test
  void twoShopsWithCollidingIdsAndOneSharedCustomerBecomeOneCustomerTable() throws Exception {
    TandemConfig config = config();
    // Two capture deployments: this one captures shop A (and runs transform and sink), the other shop B alone.
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of(), java.util.Set.of("legacy"));
    Deployment shopBCapture = Deployment.plan(config, java.util.EnumSet.of(ComponentName.CAPTURE), Map.of(),
        java.util.Set.of("shop_b"));
    assertThat(shopBCapture.model().connector()).as("shop A's connector file is not read").isEmpty();
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    Supervisor shopBSupervisor = shopBCapture.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    shopBSupervisor.start(() -> true);
    try {
      long shopACustomers = count(shopA, "SELECT count(*) FROM customers WHERE status_cd <> 'X'");
      String ten = text(shopA, "SELECT full_nm FROM customers WHERE cust_id = 10");
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        assertThat(count(newDb, "SELECT count(*) FROM customer WHERE id < " + B)).isEqualTo(shopACustomers);
        assertThat(count(newDb, "SELECT count(*) FROM customer WHERE id > " + B)).isEqualTo(SHOP_B_CLIENTS);
      });
      // Colliding ids: shop A's customer 1 and shop B's client 1 are both there, under their own keys.
      assertThat(rows("SELECT id, name, country FROM customer WHERE id IN (1, " + (B + 1) + ")"))
          .containsEntry(B + 1, "Client 1|BE").hasSize(2);
      // The shared customer: shop A's row (the preferred source) survives; shop B's is absorbed.
      assertThat(rows("SELECT id, name, country FROM customer WHERE id IN (10, " + (B + 51) + ")"))
          .containsOnlyKeys(10L).containsEntry(10L, ten + "|NL");
      assertThat(deployment.capture("shop_b")).isEmpty();
      assertThat(shopBCapture.capture("shop_b")).isPresent();
      assertThat(shopBCapture.capture()).isEmpty();
      // The verifier reads both shops through their mappings and the merge rule, the duplicate included.
      Verifier verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
      EntityResult clean = verify(verifier);
      assertThat(clean.differences()).isEmpty();
      assertThat(clean.expectedRows()).isEqualTo(shopACustomers + SHOP_B_CLIENTS);

      try (Connection legacy = postgres.connect(shopB); Statement statement = legacy.createStatement()) {
        statement.execute("UPDATE clients SET display_name = 'Client five', changed_at = now() WHERE client_no = 5");
        statement.execute("DELETE FROM clients WHERE client_no = 6");
        // A second duplicate arrives live, and the first one is undone (its e-mail changes).
        statement.execute("INSERT INTO clients (client_no, display_name, mail, credit_cents, state, joined_at)"
            + " VALUES (52, 'C. Twenty', 'customer20@example.com', 5, 'active', now())");
        statement.execute("UPDATE clients SET mail = 'c.ten@shop-b.example', changed_at = now() WHERE client_no = 51");
      }
      try (Connection legacy = postgres.connect(shopA); Statement statement = legacy.createStatement()) {
        statement.execute("UPDATE customers SET full_nm = 'Customer one' WHERE cust_id = 1");
        // A key shop B's rule also gives (client 53): the first claim holds it, the second is dead-lettered.
        statement.execute("INSERT INTO customers (cust_id, full_nm, email_addr, balance, status_cd, created_local)"
            + " VALUES (" + (B + 53) + ", 'Big id in shop A', NULL, 0, 'A', '2026-01-01 10:00')");
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(rows("SELECT id, name, country FROM customer WHERE id = " + (B + 53))).hasSize(1));
      try (Connection legacy = postgres.connect(shopB); Statement statement = legacy.createStatement()) {
        statement.execute("INSERT INTO clients (client_no, display_name, mail, credit_cents, state, joined_at)"
            + " VALUES (53, 'Client 53', NULL, 0, 'active', now())");
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Map<Long, String> rows = rows("SELECT id, name, country FROM customer WHERE id IN (1, 20, " + (B + 5) + ", "
            + (B + 6) + ", " + (B + 51) + ", " + (B + 52) + ", " + (B + 53) + ")");
        assertThat(rows).containsEntry(1L, "Customer one|NL").containsEntry(B + 5, "Client five|BE")
            .containsEntry(B + 51, "C. Ten|BE").containsEntry(B + 53, "Big id in shop A|NL")
            .doesNotContainKeys(B + 6, B + 52).containsKey(20L);
      });
      // The survivor of the second duplicate is deleted in shop A: shop B's row stands alone again.
      try (Connection legacy = postgres.connect(shopA); Statement statement = legacy.createStatement()) {
        statement.execute("DELETE FROM customers WHERE cust_id = 20");
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Map<Long, String> rows = rows("SELECT id, name, country FROM customer WHERE id IN (20, " + (B + 52) + ")");
        assertThat(rows).containsOnlyKeys(B + 52).containsEntry(B + 52, "C. Twenty|BE");
      });
      assertThat(count(newDb, "SELECT count(*) FROM customer")).isEqualTo(shopACustomers - 1 + 1 // 20 gone, big id
          + SHOP_B_CLIENTS - 1 + 1 + 1); // 6 gone, 51 and 52 standing alone; 53 refused
      assertThat(supervisor.firstFailure()).isEmpty();

      // After the changes, the one thing the verifier finds is the key both shops claim.
      EntityResult result = verify(verifier);
      assertThat(result.differences()).singleElement().satisfies(d -> {
        assertThat(d.key()).isEqualTo(Long.toString(B + 53));
        assertThat(d.reason()).contains("key rules collide");
      });
      assertThat(result.rowsChecked()).isEqualTo(shopACustomers - 1 + 1 + SHOP_B_CLIENTS - 1 + 3);
      try (Connection legacy = postgres.connect(shopB); Statement statement = legacy.createStatement()) {
        statement.execute("DELETE FROM clients WHERE client_no = 53");
      }
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(verify(verifier).differences()).isEmpty());
      assertThat(rows("SELECT id, name, country FROM customer WHERE id = " + (B + 53)))
          .containsEntry(B + 53, "Big id in shop A|NL");

      // Changes made on new behind the pipeline's back: each found at its key.
      try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
        statement.execute("UPDATE customer SET name = 'tampered' WHERE id = " + (B + 5));
        statement.execute("DELETE FROM customer WHERE id = 10"); // a merged survivor
        statement.execute("INSERT INTO customer (id, name, balance_cents, status, created_at, updated_at, country)"
            + " VALUES (" + (B + 51 + 100) + ", 'Nobody', 0, 'ACTIVE', now(), now(), 'BE')");
      }
      Map<String, Difference.Kind> found = new TreeMap<>();
      verify(verifier).differences().forEach(d -> found.put(d.key(), d.kind()));
      assertThat(found).containsExactlyInAnyOrderEntriesOf(Map.of(Long.toString(B + 5), Difference.Kind.DIFFERENT,
          "10", Difference.Kind.MISSING, Long.toString(B + 151), Difference.Kind.EXTRA));
      assertThat(shopBSupervisor.firstFailure()).isEmpty();
    } finally {
      supervisor.stop();
      shopBSupervisor.stop();
    }
  }

  private static EntityResult verify(Verifier verifier) throws InterruptedException {
    return verifier.pass(new Verifier.Request(List.of("customer"), null, false, false),
        io.tandem.verify.EntityVerifier.Progress.NONE, Clock.systemUTC()).entities().get(0);
  }

  private long count(String db, String sql) throws SQLException {
    try (Connection connection = postgres.connect(db); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }

  private String text(String db, String sql) throws SQLException {
    try (Connection connection = postgres.connect(db); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }

  /** id → the other columns joined by '|'. */
  private Map<Long, String> rows(String sql) throws SQLException {
    Map<Long, String> rows = new TreeMap<>();
    try (Connection connection = postgres.connect(newDb); Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 2; i <= columns; i++) {
          row.append(i > 2 ? "|" : "").append(result.getString(i));
        }
        rows.put(result.getLong(1), row.toString());
      }
    }
    return rows;
  }
}
