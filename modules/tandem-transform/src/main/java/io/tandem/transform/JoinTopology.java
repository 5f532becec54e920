package io.tandem.transform;

import io.tandem.core.mapping.Join;
import io.tandem.core.mapping.MappingException;
import io.tandem.kafka.ChangeHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The part of the transform topology for a mapping with {@code join:} (N→1): the parent table and
 * each child table become tables keyed by the parent's value, and every change on either side emits
 * the entity again, mapped from the parent row and its children as lists.
 *
 * <ul>
 *   <li>parent changes → a table keyed by the parent's {@code references} value (a delete stays as a
 *       marker with its position, so the entity's delete carries it);
 *   <li>child changes → an index of each child's current parent, which turns a change into deltas:
 *       leave the old parent (a delete, or a re-parenting), join the new one; the deltas, repartitioned
 *       by parent value, fold into each parent's child set (a foreign-key join kept by Kafka Streams);
 *   <li>the parent table left-joined with every child set → the mapping → {@code migrated.<entity>},
 *       positioned at the latest change behind it (parent's or any child's, leaving ones included), so
 *       the sink applies each version in order and a re-delivered one is a no-op.
 * </ul>
 */
final class JoinTopology {
  private static final String STAGE = "transform";

  private JoinTopology() {}

  /** The names of the nodes that forward to the entity's sink and to the dead-letter sink. */
  record Nodes(String emitter, List<String> deadLetterParents) {}

  static Nodes add(StreamsBuilder builder, String topicPrefix, EntityRoute route, Deserializer<Object> raw,
      TransformMetrics metrics) {
    String entity = route.schema().entity();
    String parentTable = route.mapping().sourceTable();
    List<String> deadLetters = new ArrayList<>();
    List<Join> joins = route.mapping().joins();
    String parentColumn = joins.get(0).references(); // the same for every join (MappingLoader checks it)

    KStream<String, JoinState.RowVersion> parents = decode(builder, topicPrefix, parentTable, "join-" + entity
        + "-parent", raw, (change, keyRecord) -> text(columns(change).get(parentColumn), parentColumn), deadLetters);
    KTable<String, Joined> joined = parents.toTable(Named.as("join-" + entity + "-parent-table"),
        Materialized.<String, JoinState.RowVersion, KeyValueStore<Bytes, byte[]>>as("join-" + entity + "-parents")
            .withKeySerde(Serdes.String()).withValueSerde(JoinState.ROW_VERSION))
        .mapValues(Joined::of, Named.as("join-" + entity + "-start"));
    for (Join join : joins) {
      String name = "join-" + entity + "-" + join.name();
      KStream<String, JoinState.RowVersion> children = decode(builder, topicPrefix, join.table(), name, raw,
          (change, keyRecord) -> childKey(keyRecord), deadLetters);
      String indexStore = name + "-index";
      KTable<String, JoinState.ChildSet> sets = children
          .process(new ChildIndexer.Supplier(join, indexStore), Named.as(name + "-index"))
          .groupByKey(Grouped.with(name + "-by-parent", Serdes.String(), JoinState.CHILD_DELTA))
          .aggregate(JoinState.ChildSet::empty, (parent, delta, set) -> set.apply(delta, Join.MAX_CHILDREN),
              Named.as(name + "-sets"), Materialized.<String, JoinState.ChildSet, KeyValueStore<Bytes, byte[]>>as(
                  name + "-sets").withKeySerde(Serdes.String()).withValueSerde(JoinState.CHILD_SET));
      joined = joined.leftJoin(sets, (row, set) -> row.with(join.name(), set), Named.as(name + "-join"));
    }
    String emitter = "emit-" + entity;
    joined.toStream(Named.as("join-" + entity + "-changes"))
        .process(new EmitterSupplier(route, metrics, "join-" + entity + "-emitted"), Named.as(emitter));
    deadLetters.add(emitter);
    return new Nodes(emitter, deadLetters);
  }

  /** A parent row and its child sets, as far as joined. */
  record Joined(JoinState.RowVersion parent, Map<String, JoinState.ChildSet> sets) {
    static Joined of(JoinState.RowVersion parent) {
      return new Joined(parent, Map.of());
    }

    Joined with(String name, JoinState.ChildSet set) {
      Map<String, JoinState.ChildSet> next = new HashMap<>(sets);
      if (set != null) {
        next.put(name, set);
      }
      return new Joined(parent, next);
    }

    long position() {
      long position = parent.position();
      for (JoinState.ChildSet set : sets.values()) {
        position = Math.max(position, set.position());
      }
      return position;
    }

    long commitTs() {
      long commitTs = parent.commitTs();
      for (JoinState.ChildSet set : sets.values()) {
        commitTs = Math.max(commitTs, set.commitTs());
      }
      return commitTs;
    }
  }

  private interface KeyOf {
    String of(RawChangeRecord change, GenericRecord rawKey);
  }

  /** A decoded change, or the dead letter of one that could not be decoded. */
  private record Decoded(JoinState.RowVersion row, DeadLetterRecords.Rejected rejected) {}

  private static KStream<String, JoinState.RowVersion> decode(StreamsBuilder builder, String topicPrefix, String table,
      String name, Deserializer<Object> raw, KeyOf keyOf, List<String> deadLetters) {
    String topic = topicPrefix + "." + table;
    KStream<String, Decoded> decoded = builder.stream(topic, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withName("read-" + table))
        .process(() -> new Decoder(raw, keyOf), Named.as(name + "-decode"));
    decoded.filter((key, value) -> value.row() == null, Named.as(name + "-undecodable"))
        .process(() -> new DeadLetterRecords.Forwarder<>(Decoded::rejected), Named.as(name + "-dlq"));
    deadLetters.add(name + "-dlq");
    return decoded.filter((key, value) -> value.row() != null, Named.as(name + "-decoded"))
        .mapValues(Decoded::row, Named.as(name + "-rows"));
  }

  private static Map<String, Object> columns(RawChangeRecord change) {
    return change.after() != null ? change.after() : change.before() == null ? Map.of() : change.before();
  }

  private static String text(Object value, String column) {
    if (value == null) {
      throw new IllegalArgumentException("the row has no value in column '" + column + "' to join on");
    }
    return Join.keyText(value);
  }

  /** A child's identity: its primary key (the raw record key) as text, parts joined by ','. */
  static String childKey(GenericRecord rawKey) {
    if (rawKey == null) {
      throw new IllegalArgumentException("the child change has no key (does the table have a primary key?)");
    }
    List<Object> parts = new ArrayList<>();
    for (org.apache.avro.Schema.Field field : rawKey.getSchema().getFields()) {
      Object part = rawKey.get(field.pos());
      text(part, field.name()); // refuses a null part
      parts.add(part instanceof CharSequence chars ? chars.toString() : part);
    }
    return Join.keyText(parts);
  }

  private static final class Decoder implements Processor<byte[], byte[], String, Decoded> {
    private final Deserializer<Object> raw;
    private final KeyOf keyOf;
    private ProcessorContext<String, Decoded> context;

    Decoder(Deserializer<Object> raw, KeyOf keyOf) {
      this.raw = raw;
      this.keyOf = keyOf;
    }

    @Override
    public void init(ProcessorContext<String, Decoded> context) {
      this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> input) {
      if (input.value() == null) {
        return; // raw topics carry no tombstones
      }
      String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
      Long position = null;
      try {
        GenericRecord change = (GenericRecord) raw.deserialize(topic, input.value());
        position = RawChangeRecord.positionOf(change);
        RawChangeRecord decoded = RawChangeRecord.of(change);
        GenericRecord rawKey = input.key() == null ? null : (GenericRecord) raw.deserialize(topic, input.key());
        String key = keyOf.of(decoded, rawKey);
        JoinState.requireStorable(columns(decoded));
        JoinState.RowVersion row = new JoinState.RowVersion(columns(decoded), decoded.position(),
            decoded.commitTs() == null ? input.timestamp() : decoded.commitTs(), decoded.source(),
            decoded.op().equals("d"));
        context.forward(new Record<>(key, new Decoded(row, null), input.timestamp()));
      } catch (RuntimeException e) {
        DeadLetterRecords.Rejected rejected = new DeadLetterRecords.Rejected(input, position,
            "join: cannot decode or key the change: " + e.getMessage(), e);
        context.forward(new Record<>("", new Decoded(null, rejected), input.timestamp()));
      }
    }
  }

  /** Each child's current parent value: turns a child change into leave/join deltas keyed by parent value. */
  private static final class ChildIndexer implements Processor<String, JoinState.RowVersion, String,
      JoinState.ChildDelta> {
    record Supplier(Join join, String store) implements ProcessorSupplier<String, JoinState.RowVersion, String,
        JoinState.ChildDelta> {
      @Override
      public Processor<String, JoinState.RowVersion, String, JoinState.ChildDelta> get() {
        return new ChildIndexer(join, store);
      }

      @Override
      public java.util.Set<StoreBuilder<?>> stores() {
        return java.util.Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
            Serdes.String()));
      }
    }

    private final Join join;
    private final String storeName;
    private KeyValueStore<String, String> parentOf;
    private ProcessorContext<String, JoinState.ChildDelta> context;

    ChildIndexer(Join join, String storeName) {
      this.join = join;
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, JoinState.ChildDelta> context) {
      this.context = context;
      this.parentOf = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, JoinState.RowVersion> record) {
      String childKey = record.key();
      JoinState.RowVersion change = record.value();
      Object value = change.deleted() ? null : change.columns().get(join.column());
      String parent = value == null ? null : text(value, join.column());
      String previous = parentOf.get(childKey);
      if (previous != null && !previous.equals(parent)) {
        context.forward(record.withKey(previous).withValue(new JoinState.ChildDelta(childKey, null, change.position(),
            change.commitTs())));
      }
      if (parent == null) {
        parentOf.delete(childKey);
        return; // deleted, or an orphan: in no parent's set
      }
      parentOf.put(childKey, parent);
      context.forward(record.withKey(parent).withValue(new JoinState.ChildDelta(childKey, change.columns(),
          change.position(), change.commitTs())));
    }
  }

  private record EmitterSupplier(EntityRoute route, TransformMetrics metrics, String store)
      implements ProcessorSupplier<String, Joined, Object, Object> {
    @Override
    public Processor<String, Joined, Object, Object> get() {
      return new Emitter(route, metrics, store);
    }

    @Override
    public java.util.Set<StoreBuilder<?>> stores() {
      return java.util.Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
          Serdes.Long()));
    }
  }

  /**
   * The joined row through the mapping, to the entity's topic; a failure to the dead-letter topic.
   *
   * <p>Every version of a key gets a higher position than the last one emitted: legacy positions can tie
   * (every initial-snapshot row has the same one), and the sink applies only a newer position, so a
   * parent emitted alone and then again with its children at the same position would keep the first.
   * A tie is broken by one above the last position emitted for the key.
   */
  private static final class Emitter implements Processor<String, Joined, Object, Object> {
    private final EntityRoute route;
    private final TransformMetrics metrics;
    private final String storeName;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, Long> emitted;

    Emitter(EntityRoute route, TransformMetrics metrics, String storeName) {
      this.route = route;
      this.metrics = metrics;
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
      this.context = context;
      this.emitted = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, Joined> record) {
      Joined joined = record.value();
      if (joined == null || joined.parent() == null) {
        return; // children of a parent not seen (yet): nothing to emit
      }
      Long last = emitted.get(record.key());
      long position = last == null ? joined.position() : Math.max(joined.position(), last + 1);
      try {
        GenericRecord key;
        GenericRecord value = null;
        Map<String, Object> parent = joined.parent().columns();
        if (joined.parent().deleted()) {
          key = route.schema().keyRecord(route.mapping().key(parent));
        } else {
          Map<String, Object> row = new LinkedHashMap<>(parent);
          for (Join join : route.mapping().joins()) {
            JoinState.ChildSet set = joined.sets().get(join.name());
            if (set != null && set.overflow()) {
              throw new MappingException(join.name(), join.tooManyChildren(route.mapping().sourceTable()));
            }
            row.put(join.name(), set == null ? List.of() : List.copyOf(set.rows().values()));
          }
          key = route.schema().keyRecord(route.mapping().key(row));
          Optional<Map<String, Object>> mapped = route.mapping().apply(row);
          if (mapped.isPresent()) {
            value = route.schema().valueRecord(mapped.get());
          }
        }
        Headers headers = new RecordHeaders();
        ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, position);
        ChangeHeaders.putLong(headers, ChangeHeaders.COMMIT_TS, joined.commitTs());
        ChangeHeaders.putText(headers, ChangeHeaders.OP, value == null ? "d" : "u");
        ChangeHeaders.putText(headers, ChangeHeaders.SOURCE, joined.parent().source());
        context.forward(new Record<Object, Object>(key, value, record.timestamp(), headers),
            TransformProcessor.childFor(route));
        emitted.put(record.key(), position);
        metrics.countMigrated(route.schema().entity());
      } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
        Record<byte[], byte[]> input = new Record<>(record.key().getBytes(StandardCharsets.UTF_8), null,
            record.timestamp(), new RecordHeaders());
        context.forward(DeadLetterRecords.of(context, STAGE, input, position, "mapping " + route.mapping().name()
            + " → " + route.schema().entity() + " (joined row " + record.key() + "): " + e.getMessage(), e),
            TransformProcessor.DLQ_CHILD);
        metrics.countDeadLetter();
      }
    }
  }
}
