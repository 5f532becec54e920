package io.tandem.capture;

import io.tandem.kafka.DeadLetter;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.tandem.registry.RegistryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import io.tandem.core.flow.RateBudget;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.ConverterConfig;
import org.apache.kafka.connect.storage.ConverterType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Debezium's batches, writes each change to its raw topic (or the dead-letter topic) and
 * marks the batch processed only once Kafka acknowledged every record of it: offsets, and with them
 * the replication slot's confirmed position, never run ahead of what Kafka holds (at-least-once).
 */
final class ChangeHandler implements DebeziumEngine.ChangeConsumer<ChangeEvent<SourceRecord, SourceRecord>> {
  private static final Logger LOG = LoggerFactory.getLogger(ChangeHandler.class);

  private final Producer<byte[], byte[]> producer;
  private final ConnectToAvro converter;
  private final Serializer<Object> keySerializer;
  private final Serializer<Object> valueSerializer;
  private final String deadLetterTopic;
  private final CaptureCounters counters;
  private final Set<String> signalTables;
  private final String originTable;
  private final String fenceTable;
  private final List<ChangeEvent<SourceRecord, SourceRecord>> heldBack = new ArrayList<>();
  private Long heldTxId;
  private final Map<Long, Boolean> echoTransactions = new java.util.LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > ECHO_MEMORY;
    }
  };
  private final JsonConverter jsonKeys = json(true);
  private final JsonConverter jsonValues = json(false);

  private enum Kind { DELIVERED, DEAD_LETTERED, SKIPPED, ECHO, DEFERRED }

  // Transactions seen to write the origin table: a few thousand ids cover any realistic interleaving, since
  // pgoutput hands over each transaction whole, in commit order.
  private static final int ECHO_MEMORY = 4096;

  private record Outcome(Kind kind, RawChange change, Future<RecordMetadata> ack) {}

  private final RateBudget snapshotBudget;
  /**
   * @param signalTables {@code schema.table} of the signal table (empty if none): captured so that Debezium
   *     sees signals and its own watermarks, but its changes are not data and are not produced
   * @param originTable {@code schema.table} a Tandem sink writes first in each of its transactions, or null
   * @param fenceTable {@code schema.table} of write-fence markers, or null
   */
  private final String stage;
  /** MariaDB: zero dates in NOT NULL columns are told from 1970-01-01 by asking legacy; null for PostgreSQL. */
  private final ZeroDates zeroDates;
  /** Relaxes a raw subject that refuses a legacy schema change (null: never). */
  private final RawSubjects rawSubjects;

  /** @param stage the engine's name, which dead letters carry as their stage ({@code capture}, {@code capture-new}) */
  ChangeHandler(String stage, Producer<byte[], byte[]> producer, ConnectToAvro converter, Serializer<Object> keySerializer,
      Serializer<Object> valueSerializer, String deadLetterTopic, CaptureCounters counters, Set<String> signalTables,
      String originTable, String fenceTable, RateBudget snapshotBudget, ZeroDates zeroDates, RawSubjects rawSubjects) {
    this.stage = stage;
    this.rawSubjects = rawSubjects;
    this.zeroDates = zeroDates;
    this.snapshotBudget = snapshotBudget;
    this.producer = producer;
    this.converter = converter;
    this.keySerializer = keySerializer;
    this.valueSerializer = valueSerializer;
    this.deadLetterTopic = deadLetterTopic;
    this.counters = counters;
    this.signalTables = Set.copyOf(signalTables);
    this.originTable = originTable;
    this.fenceTable = fenceTable;
  }

  @Override
  public void handleBatch(List<ChangeEvent<SourceRecord, SourceRecord>> events,
      DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
    counters.batchReceived(System.currentTimeMillis());
    if (snapshotBudget.limited()) {
      // Holding the batch back holds Debezium's snapshot reads back once its bounded queue is full.
      snapshotBudget.acquire((int) events.stream().map(ChangeEvent::value)
          .filter(r -> r != null && ConnectToAvro.isChange(r) && "r".equals(ConnectToAvro.op(r))).count());
    }
    List<Outcome> outcomes = new ArrayList<>(events.size());
    for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
      outcomes.add(handle(event.value()));
    }
    // An exception below leaves the whole batch unmarked: Debezium stops and re-reads it after a restart.
    for (Outcome outcome : outcomes) {
      awaitAck(outcome);
    }
    // Fence markers go last, once everything before them is acknowledged (earlier batches already are):
    // whoever sees a marker in Kafka knows every change committed before it is there too.
    for (int i = 0; i < outcomes.size(); i++) {
      if (outcomes.get(i).kind() == Kind.DEFERRED) {
        outcomes.set(i, produce(events.get(i).value()));
        awaitAck(outcomes.get(i));
      }
    }
    int markUpTo = markableEnd(events, committer);
    for (int i = 0; i < events.size(); i++) {
      if (i < markUpTo) {
        committer.markProcessed(events.get(i));
      } else {
        heldBack.add(events.get(i));
      }
      Outcome outcome = outcomes.get(i);
      switch (outcome.kind()) {
        case DELIVERED -> counters.delivered(outcome.change());
        case DEAD_LETTERED -> counters.deadLettered();
        case SKIPPED -> counters.skipped();
        case ECHO -> counters.echoSuppressed();
        case DEFERRED -> throw new IllegalStateException("unreachable: deferred outcomes are produced above");
      }
    }
    committer.markBatchFinished();
  }

  /*
   * A Tandem sink's transaction may be split across batches: its origin marker in one, the rest in the next.
   * If capture stopped in between with the marker's offset committed, Debezium would resume after the marker
   * and the rest would go out as if legacy's own (an echo). So the trailing records of a batch that belong to
   * a marked transaction (and any heartbeat after them) are not marked processed until a record of another
   * transaction arrives: a restart then re-reads the transaction from its marker. Returns how many of this
   * batch's events may be marked now; marks the ones held back from earlier batches once their transaction
   * is over.
   */
  private int markableEnd(List<ChangeEvent<SourceRecord, SourceRecord>> events,
      DebeziumEngine.RecordCommitter<ChangeEvent<SourceRecord, SourceRecord>> committer) throws InterruptedException {
    if (originTable == null) {
      return events.size();
    }
    if (!heldBack.isEmpty()) {
      Long first = firstTxId(events);
      if (first != null && first.equals(heldTxId)) {
        // Still inside the held transaction: it may go on in the next batch too.
        Long lastTx = lastTxId(events);
        if (lastTx == null || lastTx.equals(heldTxId)) {
          return 0;
        }
      } else if (first == null) {
        return 0; // heartbeats only: the transaction's end is not known yet
      }
      for (ChangeEvent<SourceRecord, SourceRecord> held : heldBack) {
        committer.markProcessed(held);
      }
      heldBack.clear();
      heldTxId = null;
    }
    Long last = lastTxId(events);
    if (last == null || !echoTransactions.containsKey(last)) {
      return events.size();
    }
    int start = events.size();
    while (start > 0) {
      Long tx = ConnectToAvro.txId(events.get(start - 1).value());
      if (tx != null && !tx.equals(last)) {
        break;
      }
      start--;
    }
    heldTxId = last;
    return start;
  }

  private static Long firstTxId(List<ChangeEvent<SourceRecord, SourceRecord>> events) {
    for (ChangeEvent<SourceRecord, SourceRecord> event : events) {
      Long tx = ConnectToAvro.txId(event.value());
      if (tx != null) {
        return tx;
      }
    }
    return null;
  }

  private static Long lastTxId(List<ChangeEvent<SourceRecord, SourceRecord>> events) {
    for (int i = events.size() - 1; i >= 0; i--) {
      Long tx = ConnectToAvro.txId(events.get(i).value());
      if (tx != null) {
        return tx;
      }
    }
    return null;
  }

  // Tombstones stay the default (unsupported), so Debezium does not emit them.
  @Override
  public boolean supportsTombstoneEvents() {
    return false;
  }

  private Outcome handle(SourceRecord record) {
    if (record.value() == null) {
      LOG.debug("Skipping tombstone on {}", record.topic());
      return new Outcome(Kind.SKIPPED, null, null);
    }
    if (!ConnectToAvro.isChange(record)) {
      LOG.debug("Skipping non-change record on {} ({})", record.topic(),
          record.valueSchema() == null ? "no schema" : record.valueSchema().name());
      return new Outcome(Kind.SKIPPED, null, null);
    }
    String table = signalTables.isEmpty() ? null : ConnectToAvro.sourceTable(record);
    if (table != null && signalTables.contains(table)) {
      // Signals and Debezium's snapshot-window watermarks: Debezium has acted on them already.
      LOG.debug("Skipping signal-table change on {}", record.topic());
      return new Outcome(Kind.SKIPPED, null, null);
    }
    if (originTable != null || fenceTable != null) {
      String source = ConnectToAvro.sourceTable(record);
      Long txId = ConnectToAvro.txId(record);
      if (originTable != null && originTable.equals(source)) {
        // A snapshot read of the table is not a sink transaction (and shares one id with the whole snapshot).
        if (txId != null && !"r".equals(ConnectToAvro.op(record))) {
          echoTransactions.put(txId, Boolean.TRUE);
        }
        return new Outcome(Kind.SKIPPED, null, null);
      }
      if (txId != null && echoTransactions.containsKey(txId) && !"r".equals(ConnectToAvro.op(record))) {
        LOG.trace("Not producing {} of transaction {}: a Tandem sink wrote it", record.topic(), txId);
        return new Outcome(Kind.ECHO, null, null);
      }
      if (fenceTable != null && fenceTable.equals(source)) {
        return new Outcome(Kind.DEFERRED, null, null);
      }
    }
    return produce(record);
  }

  private Outcome produce(SourceRecord record) {
    RawChange change;
    byte[] key;
    byte[] value;
    java.util.Optional<String> zeroDate = zeroDates == null ? java.util.Optional.empty()
        : zeroDates.zeroDateColumn(record);
    if (zeroDate.isPresent()) {
      return new Outcome(Kind.DEAD_LETTERED, null, deadLetter(record, new ConversionException("column '"
          + zeroDate.get() + "' is NOT NULL and holds a zero date (0000-00-00), which names no day; Debezium would"
          + " send it as 1970-01-01: fix the row (a real date, or make the column nullable)")));
    }
    try {
      change = converter.convert(record);
      key = change.key() == null ? null : serialize(keySerializer, change.topic(), change.key(), "-key");
      value = serialize(valueSerializer, change.topic(), change.value(), "-value");
    } catch (RuntimeException e) {
      if (isTransient(e) || e instanceof SnapshotFloor.Unavailable) {
        throw e; // the registry or the slot is unreachable: not this record's fault, so stop rather than dead-letter
      }
      return new Outcome(Kind.DEAD_LETTERED, null, deadLetter(record, e));
    }
    // Partition by key bytes: one row's changes stay in one partition, in order.
    return new Outcome(Kind.DELIVERED, change, producer.send(new ProducerRecord<>(change.topic(), key, value)));
  }

  /** Serializes; a schema the raw subject refuses is registered once more after {@link RawSubjects} relaxed it. */
  private byte[] serialize(Serializer<Object> serializer, String topic, Object data, String subjectSuffix) {
    try {
      return serializer.serialize(topic, data);
    } catch (RuntimeException e) {
      if (rawSubjects != null && rawSubjects.relaxAfter(topic + subjectSuffix, e)) {
        return serializer.serialize(topic, data);
      }
      throw e;
    }
  }

  private Future<RecordMetadata> deadLetter(SourceRecord record, RuntimeException e) {
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Long position = ConnectToAvro.position(record);
    LOG.warn("Change on {} at position {} sent to {}: {}", record.topic(), position, deadLetterTopic, reason);
    byte[] key = json(jsonKeys, record.topic(), record.keySchema(), record.key());
    byte[] value = json(jsonValues, record.topic(), record.valueSchema(), record.value());
    // Read from Debezium, not from Kafka: the source is Debezium's topic name, with no partition or offset.
    DeadLetter letter = new DeadLetter(stage, "Cannot convert change to the raw-topic format: " + reason,
        e.getClass().getName(), record.topic(), null, null);
    return producer.send(letter.record(deadLetterTopic, key, value, null, position));
  }

  private static void awaitAck(Outcome outcome) throws InterruptedException {
    if (outcome.ack() == null) {
      return;
    }
    try {
      outcome.ack().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new KafkaException("Kafka did not accept a captured change: " + cause.getMessage(), cause);
    }
  }

  // Registry trouble that may pass (5xx, 429, no connection) is the only serialization failure not to dead-letter.
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RegistryException registry) {
        return registry.retriable();
      }
    }
    return false;
  }

  /** The record as schemaless JSON, or its toString if even that fails: a dead letter must carry something. */
  private static byte[] json(JsonConverter converter, String topic, org.apache.kafka.connect.data.Schema schema,
      Object value) {
    if (value == null) {
      return null;
    }
    try {
      return converter.fromConnectData(topic, schema, value);
    } catch (RuntimeException e) {
      return utf8(value.toString());
    }
  }

  private static JsonConverter json(boolean isKey) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of(
        JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false",
        ConverterConfig.TYPE_CONFIG, (isKey ? ConverterType.KEY : ConverterType.VALUE).getName()));
    return converter;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
