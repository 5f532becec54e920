package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transaction that starts while the replication slot is being created and commits after the slot became
 * consistent is decoded in full, so its changes are streamed, yet they were written at LSNs below the slot's
 * consistent point, which is where the snapshot is taken. The snapshot must not outrank them.
 */
class SnapshotPositionIT {
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
  void aChangeInFlightWhileTheSlotBecomesConsistentOutranksTheSnapshotRow() throws Exception {
    try (CaptureHarness.Legacy legacy = harness.new Legacy("inflight", "public.accounts")) {
      legacy.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, balance int NOT NULL)",
          "ALTER TABLE accounts REPLICA IDENTITY FULL",
          "INSERT INTO accounts VALUES (1, 0)",
          "CREATE TABLE noise (id serial PRIMARY KEY)");
      String topic = legacy.topic("accounts");

      try (Connection t0 = legacy.connect(); Connection t1 = legacy.connect(); Connection t2 = legacy.connect();
          Connection observer = legacy.connect()) {
        // T0 is running when the slot starts building its snapshot: creation waits for it.
        String t0Xid = beginWithXid(t0);
        try (CaptureEngine engine = legacy.start();
            KafkaConsumer<Object, Object> consumer = harness.avroConsumer(topic)) {
          awaitWalSenderWaitingFor(observer, t0Xid);
          // T1 starts before T0 ends, so the running-transactions record logged when T0 ends lists it:
          // the slot then has a full snapshot but is not consistent until T1 ends.
          String t1Xid = beginWithXid(t1);
          t0.commit();
          awaitWalSenderWaitingFor(observer, t1Xid);
          // T2 starts now: it will be decoded in full. It changes the row, then T1 ends and the slot becomes
          // consistent with T2 still running, so the snapshot does not see T2's change.
          beginWithXid(t2);
          try (Statement statement = t2.createStatement()) {
            statement.executeUpdate("UPDATE accounts SET balance = 100 WHERE id = 1");
          }
          long t2ChangeBelow = lsn(t2, "SELECT pg_current_wal_insert_lsn()");
          t1.commit();

          List<ConsumerRecord<Object, Object>> seen = new ArrayList<>();
          CaptureHarness.take(consumer, seen, 1);
          GenericRecord snapshotRow = (GenericRecord) seen.get(0).value();
          assertThat(snapshotRow.get("op").toString()).isEqualTo("r");
          assertThat(((GenericRecord) snapshotRow.get("after")).get("balance")).isEqualTo(0);
          long consistentPoint = lsn(observer, "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = '"
              + legacy.slot + "'");
          assertThat(t2ChangeBelow).as("the scenario: T2's change lies below the slot's consistent point")
              .isLessThan(consistentPoint);

          t2.commit();
          CaptureHarness.take(consumer, seen, 2);
          GenericRecord update = (GenericRecord) seen.get(1).value();
          assertThat(update.get("op").toString()).isEqualTo("u");
          assertThat(((GenericRecord) update.get("after")).get("balance")).isEqualTo(100);
          // The sink applies a change only above the stored position: T2's update must be above the snapshot's.
          assertThat((Long) update.get("position")).isGreaterThan((Long) snapshotRow.get("position"));
          assertThat(engine.stats().deadLettered()).isZero();
        }
      }
    }
  }

  private static String beginWithXid(Connection connection) throws SQLException {
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT pg_current_xact_id()::text")) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** Slot creation waits on each running transaction's lock before it logs the next running-transactions record. */
  private static void awaitWalSenderWaitingFor(Connection observer, String xid) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      try (Statement statement = observer.createStatement(); ResultSet rows = statement.executeQuery(
          "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
              + " WHERE l.locktype = 'transactionid' AND NOT l.granted AND a.backend_type = 'walsender'"
              + " AND l.transactionid::text = '" + xid + "'")) {
        rows.next();
        return rows.getLong(1) > 0;
      }
    });
  }

  private static long lsn(Connection connection, String query) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT (" + query + ") - '0/0'::pg_lsn")) {
      rows.next();
      return rows.getBigDecimal(1).longValueExact();
    }
  }
}
