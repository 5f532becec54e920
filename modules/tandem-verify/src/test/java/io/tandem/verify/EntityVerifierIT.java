package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The verifier against two real PostgreSQL databases. */
class EntityVerifierIT {
  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void start() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  private record Pair(Connector legacy, Connector fresh, String legacyDb, String newDb) {
    void legacySql(String sql) throws SQLException {
      try (Connection c = legacy.open(); Statement s = c.createStatement()) {
        s.execute(sql);
      }
    }

    void newSql(String sql) throws SQLException {
      try (Connection c = fresh.open(); Statement s = c.createStatement()) {
        s.execute(sql);
      }
    }
  }

  private static Pair pair(long rows) throws SQLException {
    String legacyDb = pg.createDatabase("legacy");
    String newDb = pg.createDatabase("fresh");
    Pair pair = new Pair(Connector.jdbc(pg.jdbcUrl(legacyDb), "postgres", ""),
        Connector.jdbc(pg.jdbcUrl(newDb), "postgres", ""), legacyDb, newDb);
    try (Connection legacy = pair.legacy.open(); Connection fresh = pair.fresh.open()) {
      CustomerFixture.createLegacy(legacy);
      CustomerFixture.createNew(fresh);
      if (rows > 0) {
        CustomerFixture.fill(legacy, fresh, 1, rows);
      }
    }
    return pair;
  }

  private static VerifyOptions fast() {
    return new VerifyOptions(1000, 0, Duration.ofMillis(50), 2, true, null);
  }

  private static EntityResult verify(Pair pair, VerifyOptions options) throws InterruptedException {
    return EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer", pair.legacy,
        pair.fresh, options, CohortResolver.NONE, DeadLetters.NONE, Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
  }

  @Test
  void equalSidesThroughTheMappingAreClean() throws Exception {
    Pair pair = pair(5_500);
    EntityResult result = verify(pair, fast());
    assertThat(result.differences()).isEmpty();
    assertThat(result.clean()).isTrue();
    assertThat(result.rowsRead()).isEqualTo(5_500);
    assertThat(result.rowsChecked()).isEqualTo(5_500);
    assertThat(result.chunks()).isEqualTo(6);
    assertThat(result.chunksDiffering()).isZero();
  }

  @Test
  void everyKindOfInjectedDifferenceIsFoundAtItsKey() throws Exception {
    Pair pair = pair(5_000);
    pair.newSql("DELETE FROM customer WHERE id = 1234");                       // missing
    pair.newSql("INSERT INTO customer SELECT 999999, name, email, balance_cents, status, created_at, updated_at,"
        + " country, 1, null FROM customer WHERE id = 10");                      // extra, after the last legacy key
    pair.legacySql("DELETE FROM customers WHERE cust_id = 2600");              // extra, between legacy keys
    pair.newSql("UPDATE customer SET name = 'Someone Else' WHERE id = 3000");  // changed field
    pair.newSql("UPDATE customer SET balance_cents = balance_cents + 1 WHERE id = 4000"); // only visible through the mapping
    pair.legacySql("UPDATE customers SET status_cd = 'X' WHERE cust_id = 4500");          // now filtered out: extra
    pair.legacySql("UPDATE customers SET status_cd = 'Q' WHERE cust_id = 4600");          // unknown code: unmappable

    EntityResult result = verify(pair, fast());

    Map<String, Difference> byKey = result.differences().stream()
        .collect(Collectors.toMap(Difference::key, d -> d));
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("1234", "999999", "2600", "3000", "4000", "4500", "4600");
    assertThat(byKey.get("1234").kind()).isEqualTo(Difference.Kind.MISSING);
    assertThat(byKey.get("999999").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("2600").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("3000").kind()).isEqualTo(Difference.Kind.DIFFERENT);
    assertThat(byKey.get("3000").fields()).containsExactly("name");
    assertThat(byKey.get("3000").expected()).containsEntry("name", "Customer 3000");
    assertThat(byKey.get("3000").actual()).containsEntry("name", "Someone Else");
    assertThat(byKey.get("4000").kind()).isEqualTo(Difference.Kind.DIFFERENT);
    assertThat(byKey.get("4000").fields()).containsExactly("balance_cents");
    assertThat(byKey.get("4000").expected()).containsEntry("balance_cents", "4000");
    assertThat(byKey.get("4000").actual()).containsEntry("balance_cents", "4001");
    assertThat(byKey.get("4500").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("4500").reason()).contains("filters the legacy row out");
    assertThat(byKey.get("4600").kind()).isEqualTo(Difference.Kind.UNMAPPABLE);
    assertThat(byKey.get("4600").reason()).contains("unknown code 'Q'");
    assertThat(result.clean()).isFalse();
    // chunks of 1,000 legacy rows: [1..1000] clean, [1001..2000] 1234, [2001..3001] 2600 and 3000,
    // [3002..4002] 4000, [4003..5000] 4500 (4600 is known from the mapping alone); 999999 lies after them
    assertThat(result.chunks()).isEqualTo(5);
    assertThat(result.chunksDiffering()).isEqualTo(4);
  }

  @Test
  void valuesAreLeftOutOfDifferencesUnlessAskedFor() throws Exception {
    Pair pair = pair(100);
    pair.newSql("UPDATE customer SET email = 'leak@example.com' WHERE id = 50");
    EntityResult result = verify(pair, new VerifyOptions(1000, 0, Duration.ofMillis(10), 1, false, null));
    assertThat(result.differences()).singleElement().satisfies(d -> {
      assertThat(d.fields()).containsExactly("email");
      assertThat(d.expected()).isEmpty();
      assertThat(d.actual()).isEmpty();
    });
  }

  @Test
  void aDifferenceThatHealsBeforeTheRecheckIsClearedNotReported() throws Exception {
    Pair pair = pair(2_000);
    pair.newSql("UPDATE customer SET name = 'stale' WHERE id = 700");
    Thread healer = new Thread(() -> {
      try {
        Thread.sleep(300);
        pair.newSql("UPDATE customer SET name = 'Customer 700' WHERE id = 700");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    healer.start();
    EntityResult result = verify(pair, new VerifyOptions(1000, 0, Duration.ofMillis(1500), 2, false, null));
    healer.join();
    assertThat(result.differences()).isEmpty();
    assertThat(result.rechecked()).isEqualTo(1);
    assertThat(result.cleared()).isEqualTo(1);
    assertThat(result.clean()).isTrue();
  }

  @Test
  void anEmptyLegacyTableMakesEveryNewRowExtra() throws Exception {
    Pair pair = pair(0);
    pair.newSql("INSERT INTO customer VALUES (5, 'x', null, 0, 'ACTIVE', now(), now(), 'NL', 1, null)");
    EntityResult result = verify(pair, fast());
    assertThat(result.differences()).extracting(Difference::key, Difference::kind)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("5", Difference.Kind.EXTRA));
  }

  @Test
  void theLegacyReadBudgetIsKept() throws Exception {
    Pair pair = pair(3_000);
    long started = System.nanoTime();
    EntityResult result = verify(pair, new VerifyOptions(500, 5_000, Duration.ofMillis(10), 1, false, null));
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(result.clean()).isTrue();
    // 3,000 rows at 5,000 rows/s: the reader may not finish its last chunk before 0.5 s
    assertThat(seconds).isGreaterThanOrEqualTo(0.5);
  }

  @Test
  void aMappingWhoseKeyIsNotTheLegacyPrimaryKeyIsRefusedByName() throws Exception {
    Pair pair = pair(0);
    pair.legacySql("ALTER TABLE customers DROP CONSTRAINT customers_pkey");
    assertThatThrownBy(() -> verify(pair, fast())).isInstanceOf(VerifyException.class)
        .hasMessageContaining("public.customers has no primary key");
  }
}
