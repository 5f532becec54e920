package io.tandem.sink;

import io.tandem.core.lifecycle.State;
import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import static io.tandem.sink.Fixtures.customer;
import static io.tandem.sink.Fixtures.rows;
import static io.tandem.sink.Fixtures.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the sink does when records, the database or the sink itself fail. */
class JdbcSinkFailureIT {
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
  void rowsTheDatabaseRefusesGoToTheDeadLetterTopicAndLaterRowsStillArrive() {
    String db = Fixtures.migratedDatabase(env.pg, "dlq");
    String topic = env.customerTopic();
    Topics.ensure(KafkaClients.of(env.kafka.bootstrapServers()), TopicSpec.changeLog(JdbcSink.DEAD_LETTER_TOPIC, 1));
    JdbcSink sink = env.run(env.sink(db, topic).dlqTopic(JdbcSink.DEAD_LETTER_TOPIC).build());

    GenericRecord tooLongEmail = new GenericRecordBuilder((GenericData.Record) customer(3, "Cy"))
        .set("email", "c".repeat(41)).build();
    env.send(topic, 1, customer(1, "Ada"), 1);
    env.send(topic, 2, customer(2, ""), 2);             // check constraint customer_name_not_blank
    env.send(topic, 3, tooLongEmail, 3);                // varchar(40)
    env.send(topic, 4, customer(4, "Dee"), 4);
    env.send(topic, 6, customer(6, "valid"), 6);        // same key: the valid change stays,
    env.send(topic, 6, customer(6, ""), 7);             // the refused newer one is dead-lettered
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().records()).isEqualTo(6));
    env.send(topic, 5, customer(5, "Eve"), 5);
    env.flush();

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(rows(env.pg, db, "select id, name from sink_it.customer order by id")).containsExactly(
            List.of("1", "Ada"), List.of("4", "Dee"), List.of("5", "Eve"), List.of("6", "valid")));
    SinkStats stats = sink.stats();
    assertThat(stats.dlqCount()).isEqualTo(3);
    assertThat(stats.entity("customer").rejected()).isEqualTo(3);

    List<ConsumerRecord<byte[], byte[]>> dead = env.readAll(JdbcSink.DEAD_LETTER_TOPIC, 3);
    assertThat(dead).hasSize(3);
    Map<Long, ConsumerRecord<byte[], byte[]>> byPosition = new TreeMap<>();
    dead.forEach(r -> byPosition.put(ChangeHeaders.longValue(r.headers(), ChangeHeaders.POSITION), r));
    assertThat(byPosition).containsOnlyKeys(2L, 3L, 7L);
    assertThat(text(byPosition.get(2L), DeadLetter.REASON)).contains("SQLState 23514", "customer_name_not_blank");
    assertThat(text(byPosition.get(3L), DeadLetter.REASON)).contains("SQLState 22001", "too long");
    assertThat(text(byPosition.get(7L), DeadLetter.REASON)).contains("SQLState 23514");

    ConsumerRecord<byte[], byte[]> letter = byPosition.get(2L);
    assertThat(text(letter, DeadLetter.STAGE)).isEqualTo("sink");
    assertThat(text(letter, DeadLetter.EXCEPTION)).isEqualTo("org.postgresql.util.PSQLException");
    assertThat(text(letter, DeadLetter.SOURCE_TOPIC)).isEqualTo(topic);
    assertThat(text(letter, ChangeHeaders.OP)).isEqualTo("u");
    assertThat(text(letter, ChangeHeaders.SOURCE)).isEqualTo("legacy.public.customers");
    // The original bytes, unchanged: the record at the named source offset is byte-for-byte the same.
    int partition = Integer.parseInt(text(letter, DeadLetter.SOURCE_PARTITION));
    long offset = Long.parseLong(text(letter, DeadLetter.SOURCE_OFFSET));
    ConsumerRecord<byte[], byte[]> original = env.readAll(topic, 7).stream()
        .filter(r -> r.partition() == partition && r.offset() == offset).findFirst().orElseThrow();
    assertThat(letter.key()).isEqualTo(original.key());
    assertThat(letter.value()).isEqualTo(original.value());
    Object decoded = new AvroDeserializer(AvroSerdeConfig.withClient(env.client)).deserialize(topic, letter.value());
    assertThat(decoded.toString()).isEqualTo(customer(2, "").toString());
  }

  @Test
  void recordsThatCannotBeDecodedGoToTheDeadLetterTopicWithTheirReason() {
    String db = Fixtures.migratedDatabase(env.pg, "undecodable");
    String topic = env.customerTopic();
    String dlq = SinkEnvironment.unique("tandem.dlq.sink");
    JdbcSink sink = env.run(env.sink(db, topic).dlqTopic(dlq).build());

    RecordHeaders withPosition = new RecordHeaders();
    withPosition.add(ChangeHeaders.POSITION, ChangeHeaders.longBytes(11));
    env.sendRaw(topic, env.keyBytes(topic, 1), "not avro".getBytes(StandardCharsets.UTF_8), withPosition);
    env.send(topic, 2, customer(2, "ok"), 12);
    env.flush();
    env.sendRaw(topic, env.keyBytes(topic, 3), null, new RecordHeaders()); // a delete without a position
    env.send(topic, 4, customer(4, "also ok"), 14);
    env.flush();

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(rows(env.pg, db, "select id from sink_it.customer order by id"))
            .containsExactly(List.of("2"), List.of("4")));
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().dlqCount()).isEqualTo(2));
    List<ConsumerRecord<byte[], byte[]>> dead = env.readAll(dlq, 2);
    assertThat(dead).hasSize(2);
    ConsumerRecord<byte[], byte[]> notAvro = dead.stream().filter(r -> r.value() != null).findFirst().orElseThrow();
    assertThat(text(notAvro, DeadLetter.REASON)).startsWith("cannot decode record");
    assertThat(ChangeHeaders.longValue(notAvro.headers(), ChangeHeaders.POSITION)).isEqualTo(11);
    assertThat(new String(notAvro.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
    ConsumerRecord<byte[], byte[]> noPosition = dead.stream().filter(r -> r.value() == null).findFirst().orElseThrow();
    assertThat(text(noPosition, DeadLetter.REASON)).contains("missing header tandem.position");
    assertThat(noPosition.headers().lastHeader(ChangeHeaders.POSITION)).isNull();
  }

  @Test
  void aSinkKilledBetweenDatabaseCommitAndOffsetCommitIsReplayedWithoutDoubling() {
    String db = Fixtures.migratedDatabase(env.pg, "crash");
    String topic = env.customerTopic();
    String group = SinkEnvironment.unique("crash");
    AtomicInteger commits = new AtomicInteger();
    JdbcSink first = env.run(env.sink(db, topic).groupId(group).maxPollRecords(40)
        .afterDatabaseCommit(() -> {
          if (commits.incrementAndGet() == 3) {
            throw new IllegalStateException("simulated crash after the database commit");
          }
        }).build());

    // 300 changes to 30 keys, every seventh a delete; the expected end state is the last change per key.
    Map<Long, String> expected = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      long id = i % 30;
      if (i % 7 == 0) {
        env.send(topic, id, null, i + 1);
        expected.remove(id);
      } else {
        env.send(topic, id, customer(id, "v" + i), i + 1);
        expected.put(id, "v" + i);
      }
    }
    env.flush();
    await().atMost(WAIT).until(() -> first.state() == State.FAILED);
    assertThat(first.failure()).get().extracting(Throwable::getMessage).asString().contains("simulated crash");
    String auditAfterCrash = scalar(env.pg, db, "select count(*) from sink_it.customer_audit");
    assertThat(Integer.parseInt(auditAfterCrash)).isPositive();

    JdbcSink second = env.run(env.sink(db, topic).groupId(group).maxPollRecords(40).build());
    List<List<String>> expectedRows = new ArrayList<>();
    expected.forEach((id, name) -> expectedRows.add(List.of(Long.toString(id), name)));
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(rows(env.pg, db, "select id, name from sink_it.customer order by id")).isEqualTo(expectedRows));

    // The first sink committed three batches to the database but only two to Kafka; the second
    // sink took over at the second offset commit, so it read the third batch again...
    assertThat(commits.get()).isEqualTo(3);
    assertThat(first.stats().batches()).isEqualTo(2);
    await().atMost(WAIT).untilAsserted(() ->
        assertThat(first.stats().records() + second.stats().records()).isEqualTo(300));
    // ...and wrote none of it twice: no row version appears twice in the audit trail.
    assertThat(scalar(env.pg, db, """
        select count(*) from (select id, position, op from sink_it.customer_audit where op <> 'DELETE'
                              group by id, position, op having count(*) > 1) doubled""")).isEqualTo("0");
  }

  @Test
  void aDatabaseOutageIsRetriedAndNeverDeadLettered() throws Exception {
    String db = Fixtures.migratedDatabase(env.pg, "outage");
    String topic = env.customerTopic();
    // A statement timeout makes a locked table look like a database that does not answer.
    JdbcSink sink = env.run(env.sink(db, topic)
        .jdbc(env.pg.jdbcUrl(db) + "?options=-c%20statement_timeout%3D300", env.pg.user(), "")
        .retry(new RetryPolicy(100, Duration.ofMillis(50), Duration.ofMillis(200)))
        .build());
    env.send(topic, 1, customer(1, "before"), 1);
    env.flush();
    await().atMost(WAIT).untilAsserted(() -> assertThat(sink.stats().records()).isEqualTo(1));

    try (Connection blocker = env.pg.connect(db); Statement statement = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      statement.execute("lock table sink_it.customer in access exclusive mode");
      env.send(topic, 2, customer(2, "during"), 2);
      env.flush();
      await().atMost(WAIT).until(() -> sink.stats().retries() >= 2);
      blocker.rollback();
    }

    await().atMost(WAIT).untilAsserted(() ->
        assertThat(rows(env.pg, db, "select id, name from sink_it.customer order by id"))
            .containsExactly(List.of("1", "before"), List.of("2", "during")));
    assertThat(sink.stats().dlqCount()).isZero();
    assertThat(sink.state()).isEqualTo(State.RUNNING);
  }

  private static String text(ConsumerRecord<byte[], byte[]> record, String header) {
    Header h = record.headers().lastHeader(header);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
