package io.tandem.sink;

import static io.tandem.sink.Fixtures.rows;
import static io.tandem.sink.Fixtures.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tandem.core.model.MappedEntity;
import io.tandem.core.model.ReverseEntity;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reverse sync's sink: reverse.customer records (from the repository's customer mapping) applied to a
 * legacy table shaped like the demo's, on a real broker and a real PostgreSQL.
 */
class LegacySinkIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Path SCHEMAS = Path.of("../../schemas");
  private static SinkEnvironment env;
  private static ReverseEntity customer;

  @BeforeAll
  static void start() {
    env = SinkEnvironment.start();
    customer = ReverseEntity.of(MappedEntity.loadAll(SCHEMAS.resolve("mappings"), SCHEMAS.resolve("avro")).stream()
        .filter(e -> e.name().equals("customer")).findFirst().orElseThrow());
  }

  @AfterEach
  void stopSinks() {
    env.closeSinks();
  }

  @AfterAll
  static void stop() {
    env.close();
  }

  private static String legacyDatabase(String prefix, String extraColumn) {
    String db = SinkEnvironment.unique(prefix);
    Fixtures.execute(env.pg, "postgres", "CREATE DATABASE " + db);
    Fixtures.execute(env.pg, db, """
        CREATE TABLE customers (
          cust_id       bigint PRIMARY KEY,
          full_nm       varchar(200) NOT NULL,
          email_addr    varchar(320),
          balance       numeric(12,2) NOT NULL DEFAULT 0,
          status_cd     char(1) NOT NULL,
          created_local timestamp NOT NULL,
          updated_at    timestamptz NOT NULL DEFAULT now(),
          legacy_flags  varchar(20)""" + extraColumn + ")");
    return db;
  }

  private String topic() {
    String topic = customer.topic() + "." + SinkEnvironment.unique("t");
    Topics.ensure(KafkaClients.of(env.kafka.bootstrapServers()), TopicSpec.changeLog(topic, 2));
    return topic;
  }

  private JdbcSink.Builder sink(String db, String topic) {
    EntityTable legacy = EntityTable.builder(customer.name(), customer.valueSchema()).topic(topic)
        .table(customer.legacyTable()).keyColumns(customer.mapping().legacyKey())
        .legacy(EntityTable.legacyTable(customer).legacy().orElseThrow()).build();
    return env.sink(db, legacy).migrateLegacy().originMarker("tandem-reverse-it");
  }

  private void send(String topic, long id, String name, String status, long position) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("name", name);
    row.put("balance_cents", 1230L + id);
    row.put("status", status);
    row.put("created_at", "2026-07-01T10:00:00Z");
    row.put("updated_at", "2026-07-01T10:00:00.5Z");
    GenericRecord value = customer.valueRecord(customer.mapping().apply(row));
    env.send(topic, customer.keyRecord(customer.mapping().key(row)), value, position);
  }

  private void delete(String topic, long id, long position) {
    env.send(topic, customer.keyRecord(Map.of("cust_id", id)), null, position);
  }

  @Test
  void newRowsLandInTheLegacyTableIdempotentlyAndOnlyTheMappedColumnsChange() {
    String db = legacyDatabase("legacy_flow", "");
    Fixtures.execute(env.pg, db, "INSERT INTO customers VALUES (2, 'Old', null, 1, 'A', '2020-01-01', now(), 'VIP')");
    String topic = topic();
    JdbcSink sink = env.run(sink(db, topic).build());
    send(topic, 1, "Ada", "ACTIVE", 100);
    send(topic, 2, "Bob", "SUSPENDED", 101);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(rows(env.pg, db,
        "SELECT cust_id, full_nm, balance, status_cd, created_local, updated_at = '2026-07-01T10:00:00.5Z',"
            + " coalesce(legacy_flags, '-') FROM customers ORDER BY cust_id")).containsExactly(
        List.of("1", "Ada", "12.31", "A", "2026-07-01 12:00:00", "t", "-"),
        List.of("2", "Bob", "12.32", "S", "2026-07-01 12:00:00", "t", "VIP")));

    // A replay of an older change, a delete, and a replay older than the delete: the delete stands.
    send(topic, 1, "Ada (replayed)", "ACTIVE", 99);
    delete(topic, 2, 102);
    send(topic, 2, "Bob (replayed)", "ACTIVE", 101);
    send(topic, 3, "Cy", "CLOSED", 103);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(rows(env.pg, db,
        "SELECT cust_id, full_nm FROM customers ORDER BY cust_id"))
        .containsExactly(List.of("1", "Ada"), List.of("3", "Cy")));
    assertThat(rows(env.pg, db, "SELECT key_json, position, deleted FROM tandem_applied_positions ORDER BY key_json"))
        .containsExactly(List.of("{\"cust_id\":1}", "100", "f"), List.of("{\"cust_id\":2}", "102", "t"),
            List.of("{\"cust_id\":3}", "103", "f"));
    assertThat(Long.parseLong(scalar(env.pg, db,
        "SELECT transactions FROM tandem_origin WHERE writer = 'tandem-reverse-it'"))).isPositive();
    assertThat(sink.stats().entity("customer").count("stale")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void aLegacyRowTheFilterKeepsOutOfTheNewModelIsNeverChanged() {
    String db = legacyDatabase("legacy_protect", "");
    Fixtures.execute(env.pg, db, "INSERT INTO customers VALUES (5, 'Test account', null, 0, 'X', '2020-01-01', now())");
    String topic = topic();
    env.run(sink(db, topic).build());
    send(topic, 5, "Taken over?", "ACTIVE", 200);
    delete(topic, 5, 201);
    send(topic, 6, "Dee", "ACTIVE", 202);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(scalar(env.pg, db, "SELECT count(*) FROM customers"))
        .isEqualTo("2"));
    assertThat(rows(env.pg, db, "SELECT full_nm, status_cd FROM customers WHERE cust_id = 5"))
        .containsExactly(List.of("Test account", "X"));
  }

  @Test
  void aNotNullColumnReverseSyncDoesNotSetIsRefusedNamingTheMappingFile() {
    String db = legacyDatabase("legacy_notnull", ", region text NOT NULL");
    JdbcSink sink = sink(db, topic()).build();
    assertThatThrownBy(() -> {
      sink.start();
      await().atMost(WAIT).until(() -> sink.state().isTerminal());
      throw sink.failure().orElseThrow();
    }).hasMessageContaining("reverse.columns.region").hasMessageContaining("customer.yaml");
  }

  @Test
  void aLegacyPrimaryKeyOtherThanTheDerivedOneIsRefused() {
    String db = legacyDatabase("legacy_pk", "");
    Fixtures.execute(env.pg, db, "ALTER TABLE customers DROP CONSTRAINT customers_pkey;"
        + " ALTER TABLE customers ADD PRIMARY KEY (full_nm)");
    JdbcSink sink = sink(db, topic()).build();
    assertThatThrownBy(() -> {
      sink.start();
      await().atMost(WAIT).until(() -> sink.state().isTerminal());
      throw sink.failure().orElseThrow();
    }).hasMessageContaining("reverse.key").hasMessageContaining("[full_nm]");
  }
}
