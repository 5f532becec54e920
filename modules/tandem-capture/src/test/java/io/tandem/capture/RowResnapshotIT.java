package io.tandem.capture;

import io.tandem.core.lifecycle.State;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-emitting chosen rows through Debezium's incremental snapshot against real PostgreSQL 17, Debezium and
 * Kafka: which rows come again, with which positions, and what the signal table's own changes become.
 */
class RowResnapshotIT {
  private static final String SIGNAL = RowResnapshot.DEFAULT_SIGNAL_TABLE;
  private static final String CUSTOMERS = "CREATE TABLE customers (id bigint PRIMARY KEY, name text, balance numeric(12,2))";

  private static CaptureHarness harness;

  @BeforeAll
  static void start() {
    harness = new CaptureHarness();
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void chosenRowsComeAgainAsReadsWithNewerPositionsBetweenStreamedChanges() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("resnap", "public.customers,public.order_lines")) {
      legacy.sql(CUSTOMERS, "ALTER TABLE customers REPLICA IDENTITY FULL",
          "CREATE TABLE order_lines (order_no bigint, code text, qty int, PRIMARY KEY (order_no, code))",
          "ALTER TABLE order_lines REPLICA IDENTITY FULL",
          RowResnapshot.createTableSql(SIGNAL),
          "INSERT INTO customers SELECT g, 'c' || g, g FROM generate_series(1, 6) g",
          "INSERT INTO order_lines VALUES (1, 'a''b', 1), (1, 'x\\y', 2), (2, 'a''b', 3)");
      String topic = legacy.topic("customers");

      try (CaptureEngine engine = legacy.start();
          KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic);
          KafkaConsumer<Object, Object> lines = harness.avroConsumer(legacy.topic("order_lines"))) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureHarness.take(consumer, seen, 6);
        legacy.sql("UPDATE customers SET name = 'streamed before' WHERE id = 2");
        CaptureHarness.take(consumer, seen, 7);
        legacy.sql("UPDATE customers SET balance = 99.50 WHERE id = 4"); // the read must carry it

        List<String> ids;
        try (Connection connection = harness.postgres.connect(legacy.db)) {
          // Two keys per signal: the three keys take two signals, read one after the other.
          ids = RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"),
              List.of(List.of(2L), List.of(4L), List.of(5L), List.of(4L)), 2);
        }
        assertThat(ids).hasSize(2).allSatisfy(id -> assertThat(id).startsWith("tandem-rs-").hasSize(42));
        until(consumer, seen, records -> reads(records, true).size() == 3);
        legacy.sql("UPDATE customers SET name = 'streamed after' WHERE id = 4");
        until(consumer, seen, records -> records.stream().anyMatch(r -> id(r) == 4 && op(r).equals("u")
            && "streamed after".equals(text(after(r), "name"))));

        List<ConsumerRecord<Object, Object>> again = reads(seen, true);
        assertThat(again).extracting(RowResnapshotIT::id).containsExactlyInAnyOrder(2L, 4L, 5L);
        for (ConsumerRecord<Object, Object> read : again) {
          GenericRecord value = (GenericRecord) read.value();
          assertThat(value.get("snapshot")).isEqualTo(true);
          assertThat(value.get("before")).isNull();
          assertThat(value.get("tx_id")).isNull();
        }
        assertThat(text(after(only(again, 2)), "name")).isEqualTo("streamed before");
        assertThat(text(after(only(again, 4)), "balance")).isEqualTo("99.50");

        // Per key, in topic order: positions strictly increase, so the sink applies each one in turn.
        assertThat(history(seen, 2)).containsExactly("r", "u", "r");
        assertThat(history(seen, 4)).containsExactly("r", "u", "r", "u");
        assertThat(history(seen, 5)).containsExactly("r", "r");
        for (long id : List.of(1L, 2L, 3L, 4L, 5L, 6L)) {
          List<Long> positions = seen.stream().filter(r -> id(r) == id).map(RowResnapshotIT::position).toList();
          assertThat(positions).as("positions of key %d", id).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        }
        // Both signals were read after the last streamed change before them, and before the one after them.
        long lastStreamedBefore = position(seen.stream().filter(r -> id(r) == 4 && op(r).equals("u")).findFirst().get());
        assertThat(again).allSatisfy(r -> assertThat(position(r)).isGreaterThan(lastStreamedBefore));

        // Composite keys with quotes and backslashes are valid SQL to PostgreSQL and pick exactly their rows.
        List<ConsumerRecord<Object, Object>> lineRecords = new ArrayList<>();
        CaptureHarness.take(lines, lineRecords, 3);
        try (Connection connection = harness.postgres.connect(legacy.db)) {
          RowResnapshot.request(connection, SIGNAL, "public.order_lines", List.of("order_no", "code"),
              List.of(List.of(1L, "a'b"), List.of(1L, "x\\y")));
        }
        CaptureHarness.take(lines, lineRecords, 5);
        assertThat(reads(lineRecords, true)).extracting(r -> ((GenericRecord) r.key()).get("order_no") + "/"
            + ((GenericRecord) r.key()).get("code")).containsExactlyInAnyOrder("1/a'b", "1/x\\y");

        // The signal table's changes (signals, watermarks) are consumed by Debezium, never produced.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          CaptureStats stats = engine.stats();
          assertThat(stats.resnapshotted()).isEqualTo(5);
          assertThat(stats.eventsByTable()).containsOnlyKeys("public.customers", "public.order_lines");
          assertThat(stats.skipped()).isGreaterThanOrEqualTo(3 * 3); // per signal: itself, window open, window close
          assertThat(stats.deadLettered()).isZero();
        });
        assertThat(topics()).doesNotContain(legacy.topic("tandem_signal"));
        assertThat(engine.snapshotProgress()).containsOnlyKeys("public.customers", "public.order_lines");
        assertThat(engine.snapshotProgress().get("public.customers").done()).as("initial snapshot rows only").isEqualTo(6);
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  @Test
  void aRowAnUnfinishedTransactionIsChangingIsNotReadAgain() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("resnap_lock", "public.customers")) {
      legacy.sql(CUSTOMERS, "ALTER TABLE customers REPLICA IDENTITY FULL", RowResnapshot.createTableSql(SIGNAL),
          "INSERT INTO customers SELECT g, 'c' || g, g FROM generate_series(1, 3) g");
      try (CaptureEngine engine = legacy.start();
          KafkaConsumer<Object, Object> consumer = harness.avroConsumer(legacy.topic("customers"));
          Connection straddler = harness.postgres.connect(legacy.db)) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureHarness.take(consumer, seen, 3);
        straddler.setAutoCommit(false);
        try (Statement statement = straddler.createStatement()) {
          statement.execute("UPDATE customers SET name = 'committed after the read' WHERE id = 3");
        }

        try (Connection connection = harness.postgres.connect(legacy.db)) {
          RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"), List.of(List.of(2L), List.of(3L)));
        }
        until(consumer, seen, records -> reads(records, true).size() == 1);
        awaitWindowsClosed(legacy);
        straddler.commit();
        until(consumer, seen, records -> records.stream().anyMatch(r -> id(r) == 3 && op(r).equals("u")));

        assertThat(reads(seen, true)).extracting(RowResnapshotIT::id).containsExactly(2L);
        // The pending change carries the whole row and is newer than anything stored for key 3.
        assertThat(history(seen, 3)).containsExactly("r", "u");
        List<Long> positions = seen.stream().filter(r -> id(r) == 3).map(RowResnapshotIT::position).toList();
        assertThat(positions.get(1)).isGreaterThan(positions.get(0));
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  /**
   * Why the engine's chunk query must lock the rows: read without a lock, a row whose change was written
   * before the snapshot window but committed after it comes with the window's position, higher than the
   * LSN of that later change, so a sink keeping the highest position would drop the change.
   */
  @Test
  void withoutTheLockAReadOutranksAChangeCommittedAfterIt() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("resnap_nolock", "public.customers")) {
      legacy.sql(CUSTOMERS, "ALTER TABLE customers REPLICA IDENTITY FULL", RowResnapshot.createTableSql(SIGNAL),
          "INSERT INTO customers SELECT g, 'c' || g, g FROM generate_series(1, 3) g");
      try (CaptureEngine engine = legacy.start();
          KafkaConsumer<Object, Object> consumer = harness.avroConsumer(legacy.topic("customers"));
          Connection straddler = harness.postgres.connect(legacy.db)) {
        List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
        CaptureHarness.take(consumer, seen, 3);
        straddler.setAutoCommit(false);
        try (Statement statement = straddler.createStatement()) {
          statement.execute("UPDATE customers SET name = 'committed after the read' WHERE id = 3");
        }
        legacy.sql("INSERT INTO tandem_signal VALUES ('raw-1', 'execute-snapshot', '{\"data-collections\":"
            + "[\"public.customers\"],\"type\":\"incremental\",\"additional-conditions\":[{\"data-collection\":"
            + "\"public.customers\",\"filter\":\"id = 3\"}]}')");
        until(consumer, seen, records -> reads(records, true).size() == 1);
        awaitWindowsClosed(legacy);
        straddler.commit();
        until(consumer, seen, records -> records.stream().anyMatch(r -> id(r) == 3 && op(r).equals("u")));

        assertThat(history(seen, 3)).containsExactly("r", "r", "u");
        ConsumerRecord<Object, Object> read = reads(seen, true).get(0);
        ConsumerRecord<Object, Object> update = seen.stream().filter(r -> op(r).equals("u")).findFirst().get();
        assertThat(text(after(read), "name")).isEqualTo("c3");
        assertThat(position(update)).as("the later change's LSN").isLessThan(position(read));
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    }
  }

  @Test
  void requestsThatCannotWorkFailBeforeAnythingIsSent() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("resnap_bad", "public.customers")) {
      legacy.sql(CUSTOMERS);
      try (Connection connection = harness.postgres.connect(legacy.db)) {
        assertThatThrownBy(() -> RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"),
            List.of(List.of(1L))))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("does not exist in database " + legacy.db)
            .hasMessageContaining("CREATE TABLE IF NOT EXISTS \"public\".\"tandem_signal\"");

        legacy.sql(RowResnapshot.createTableSql(SIGNAL));
        assertThatThrownBy(() -> RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"),
            List.of(List.of(1L))))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("in no publication");

        legacy.sql("CREATE PUBLICATION pub_" + legacy.db + " FOR TABLE customers, tandem_signal");
        assertThatThrownBy(() -> RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("nope"),
            List.of(List.of(1L))))
            .isInstanceOf(SQLException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("name"),
            List.of(List.of(1L))))
            .isInstanceOf(SQLException.class).hasMessageContaining("operator does not exist");
        assertThat(count(connection)).as("nothing inserted").isZero();

        assertThat(RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"), List.of())).isEmpty();
        List<String> ids = RowResnapshot.request(connection, SIGNAL, "public.customers", List.of("id"),
            List.of(List.of(1L), List.of("2")));
        assertThat(ids).hasSize(1);
        assertThat(connection.getAutoCommit()).isTrue();
        assertThat(count(connection)).isEqualTo(1);
      }
    }
  }

  private static long count(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT count(*) FROM tandem_signal")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  // With insert_delete watermarks, Debezium deletes a window's open marker when it closes the window.
  private static void awaitWindowsClosed(CaptureHarness.Legacy legacy) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      try (Connection connection = harness.postgres.connect(legacy.db); Statement statement = connection.createStatement();
          var rows = statement.executeQuery("SELECT count(*) FROM tandem_signal WHERE type = 'snapshot-window-open'")) {
        rows.next();
        return rows.getLong(1) == 0;
      }
    });
  }

  private static java.util.Set<String> topics() throws Exception {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, harness.kafka.bootstrapServers());
    try (Admin admin = Admin.create(props)) {
      return admin.listTopics().names().get();
    }
  }

  private static void until(KafkaConsumer<Object, Object> consumer, List<ConsumerRecord<Object, Object>> into,
      Predicate<List<ConsumerRecord<Object, Object>>> done) {
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
        return done.test(into);
      });
    } catch (RuntimeException e) {
      into.forEach(r -> System.out.println("received so far: " + r.key() + " " + r.value()));
      throw e;
    }
  }

  /** Reads requested after the initial snapshot ({@code incremental}) or the initial snapshot's own. */
  private static List<ConsumerRecord<Object, Object>> reads(List<ConsumerRecord<Object, Object>> records, boolean again) {
    List<ConsumerRecord<Object, Object>> initial = new ArrayList<>();
    List<ConsumerRecord<Object, Object>> later = new ArrayList<>();
    Map<Object, Boolean> readBefore = new java.util.HashMap<>();
    for (ConsumerRecord<Object, Object> record : records) {
      if (op(record).equals("r")) {
        (readBefore.put(record.key(), true) == null ? initial : later).add(record);
      }
    }
    return again ? later : initial;
  }

  private static ConsumerRecord<Object, Object> only(List<ConsumerRecord<Object, Object>> records, long id) {
    return records.stream().filter(r -> id(r) == id).reduce((a, b) -> {
      throw new AssertionError("two records for key " + id);
    }).orElseThrow();
  }

  private static List<String> history(List<ConsumerRecord<Object, Object>> records, long id) {
    return records.stream().filter(r -> id(r) == id).map(RowResnapshotIT::op).toList();
  }

  private static long id(ConsumerRecord<Object, Object> record) {
    return (Long) ((GenericRecord) record.key()).get(((GenericRecord) record.key()).getSchema().getFields().get(0).name());
  }

  private static String op(ConsumerRecord<Object, Object> record) {
    return text((GenericRecord) record.value(), "op");
  }

  private static long position(ConsumerRecord<Object, Object> record) {
    return (Long) ((GenericRecord) record.value()).get("position");
  }

  private static GenericRecord after(ConsumerRecord<Object, Object> record) {
    return (GenericRecord) ((GenericRecord) record.value()).get("after");
  }

  private static String text(GenericRecord record, String field) {
    Object value = record.get(field);
    return value == null ? null : value.toString();
  }
}
