package io.tandem.sink;

import io.tandem.core.lifecycle.State;
import static io.tandem.sink.Fixtures.customer;
import static io.tandem.sink.Fixtures.rows;
import static io.tandem.sink.Fixtures.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sink end to end: Avro records with position headers on a real broker into a real PostgreSQL. */
class JdbcSinkIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static SinkEnvironment env;

  @BeforeAll
  static void start() {
    env = SinkEnvironment.start();
  }

  @AfterEach
  void stopSinks() {
    env.closeSinks();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  @Test
  void tombstonesOutlivingTheirRetentionArePrunedAndTheOthersStillRejectOldChanges() {
    String db = Fixtures.migratedDatabase(env.pg, "prune");
    String topic = env.customerTopic();
    JdbcSink sink = env.run(env.sink(db, topic).tombstoneRetention(Duration.ofHours(1))
        .tombstonePruneEvery(Duration.ofMillis(200)).build());
    env.send(topic, 1, customer(1, "Ada"), 100);
    env.send(topic, 2, customer(2, "Bob"), 101);
    env.send(topic, 1, null, 102);
    env.send(topic, 2, null, 103);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scalar(env.pg, db,
        "select count(*) from tandem_sink_tombstones")).isEqualTo("2"));

    // Key 1's delete is older than the retention; key 2's is not.
    Fixtures.execute(env.pg, db, "update tandem_sink_tombstones set raised_at = now() - interval '2 hours'"
        + " where key_json = '{\"id\":1}'");
    await().atMost(WAIT).untilAsserted(() -> assertThat(rows(env.pg, db,
        "select key_json, position from tandem_sink_tombstones")).containsExactly(List.of("{\"id\":2}", "103")));
    assertThat(sink.stats().tombstonesPruned()).isEqualTo(1);

    // The kept tombstone still rejects a replayed older change; a newer one brings the key back.
    env.send(topic, 2, customer(2, "Bob (replayed)"), 101);
    env.send(topic, 3, customer(3, "Cy"), 104);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(rows(env.pg, db, "select id from sink_it.customer"))
        .containsExactly(List.of("3")));
  }

  @Test
  void theWriteBudgetHoldsTheSinkToItsRateAndShowsInItsMeters() {
    String db = Fixtures.migratedDatabase(env.pg, "budget");
    String topic = env.customerTopic();
    var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    JdbcSink sink = env.sink(db, topic).maxRowsPerSecond(200).maxPollRecords(50).build();
    sink.bindTo(meters);
    for (int id = 1; id <= 800; id++) {
      env.send(topic, id, customer(id, "C" + id), 100 + id);
    }
    env.flush();
    long start = System.nanoTime();
    env.run(sink);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(scalar(env.pg, db, "select count(*) from sink_it.customer")).isEqualTo("800"));
    double seconds = (System.nanoTime() - start) / 1e9;

    // 800 rows at 200/s, one second's worth free: at least 3 s; unthrottled this takes well under 1 s.
    assertThat(seconds).isGreaterThan(2.9);
    assertThat(meters.get("tandem.sink.throttle.seconds").functionCounter().count()).isGreaterThan(2.0);
    assertThat(meters.get("tandem.sink.write.budget.rows.per.second").gauge().value()).isEqualTo(200.0);
  }

  @Test
  void insertsUpdatesAndDeletesReachTheDatabase() {
    String db = Fixtures.migratedDatabase(env.pg, "flow");
    String topic = env.customerTopic();
    JdbcSink sink = env.run(env.sink(db, topic).build());

    env.send(topic, 1, customer(1, "Ada"), 100);
    env.send(topic, 2, customer(2, "Bob"), 101);
    env.flush();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(scalar(env.pg, db, "select count(*) from sink_it.customer")).isEqualTo("2"));

    env.send(topic, 1, customer(1, "Ada L."), 102);
    env.send(topic, 2, null, 103);
    env.flush();
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(rows(env.pg, db, "select id, name, _tandem_position from sink_it.customer"))
            .containsExactly(List.of("1", "Ada L.", "102")));

    assertThat(rows(env.pg, db, """
        select email, tier, balance, active, created_at = to_timestamp(1700000000), birthday = date '1970-01-01' + 19000,
               _tandem_commit_ts is not null
        from sink_it.customer""")).containsExactly(List.of("ada l.@example.com", "GOLD", "1234.50", "t", "t", "t", "t"));
    assertThat(rows(env.pg, db, "select entity, key_json, position from tandem_sink_tombstones"))
        .containsExactly(List.of("customer", "{\"id\":2}", "103"));
    assertThat(rows(env.pg, db, "select op, id, position from sink_it.customer_audit order by seq")).containsExactly(
        List.of("INSERT", "1", "100"), List.of("INSERT", "2", "101"), List.of("UPDATE", "1", "102"),
        List.of("DELETE", "2", "101"));

    SinkStats stats = sink.stats();
    assertThat(stats.entity("customer")).isEqualTo(new SinkStats.EntityStats(3, 1, 0, 0, 0));
    assertThat(stats.records()).isEqualTo(4);
    assertThat(stats.dlqCount()).isZero();
    assertThat(stats.lastCommit()).isNotNull();
    assertThat(stats.lagSamples()).hasSize(4).allSatisfy(lag -> assertThat(lag).isLessThan(WAIT));
    assertThat(stats.lagPercentile(95)).isPresent();

    sink.close();
    assertThat(sink.state()).isEqualTo(State.STOPPED);
  }

  @Test
  void aThousandUpdatesToTenKeysOverManyPollsEndAtTheLastValuePerKey() {
    String db = Fixtures.migratedDatabase(env.pg, "order");
    String topic = env.customerTopic();
    JdbcSink sink = env.run(env.sink(db, topic).maxPollRecords(37).build());

    for (int i = 0; i < 1000; i++) {
      env.send(topic, i % 10, customer(i % 10, "v" + i), i + 1);
    }
    env.flush();

    List<List<String>> expected = new ArrayList<>();
    for (int key = 0; key < 10; key++) {
      expected.add(List.of(Integer.toString(key), "v" + (990 + key), Integer.toString(991 + key)));
    }
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().records()).isEqualTo(1000));
    assertThat(rows(env.pg, db, "select id, name, _tandem_position from sink_it.customer order by id"))
        .isEqualTo(expected);
    SinkStats stats = sink.stats();
    assertThat(stats.batches()).isGreaterThanOrEqualTo(1000 / 37);
    SinkStats.EntityStats customer = stats.entity("customer");
    // Every change is accounted for: written, or dropped for a newer change in the same poll.
    assertThat(customer.upserted() + customer.superseded()).isEqualTo(1000);
    assertThat(customer.skippedStale()).isZero();
    // Per key, the rows written went strictly forward: order per key held across polls.
    assertThat(scalar(env.pg, db, """
        select count(*) from (select position < lag(position) over (partition by id order by seq) as backwards
                              from sink_it.customer_audit) a where backwards""")).isEqualTo("0");
  }

  @Test
  void replayedOlderChangesNeitherOverwriteNorResurrect() {
    String db = Fixtures.migratedDatabase(env.pg, "replay");
    String topic = env.customerTopic();
    JdbcSink sink = env.run(env.sink(db, topic).build());

    env.send(topic, 1, customer(1, "current"), 20);
    env.send(topic, 2, customer(2, "doomed"), 10);
    env.send(topic, 2, null, 30);
    env.send(topic, 3, customer(3, "kept"), 40);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().records()).isEqualTo(4));
    List<List<String>> before = rows(env.pg, db, "select id, name, _tandem_position from sink_it.customer order by id");
    assertThat(before).containsExactly(List.of("1", "current", "20"), List.of("3", "kept", "40"));
    String auditBefore = scalar(env.pg, db, "select count(*) from sink_it.customer_audit");
    SinkStats.EntityStats statsBefore = sink.stats().entity("customer");

    // A replay of the topic's past, in a later poll: older upserts, a same-position duplicate,
    // an upsert from before the delete, and a delete older than the current row.
    env.send(topic, 1, customer(1, "stale"), 15);
    env.send(topic, 1, customer(1, "duplicate"), 20);
    env.send(topic, 2, customer(2, "zombie"), 25);
    env.send(topic, 3, null, 35);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().records()).isEqualTo(8));

    assertThat(rows(env.pg, db, "select id, name, _tandem_position from sink_it.customer order by id")).isEqualTo(before);
    assertThat(scalar(env.pg, db, "select count(*) from sink_it.customer_audit")).isEqualTo(auditBefore);
    // 15 and 20 for key 1 share a poll: 15 gives way to 20 there, and 20 is stale in the database.
    SinkStats.EntityStats stats = sink.stats().entity("customer");
    assertThat(stats.skippedStale() + stats.superseded() - statsBefore.skippedStale() - statsBefore.superseded())
        .isEqualTo(4);
    assertThat(stats.upserted()).isEqualTo(statsBefore.upserted());
    assertThat(stats.deleted()).isEqualTo(statsBefore.deleted());
  }
}
