package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.core.model.MappedEntity;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A joined entity (schemas/examples/customer_profile.yaml: customers + addresses) verified against two
 * real PostgreSQL databases.
 */
class JoinedVerifierIT {
  static final Path EXAMPLE = CustomerFixture.SCHEMAS.resolve("examples");

  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void start() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  private static Mapping mapping() {
    return MappingLoader.load(EXAMPLE.resolve("customer_profile.yaml"));
  }

  /**
   * 2,500 customers; customer g has g % 4 addresses ('City g/n'); the new side holds what legacy says,
   * computed in SQL with the join's order (addresses by addr_id as text).
   */
  private static TwoDatabases sides() throws Exception {
    TwoDatabases sides = TwoDatabases.create(pg);
    sides.legacySql("CREATE TABLE customers (cust_id bigint PRIMARY KEY, full_nm text NOT NULL)",
        "CREATE TABLE addresses (addr_id serial PRIMARY KEY, cust_id bigint, city text)",
        "INSERT INTO customers SELECT g, 'Customer ' || g FROM generate_series(1, 2500) g",
        "INSERT INTO addresses (cust_id, city) SELECT g, 'City ' || g || '/' || n"
            + " FROM generate_series(1, 2500) g, generate_series(1, 3) n WHERE n <= g % 4");
    sides.newSql(Files.readString(EXAMPLE.resolve("customer_profile.sql")));
    try (Connection legacy = sides.legacy().open(); Connection fresh = sides.fresh().open();
        Statement read = legacy.createStatement();
        ResultSet rows = read.executeQuery("SELECT c.cust_id, c.full_nm, count(a.addr_id),"
            + " (array_agg(a.city ORDER BY a.addr_id::text))[1], coalesce(string_agg(a.city, '|' ORDER BY"
            + " a.addr_id::text), '') FROM customers c LEFT JOIN addresses a ON a.cust_id = c.cust_id"
            + " GROUP BY c.cust_id, c.full_nm");
        PreparedStatement write = fresh.prepareStatement("INSERT INTO customer_profile VALUES (?, ?, ?, ?, ?, 1, now())")) {
      while (rows.next()) {
        for (int i = 1; i <= 5; i++) {
          write.setObject(i, rows.getObject(i));
        }
        write.addBatch();
      }
      write.executeBatch();
    }
    return sides;
  }

  private static EntityResult verify(TwoDatabases sides) throws InterruptedException {
    Mapping mapping = mapping();
    return EntityVerifier.create(mapping, EntitySchema.load(EXAMPLE, mapping), "customer_profile", sides.legacy(),
        sides.fresh(), new VerifyOptions(1000, 0, Duration.ofMillis(50), 2, true, null), CohortResolver.NONE,
        DeadLetters.NONE, Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
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
    TwoDatabases sides = sides();
    sides.legacySql("UPDATE addresses SET city = 'Elsewhere' WHERE city = 'City 7/2'",  // a child changed
        "DELETE FROM addresses WHERE city = 'City 11/3'",                                 // a child left
        "UPDATE addresses SET cust_id = 8 WHERE cust_id = 13");                          // re-parented: 13 → 8
    EntityResult result = verify(sides);
    Map<String, Difference> byKey = result.differences().stream().collect(Collectors.toMap(Difference::key, d -> d));
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("7", "11", "13", "8");
    assertThat(byKey.get("7").fields()).contains("cities");
    assertThat(byKey.get("7").expected().get("cities")).contains("Elsewhere").doesNotContain("City 7/2");
    assertThat(byKey.get("11").fields()).containsExactlyInAnyOrder("address_count", "cities");
    assertThat(byKey.get("11").expected()).containsEntry("address_count", "2");
    assertThat(byKey.get("13").fields()).containsExactlyInAnyOrder("address_count", "first_city", "cities");
    assertThat(byKey.get("8").expected()).containsEntry("first_city", "City 13/1"); // 8 % 4 = 0: had none
  }

  @Test
  void aParentWithMoreChildrenThanTheJoinKeepsIsUnmappableAsTheTopologyDeadLettersIt() throws Exception {
    TwoDatabases sides = sides();
    sides.legacySql("INSERT INTO addresses (cust_id, city) SELECT 4, 'Many ' || n FROM generate_series(1, 1001) n");
    Map<String, Difference> byKey = verify(sides).differences().stream()
        .collect(Collectors.toMap(Difference::key, d -> d));
    assertThat(byKey.keySet()).containsExactly("4");
    assertThat(byKey.get("4").kind()).isEqualTo(Difference.Kind.UNMAPPABLE);
    assertThat(byKey.get("4").reason()).contains("more than 1000 rows of public.addresses join this public.customers row");
  }

  @Test
  void theAuditEvaluatesAJoinedMappingWithEachRowsChildren() throws Exception {
    TwoDatabases sides = sides();
    // without the guard, [0] fails on a customer without addresses (g % 4 == 0): those rows are refused
    Mapping strict = MappingLoader.parse("strict.yaml", Files.readString(EXAMPLE.resolve("customer_profile.yaml"))
        .replace("size(addresses) > 0 ? addresses[0].city : null", "addresses[0].city"));
    DataAudit audit = DataAudit.run(sides.legacy(), "legacy",
        List.of(new MappedEntity(strict, EntitySchema.load(EXAMPLE, strict))), 10_000);
    DataAudit.TableAudit table = audit.tables().get(0);
    assertThat(table.rows()).isEqualTo(2500);
    assertThat(table.refusedRows()).isEqualTo(625);
    assertThat(table.migrated()).isEqualTo(1875);
  }

  @Test
  void aJoinTheLegacyCatalogDoesNotHoldIsRefusedByName() throws Exception {
    TwoDatabases sides = sides();
    sides.legacySql("ALTER TABLE addresses RENAME COLUMN cust_id TO customer");
    assertThatThrownBy(() -> verify(sides)).isInstanceOf(VerifyException.class)
        .hasMessageContaining("join.addresses: legacy table public.addresses has no column 'cust_id'");
  }
}
