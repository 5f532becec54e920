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

  /** customer: "vip" = keys 10 and 20; "suspended" = rule status == 'SUSPENDED' (an entity field). */
  private static CohortResolver cohorts() {
    io.tandem.routing.RoutingStateMachine machine = new io.tandem.routing.RoutingStateMachine();
    java.time.Instant now = java.time.Instant.now();
    machine.apply(0, new io.tandem.routing.Proposal("p0", 0, "t", "r", now, false,
        new io.tandem.routing.Command.DefineEntity("customer", java.util.List.of("status"))));
    machine.apply(1, new io.tandem.routing.Proposal("p1", 1, "t", "r", now, false,
        new io.tandem.routing.Command.CreateCohort("customer", "vip", new io.tandem.routing.Selector.Keys(
            java.util.Set.of("10", "20")), io.tandem.routing.Phase.SHADOW, 0)));
    machine.apply(2, new io.tandem.routing.Proposal("p2", 2, "t", "r", now, false,
        new io.tandem.routing.Command.CreateCohort("customer", "suspended", new io.tandem.routing.Selector.Rule(
            "status == 'SUSPENDED'"), io.tandem.routing.Phase.SHADOW, 1)));
    assertThat(machine.state().version()).isEqualTo(3);
    return CohortResolver.of(machine.state());
  }

  @Test
  void differencesAndRowsAreAttributedToTheRoutersCohorts() throws Exception {
    Pair pair = pair(300);
    pair.newSql("UPDATE customer SET name = 'x' WHERE id IN (10, 30, 31)"); // 10: vip; 30 % 3 = 0: ACTIVE; 31: SUSPENDED
    EntityResult all = EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer",
        pair.legacy, pair.fresh, fast(), cohorts(), DeadLetters.NONE, Clock.systemUTC()).run(EntityVerifier.Progress.NONE);
    assertThat(all.routingVersion()).isEqualTo(3);
    Map<String, String> cohortByKey = all.differences().stream()
        .collect(Collectors.toMap(Difference::key, d -> String.valueOf(d.cohort())));
    assertThat(cohortByKey).containsOnly(Map.entry("10", "vip"), Map.entry("30", "null"), Map.entry("31", "suspended"));
    assertThat(all.byCohort().get("vip")).isEqualTo(new EntityResult.CohortTally(2, 1, 0));
    // g % 3 == 1 of 1..300 is 100 rows, but 10 is one of them and vip (first) holds it
    assertThat(all.byCohort().get("suspended").rowsChecked()).isEqualTo(99);
    assertThat(all.byCohort().get("suspended").differences()).isEqualTo(1);
    // Restricted to one cohort: only its keys count, and the status record is the cohort's.
    EntityResult vip = EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer",
        pair.legacy, pair.fresh, fast().withCohort("vip"), cohorts(), DeadLetters.NONE, Clock.systemUTC())
        .run(EntityVerifier.Progress.NONE);
    assertThat(vip.rowsChecked()).isEqualTo(2);
    assertThat(vip.differences()).extracting(Difference::key).containsExactly("10");
    assertThat(new VerificationReport(java.util.List.of(vip)).statusRecords())
        .extracting(v -> v.cohort() + ":" + v.clean() + ":" + v.differences()).containsExactly("vip:false:1");
    assertThatThrownBy(() -> EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer",
        pair.legacy, pair.fresh, fast().withCohort("gold"), cohorts(), DeadLetters.NONE, Clock.systemUTC()))
        .isInstanceOf(VerifyException.class).hasMessageContaining("no cohort 'gold'");
  }

  @Test
  void forKeysNewOwnsWhatTheReverseMappingDoesNotCarryBackIsNotADifference() throws Exception {
    Pair pair = pair(100);
    // An application on new set country (a constant on the way in, ignored on the way back) and a name.
    pair.newSql("UPDATE customer SET country = 'DE' WHERE id IN (10, 11)");
    pair.newSql("UPDATE customer SET name = 'changed on new only' WHERE id = 10");
    io.tandem.routing.RoutingStateMachine machine = new io.tandem.routing.RoutingStateMachine();
    java.time.Instant now = java.time.Instant.now();
    machine.apply(0, new io.tandem.routing.Proposal("p0", 0, "t", "r", now, false,
        new io.tandem.routing.Command.DefineEntity("customer", java.util.List.of())));
    machine.apply(1, new io.tandem.routing.Proposal("p1", 1, "t", "r", now, false,
        new io.tandem.routing.Command.CreateCohort("customer", "moved", new io.tandem.routing.Selector.Keys(
            java.util.Set.of("10")), io.tandem.routing.Phase.NEW, 0)));

    EntityResult result = EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer",
        pair.legacy, pair.fresh, fast(), CohortResolver.of(machine.state()), DeadLetters.NONE, Clock.systemUTC())
        .run(EntityVerifier.Progress.NONE);

    Map<String, java.util.List<String>> fieldsByKey = result.differences().stream()
        .collect(Collectors.toMap(Difference::key, Difference::fields));
    // 10 (new owns it): country cannot be in legacy, the name should have been carried back.
    // 11 (legacy owns it): new must equal legacy's mapping, country included.
    assertThat(fieldsByKey).containsOnly(Map.entry("10", java.util.List.of("name")),
        Map.entry("11", java.util.List.of("country")));
  }

  @Test
  void deadLetteredKeysAreAccountedFor() throws Exception {
    Pair pair = pair(100);
    pair.newSql("DELETE FROM customer WHERE id = 42");
    DeadLetters deadLetters = new DeadLetters();
    deadLetters.add("customer", "42", "sink: value too long for type character varying(10)");
    EntityResult result = EntityVerifier.create(CustomerFixture.mapping(), CustomerFixture.schema(), "customer",
        pair.legacy, pair.fresh, fast(), CohortResolver.NONE, deadLetters, Clock.systemUTC())
        .run(EntityVerifier.Progress.NONE);
    assertThat(result.differences()).singleElement().satisfies(d -> {
      assertThat(d.kind()).isEqualTo(Difference.Kind.MISSING);
      assertThat(d.deadLettered()).isTrue();
      assertThat(d.reason()).contains("value too long");
    });
    assertThat(result.clean()).as("a dead-lettered row is explained, not equal").isFalse();
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
