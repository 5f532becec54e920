package io.tandem.demo;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.PacedWriters;
import io.tandem.kafka.KafkaClients;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.Selector;
import io.tandem.routing.Target;
import io.tandem.routing.WriteFencedException;
import io.tandem.routing.WriteGuard;
import io.tandem.runtime.RoutingLogDriver;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code tandem demo --cutover}: writers that write each customer on the side the router names (through
 * {@link WriteGuard}), while a 1 % cohort moves {@code SHADOW → NEW_READS → NEW}, is rolled back to {@code
 * NEW_READS} and moved to {@code NEW} again; each write move is a fenced switch the coordinator completes.
 * Every acknowledged write adds one cent to a balance, so afterwards each customer's balance on both sides
 * must be its starting balance plus its acknowledged writes: anything else is a lost (or doubled) write.
 */
final class CutoverDemo {
  static final String ROUTING_TOPIC = io.tandem.routing.RoutingLog.DEFAULT_TOPIC;
  private static final String COHORT = "pilot";

  private final Console console;
  private final EmbeddedPostgresServer postgres;
  private final DemoLegacy legacy;
  private final EmbeddedKafkaBroker kafka;
  private final int rate;
  private final Duration phaseTime;

  CutoverDemo(Console console, EmbeddedPostgresServer postgres, DemoLegacy legacy, EmbeddedKafkaBroker kafka, int rate,
      Duration phaseTime) {
    this.console = console;
    this.postgres = postgres;
    this.legacy = legacy;
    this.kafka = kafka;
    this.rate = Math.max(1, rate);
    this.phaseTime = phaseTime;
  }

  /** Runs the cutover story; returns the lost plus doubled writes (0 when every write is on both sides once). */
  long run() throws Exception {
    try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
        ROUTING_TOPIC, Duration.ofSeconds(60));
        RoutingLogDriver driver = new RoutingLogDriver(KafkaClients.of(kafka.bootstrapServers()), routing,
            ROUTING_TOPIC, "tandem-demo")) {
      if (routing.state().entity("customer").isEmpty()) { // the demo's router declared it already
        driver.propose(new Command.DefineEntity("customer", List.of()), false);
      }
      driver.propose(new Command.CreateCohort("customer", COHORT, new Selector.Percent(100, "customer/" + COHORT),
          Phase.SHADOW, -1), false);
      Map<Long, Long> start = balances(postgres.connect("shop_new"), "SELECT id, balance_cents FROM customer");
      WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, legacy.dataSource(),
          Target.NEW, dataSource("shop_new")));
      PacedWriters writers = PacedWriters.start(2, rate, new ArrayList<>(start.keySet()), id -> write(guard, id),
          id -> console.line("a write of customer " + id + " failed (not acknowledged, not counted)"));
      console.line("Writers: " + rate + " writes/s, each on the side the router names; cohort " + COHORT
          + " (1 % of customers) in SHADOW.");
      Thread.sleep(phaseTime.toMillis());
      driver.propose(new Command.SetPhase("customer", COHORT, Phase.NEW_READS), false);
      console.line("pilot SHADOW → NEW_READS (reads from new; writes still legacy, copied forward).");
      Thread.sleep(phaseTime.toMillis());
      switchTo(driver, "cutover-1", Phase.NEW, false, "NEW_READS → NEW (writes move to new)");
      Thread.sleep(phaseTime.toMillis());
      switchTo(driver, "undo-1", Phase.NEW_READS, true, "NEW → NEW_READS (undo: writes back to legacy)");
      Thread.sleep(phaseTime.toMillis());
      switchTo(driver, "cutover-2", Phase.NEW, false, "NEW_READS → NEW (again)");
      Thread.sleep(phaseTime.toMillis());
      writers.stop();
      console.line("Writers stopped: " + writers.acknowledged() + " writes acknowledged, " + writers.refused()
          + " refused while fenced (retried). Waiting until both sides hold every write...");
      return lostWrites(start, writers);
    }
  }

  private static PacedWriters.Outcome write(WriteGuard guard, long id) {
    try {
      guard.write("customer", Long.toString(id), (target, connection) -> {
        try (Statement statement = connection.createStatement()) {
          statement.executeUpdate(target == Target.NEW
              ? "UPDATE customer SET balance_cents = balance_cents + 1, updated_at = now() WHERE id = " + id
              : "UPDATE customers SET balance = balance + 0.01, updated_at = now() WHERE cust_id = " + id);
        }
        return null;
      });
      return PacedWriters.Outcome.ACKNOWLEDGED;
    } catch (WriteFencedException e) {
      return PacedWriters.Outcome.REFUSED;
    } catch (Exception e) {
      return PacedWriters.Outcome.FAILED;
    }
  }

  private void switchTo(RoutingLogDriver driver, String id, Phase phase, boolean rollback, String what)
      throws Exception {
    Duration window = driver.switchTo("customer", COHORT, id, phase, rollback, Duration.ofSeconds(120));
    console.line(String.format("pilot %s: switch %s, writes fenced for %d ms", what, id, window.toMillis()));
  }

  /** Compares every written customer on both sides with its start plus its acknowledged writes. */
  private long lostWrites(Map<Long, Long> start, PacedWriters writers) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    long lost;
    long doubled;
    while (true) {
      // SQL both a PostgreSQL and a MariaDB legacy understand.
      Map<Long, Long> legacy = balances(this.legacy.connect(),
          "SELECT cust_id, CAST(balance * 100 AS DECIMAL(20, 0)) FROM customers WHERE status_cd <> 'X'");
      Map<Long, Long> target = balances(postgres.connect("shop_new"), "SELECT id, balance_cents FROM customer");
      lost = 0;
      doubled = 0;
      for (long key : writers.writtenKeys()) {
        long expected = start.get(key) + writers.acknowledged(key);
        for (Map<Long, Long> side : List.of(legacy, target)) {
          long actual = side.getOrDefault(key, 0L);
          lost += Math.max(0, expected - actual);
          doubled += Math.max(0, actual - expected);
        }
      }
      if ((lost == 0 && doubled == 0) || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(500);
    }
    console.line("lost writes: " + lost + (doubled > 0 ? ", doubled writes: " + doubled : ""));
    return lost + doubled;
  }

  private static Map<Long, Long> balances(Connection database, String sql) throws Exception {
    Map<Long, Long> balances = new HashMap<>();
    try (Connection connection = database; Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        balances.put(rows.getLong(1), rows.getLong(2));
      }
    }
    return balances;
  }

  private PGSimpleDataSource dataSource(String db) {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(postgres.jdbcUrl(db));
    source.setUser(postgres.user());
    return source;
  }
}
