package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A legacy MariaDB (the machine's, 127.0.0.1:3306) against a new PostgreSQL: a text-keyed entity compared by
 * key buckets (keys bound in MariaDB's own types), and a joined entity whose children are read from MariaDB.
 */
class MariaDbKeyBucketIT {
  private static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void start() {
    try (Connection ignored = DriverManager.getConnection(URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage());
    }
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (pg != null) {
      pg.close();
    }
  }

  private static String mariaDb(String... sql) throws SQLException {
    String db = "tandem_kb_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = DriverManager.getConnection(URL, "root", ""); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
      s.execute("USE " + db);
      for (String each : sql) {
        s.execute(each);
      }
    }
    return db;
  }

  private static Connector legacy(String db) {
    return Connector.jdbc(URL + db, "root", "");
  }

  private static Connector fresh(String... sql) throws SQLException {
    Connector fresh = Connector.jdbc(pg.jdbcUrl(pg.createDatabase("fresh")), "postgres", "");
    try (Connection c = fresh.open(); Statement s = c.createStatement()) {
      for (String each : sql) {
        s.execute(each);
      }
    }
    return fresh;
  }

  private static EntityResult verify(Mapping mapping, EntitySchema schema, String table, Connector legacy,
      Connector fresh) throws InterruptedException {
    return EntityVerifier.create(mapping, schema, table, legacy, fresh,
        new VerifyOptions(300, 0, Duration.ofMillis(50), 2, true, null), CohortResolver.NONE, DeadLetters.NONE,
        Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
  }

  @Test
  void aTextKeyedEntityIsComparedByKeyBuckets() throws Exception {
    String rows = "CASE MOD(seq, 3) WHEN 0 THEN CONCAT('acct-', seq) WHEN 1 THEN CONCAT('Ä,', seq)"
        + " ELSE CONCAT('b''q ', seq) END";
    String db = mariaDb("CREATE TABLE accounts (acct_code varchar(40) PRIMARY KEY, owner_nm text, credit int NOT NULL)",
        "INSERT INTO accounts SELECT " + rows + ", CONCAT('Owner ', seq), seq FROM seq_1_to_1000");
    Connector fresh = fresh("CREATE TABLE account (code text PRIMARY KEY, owner text, credit bigint NOT NULL)",
        "INSERT INTO account SELECT CASE g % 3 WHEN 0 THEN 'acct-' || g WHEN 1 THEN 'Ä,' || g ELSE 'b''q ' || g END,"
            + " 'Owner ' || g, g FROM generate_series(1, 1000) g",
        "DELETE FROM account WHERE code = 'Ä,100'",
        "UPDATE account SET owner = 'x' WHERE code = 'b''q 500'");
    Mapping mapping = MappingLoader.parse("account.yaml", """
        entity: account
        source: %s.accounts
        key: [code]
        fields:
          code: acct_code
          owner: owner_nm
          credit: { from: credit, cast: long }
        """.formatted(db));
    EntitySchema schema = EntitySchema.of("account.avsc", new Schema.Parser().parse("""
        {"type": "record", "name": "Account", "namespace": "test", "fields": [
          {"name": "code", "type": "string"},
          {"name": "owner", "type": ["null", "string"], "default": null},
          {"name": "credit", "type": "long"}]}
        """), mapping);
    EntityResult result = verify(mapping, schema, "account", legacy(db), fresh);
    Map<String, Difference> byKey = result.differences().stream().collect(Collectors.toMap(Difference::key, d -> d));
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("Ä,100", "b'q 500");
    assertThat(byKey.get("Ä,100").kind()).isEqualTo(Difference.Kind.MISSING);
    assertThat(byKey.get("b'q 500").fields()).containsExactly("owner");
    assertThat(result.rowsRead()).isEqualTo(1000);
  }

  @Test
  void aJoinedEntityReadsItsChildrenFromMariaDb() throws Exception {
    String db = mariaDb("CREATE TABLE customers (cust_id bigint PRIMARY KEY, full_nm text NOT NULL)",
        "CREATE TABLE addresses (addr_id int PRIMARY KEY, cust_id bigint, city text)",
        "INSERT INTO customers SELECT seq, CONCAT('Customer ', seq) FROM seq_1_to_600",
        "INSERT INTO addresses SELECT seq, MOD(seq, 400) + 1, CONCAT('City ', seq) FROM seq_1_to_900");
    Connector fresh = fresh(Files.readString(JoinedVerifierIT.EXAMPLE.resolve("customer_profile.sql")));
    // what legacy says, computed from MariaDB in its join order (addresses by addr_id as text)
    try (Connection from = legacy(db).open(); Connection to = fresh.open(); Statement read = from.createStatement();
        ResultSet rows = read.executeQuery("SELECT c.cust_id, c.full_nm, count(a.addr_id), (SELECT city FROM"
            + " addresses f WHERE f.cust_id = c.cust_id ORDER BY CAST(f.addr_id AS CHAR) LIMIT 1),"
            + " coalesce(group_concat(a.city ORDER BY CAST(a.addr_id AS CHAR) SEPARATOR '|'), '') FROM customers c"
            + " LEFT JOIN addresses a ON a.cust_id = c.cust_id GROUP BY c.cust_id, c.full_nm");
        PreparedStatement write = to.prepareStatement("INSERT INTO customer_profile VALUES (?, ?, ?, ?, ?, 1, now())")) {
      while (rows.next()) {
        for (int i = 1; i <= 5; i++) {
          write.setObject(i, rows.getObject(i));
        }
        write.addBatch();
      }
      write.executeBatch();
    }
    try (Connection c = legacy(db).open(); Statement s = c.createStatement()) {
      s.execute("UPDATE addresses SET cust_id = 5 WHERE addr_id = 10"); // re-parented: 11 → 5
    }
    Mapping mapping = MappingLoader.parse("customer_profile.yaml", Files.readString(
        JoinedVerifierIT.EXAMPLE.resolve("customer_profile.yaml")).replace("public.", db + "."));
    EntityResult result = verify(mapping, EntitySchema.load(JoinedVerifierIT.EXAMPLE, mapping), "customer_profile",
        legacy(db), fresh);
    assertThat(result.differences()).extracting(Difference::key).containsExactlyInAnyOrder("5", "11");
    assertThat(result.rowsChecked()).isEqualTo(600);
  }
}
