package io.tandem.demo;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.Selector;
import io.tandem.routing.Target;
import io.tandem.routing.WriteFencedException;
import io.tandem.routing.WriteGuard;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code tandem demo --cutover}: writers that write each customer on the side the router names (through
 * {@link WriteGuard}), while a 1 % cohort moves {@code SHADOW → NEW_READS → NEW}, is rolled back to {@code
 * NEW_READS} and moved to {@code NEW} again; each write move is a fenced switch the coordinator completes.
 * Every acknowledged write adds one cent to a balance, so afterwards each customer's balance on both sides
 * must be its starting balance plus its acknowledged writes: anything else is a lost (or doubled) write.
 */
final class CutoverDemo {
  static final String ROUTING_TOPIC = "tandem.routing";
  private static final String COHORT = "pilot";

  private final Console console;
  private final EmbeddedPostgresServer postgres;
  private final EmbeddedKafkaBroker kafka;
  private final int rate;
  private final Duration phaseTime;
  private final Map<Long, LongAdder> acknowledged = new ConcurrentHashMap<>();
  private final AtomicLong fenced = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();

  CutoverDemo(Console console, EmbeddedPostgresServer postgres, EmbeddedKafkaBroker kafka, int rate,
      Duration phaseTime) {
    this.console = console;
    this.postgres = postgres;
    this.kafka = kafka;
    this.rate = Math.max(1, rate);
    this.phaseTime = phaseTime;
  }

  /** Runs the cutover story; returns the lost plus doubled writes (0 when every write is on both sides once). */
  long run() throws Exception {
    try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()),
        ROUTING_TOPIC, Duration.ofSeconds(60))) {
      propose(routing, false, new Command.DefineEntity("customer", List.of()));
      propose(routing, false, new Command.CreateCohort("customer", COHORT,
          new Selector.Percent(100, "customer/" + COHORT), Phase.SHADOW, -1));
      Map<Long, Long> start = balances("shop_new", "SELECT id, balance_cents FROM customer");
      List<Long> ids = new ArrayList<>(start.keySet());
      WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, dataSource("shop"),
          Target.NEW, dataSource("shop_new")));
      List<Thread> writers = startWriters(guard, ids);
      console.line("Writers: " + rate + " writes/s, each on the side the router names; cohort " + COHORT
          + " (1 % of customers) in SHADOW.");
      Thread.sleep(phaseTime.toMillis());
      propose(routing, false, new Command.SetPhase("customer", COHORT, Phase.NEW_READS));
      console.line("pilot SHADOW → NEW_READS (reads from new; writes still legacy, copied forward).");
      Thread.sleep(phaseTime.toMillis());
      switchTo(routing, "cutover-1", Phase.NEW, false, "NEW_READS → NEW (writes move to new)");
      Thread.sleep(phaseTime.toMillis());
      switchTo(routing, "undo-1", Phase.NEW_READS, true, "NEW → NEW_READS (undo: writes back to legacy)");
      Thread.sleep(phaseTime.toMillis());
      switchTo(routing, "cutover-2", Phase.NEW, false, "NEW_READS → NEW (again)");
      Thread.sleep(phaseTime.toMillis());
      stop.set(true);
      for (Thread writer : writers) {
        writer.join(30_000);
      }
      long writes = acknowledged.values().stream().mapToLong(LongAdder::sum).sum();
      console.line("Writers stopped: " + writes + " writes acknowledged, " + fenced.get()
          + " refused while fenced (retried). Waiting until both sides hold every write...");
      return lostWrites(start);
    }
  }

  private List<Thread> startWriters(WriteGuard guard, List<Long> ids) {
    List<Thread> threads = new ArrayList<>();
    int count = 2;
    long intervalNanos = 1_000_000_000L * count / rate;
    for (int t = 0; t < count; t++) {
      Thread thread = new Thread(() -> {
        long next = System.nanoTime();
        while (!stop.get()) {
          long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
          try {
            guard.write("customer", Long.toString(id), (target, connection) -> {
              try (Statement statement = connection.createStatement()) {
                statement.executeUpdate(target == Target.NEW
                    ? "UPDATE customer SET balance_cents = balance_cents + 1, updated_at = now() WHERE id = " + id
                    : "UPDATE customers SET balance = balance + 0.01, updated_at = now() WHERE cust_id = " + id);
              }
              return null;
            });
            acknowledged.computeIfAbsent(id, k -> new LongAdder()).increment();
          } catch (WriteFencedException e) {
            fenced.incrementAndGet();
          } catch (Exception e) {
            console.line("write failed (not acknowledged, not counted): " + e.getMessage());
          }
          next += intervalNanos;
          long wait = next - System.nanoTime();
          if (wait > 0) {
            sleep(wait / 1_000_000);
          } else if (wait < -1_000_000_000L) {
            next = System.nanoTime();
          }
        }
      }, "tandem-demo-writer-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    return threads;
  }

  private void switchTo(RoutingClient routing, String id, Phase phase, boolean rollback, String what)
      throws Exception {
    long begin = System.nanoTime();
    propose(routing, rollback, new Command.BeginSwitch(id, new Command.SetPhase("customer", COHORT, phase)));
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (routing.state().pendingSwitch().isPresent() || routing.state().entity("customer")
        .flatMap(e -> e.cohort(COHORT)).map(c -> c.phase() != phase).orElse(true)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("write switch " + id + " did not complete in 120 s (see tandem.log)");
      }
      Thread.sleep(5);
    }
    console.line(String.format("pilot %s: switch %s, writes fenced for %d ms", what, id,
        Duration.ofNanos(System.nanoTime() - begin).toMillis()));
  }

  /** Compares every written customer on both sides with its start plus its acknowledged writes. */
  private long lostWrites(Map<Long, Long> start) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    long lost;
    long doubled;
    while (true) {
      Map<Long, Long> legacy = balances("shop",
          "SELECT cust_id, (balance * 100)::bigint FROM customers WHERE status_cd <> 'X'");
      Map<Long, Long> target = balances("shop_new", "SELECT id, balance_cents FROM customer");
      lost = 0;
      doubled = 0;
      for (Map.Entry<Long, LongAdder> entry : acknowledged.entrySet()) {
        long expected = start.get(entry.getKey()) + entry.getValue().sum();
        for (Map<Long, Long> side : List.of(legacy, target)) {
          long actual = side.getOrDefault(entry.getKey(), 0L);
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

  private Map<Long, Long> balances(String db, String sql) throws Exception {
    Map<Long, Long> balances = new HashMap<>();
    try (Connection connection = postgres.connect(db); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      while (rows.next()) {
        balances.put(rows.getLong(1), rows.getLong(2));
      }
    }
    return balances;
  }

  private void propose(RoutingClient routing, boolean rollback, Command command) throws Exception {
    long version = routing.version();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
        kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(ROUTING_TOPIC, 0, null, ProposalCodec.encode(new Proposal(
          UUID.randomUUID().toString(), version, "tandem-demo", "demo cutover", Instant.now(), rollback, command))))
          .get();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (routing.version() == version) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(command.type() + " was not applied to the routing log");
      }
      Thread.sleep(5);
    }
  }

  private PGSimpleDataSource dataSource(String db) {
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setURL(postgres.jdbcUrl(db));
    source.setUser(postgres.user());
    return source;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
