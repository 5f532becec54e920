package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A joined entity (customers + addresses → customer_profile) verified against two real PostgreSQL databases. */
class JoinedVerifierIT {
  static final String MAPPING = """
      entity: customer_profile
      source: public.customers
      key: [id]
      join:
        addresses: { table: public.addresses, column: cust_id, references: cust_id }
      fields:
        id: { from: cust_id, cast: long }
        name: full_nm
        address_count: { expr: "size(addresses)" }
        city: { expr: "addresses.exists(a, a.is_primary) ? addresses.filter(a, a.is_primary)[0].city : null" }
      """;
  static final String AVSC = """
      {"type": "record", "name": "CustomerProfile", "namespace": "test", "fields": [
        {"name": "id", "type": "long"},
        {"name": "name", "type": "string"},
        {"name": "address_count", "type": "long"},
        {"name": "city", "type": ["null", "string"], "default": null}]}
      """;

  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void start() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  private record Sides(Connector legacy, Connector fresh) {
    void legacySql(String... sql) throws SQLException {
      run(legacy, sql);
    }

    void newSql(String... sql) throws SQLException {
      run(fresh, sql);
    }

    private static void run(Connector connector, String... sql) throws SQLException {
      try (Connection c = connector.open(); Statement s = c.createStatement()) {
        for (String each : sql) {
          s.execute(each);
        }
      }
    }
  }

  /** 2,500 customers; customer g has g % 4 addresses, the first primary (city 'City g'). */
  private static Sides sides() throws SQLException {
    Sides sides = new Sides(Connector.jdbc(pg.jdbcUrl(pg.createDatabase("legacy")), "postgres", ""),
        Connector.jdbc(pg.jdbcUrl(pg.createDatabase("fresh")), "postgres", ""));
    sides.legacySql("CREATE TABLE customers (cust_id bigint PRIMARY KEY, full_nm text NOT NULL)",
        "CREATE TABLE addresses (addr_id serial PRIMARY KEY, cust_id bigint, city text, is_primary boolean)",
        "INSERT INTO customers SELECT g, 'Customer ' || g FROM generate_series(1, 2500) g",
        "INSERT INTO addresses (cust_id, city, is_primary) SELECT g, 'City ' || g || '/' || n, n = 1"
            + " FROM generate_series(1, 2500) g, generate_series(1, 3) n WHERE n <= g % 4");
    sides.newSql("CREATE TABLE customer_profile (id bigint PRIMARY KEY, name text NOT NULL,"
            + " address_count bigint NOT NULL, city text)",
        "INSERT INTO customer_profile SELECT g, 'Customer ' || g, g % 4, CASE WHEN g % 4 > 0 THEN 'City ' || g || '/1'"
            + " END FROM generate_series(1, 2500) g");
    return sides;
  }

  private static EntityResult verify(Sides sides) throws InterruptedException {
    Mapping mapping = MappingLoader.parse("profile.yaml", MAPPING);
    EntitySchema schema = EntitySchema.of("profile.avsc", new Schema.Parser().parse(AVSC), mapping);
    return EntityVerifier.create(mapping, schema, "customer_profile", sides.legacy, sides.fresh,
        new VerifyOptions(1000, 0, Duration.ofMillis(50), 2, true, null), CohortResolver.NONE, DeadLetters.NONE,
        Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
  }

  @Test
  void equalJoinedSidesAreClean() throws Exception {
    EntityResult result = verify(sides());
    assertThat(result.differences()).isEmpty();
    assertThat(result.rowsChecked()).isEqualTo(2500);
    assertThat(result.chunksDiffering()).isZero();
  }

  @Test
  void childChangesShowAtTheirParentsKey() throws Exception {
    Sides sides = sides();
    sides.legacySql("UPDATE addresses SET city = 'Elsewhere' WHERE cust_id = 7 AND is_primary",   // a child changed
        "DELETE FROM addresses WHERE cust_id = 11 AND NOT is_primary",                          // children left
        "UPDATE addresses SET cust_id = 8 WHERE cust_id = 13 AND is_primary");                  // re-parented: 13 → 8
    EntityResult result = verify(sides);
    Map<String, Difference> byKey = result.differences().stream().collect(Collectors.toMap(Difference::key, d -> d));
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("7", "11", "13", "8");
    assertThat(byKey.get("7").fields()).containsExactly("city");
    assertThat(byKey.get("7").expected()).containsEntry("city", "Elsewhere");
    assertThat(byKey.get("11").fields()).containsExactly("address_count");
    assertThat(byKey.get("11").expected()).containsEntry("address_count", "1");
    assertThat(byKey.get("13").fields()).containsExactlyInAnyOrder("address_count", "city");
    assertThat(byKey.get("8").fields()).containsExactlyInAnyOrder("address_count", "city"); // 8 % 4 = 0: had none
    assertThat(byKey.get("8").expected()).containsEntry("city", "City 13/1");
  }

  @Test
  void theAuditEvaluatesAJoinedMappingWithEachRowsChildren() throws Exception {
    Sides sides = sides();
    // without a primary address, [0] fails: the rows without addresses (g % 4 == 0) would be refused
    Mapping strict = MappingLoader.parse("strict.yaml", MAPPING.replace(
        "addresses.exists(a, a.is_primary) ? addresses.filter(a, a.is_primary)[0].city : null",
        "addresses.filter(a, a.is_primary)[0].city"));
    EntitySchema schema = EntitySchema.of("profile.avsc", new Schema.Parser().parse(AVSC), strict);
    DataAudit audit = DataAudit.run(sides.legacy, "legacy", java.util.List.of(
        new io.tandem.core.model.MappedEntity(strict, schema)), 10_000);
    DataAudit.TableAudit table = audit.tables().get(0);
    assertThat(table.rows()).isEqualTo(2500);
    assertThat(table.refusedRows()).isEqualTo(625);
    assertThat(table.migrated()).isEqualTo(1875);
  }

  @Test
  void aJoinTheLegacyCatalogDoesNotHoldIsRefusedByName() throws Exception {
    Sides sides = sides();
    sides.legacySql("ALTER TABLE addresses RENAME COLUMN cust_id TO customer");
    assertThatThrownBy(() -> verify(sides)).isInstanceOf(VerifyException.class)
        .hasMessageContaining("join.addresses: legacy table public.addresses has no column 'cust_id'");
  }
}
