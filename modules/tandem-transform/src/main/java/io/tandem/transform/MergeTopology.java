package io.tandem.transform;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.mapping.Join;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingException;
import io.tandem.core.mapping.MergeGroup;
import io.tandem.core.mapping.MergeRule;
import io.tandem.kafka.ChangeHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The part of the transform topology for an entity fed by several legacy sources ({@code merge:}):
 *
 * <ul>
 *   <li>each source's changes → its own mapping → a <em>member</em> ({@code <source>:<legacy key>}) with its
 *       new key and its match value ({@link MergeRule#matchValue});
 *   <li>an index of each member's current match group and key turns a change into deltas (leave the old
 *       group, join the new one) and, when a row is deleted, filtered out or re-keyed, a delete of its old key;
 *   <li>the deltas, repartitioned by match value, fold into each group's members, resolved by
 *       {@link MergeGroup#resolve} (the verifier's function too): the survivor's row under its key, the
 *       others absorbed (a delete of their own key), or a group reported for a decision;
 *   <li>every outcome, repartitioned by new key, meets the one emitter that owns the key: it drops an
 *       outcome older (in its owner's own source) than the last one emitted, refuses a key two members
 *       claim (dead letter: the sources' key rules collide), gives each version a sink position above the
 *       last, and writes the entity, the key map and the duplicate reports.
 * </ul>
 */
final class MergeTopology {
  /** Compacted: one record per open duplicate group (a tombstone once it is resolved). */
  static final String DUPLICATES_TOPIC = "tandem.merge.duplicates";
  /** Members one match group keeps; beyond, the group is dead-lettered in part. */
  static final int MAX_MEMBERS = Join.MAX_CHILDREN;

  private static final String STAGE = "transform";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MergeTopology() {}

  /** The nodes that forward to the entity's sink, the key map, the duplicate reports and the dead letters. */
  record Nodes(String emitter, List<String> deadLetterParents) {}

  static String keyMapChild(EntityRoute route) {
    return "to-" + MergeRule.keyMapTopic(route.schema().entity());
  }

  static String duplicatesChild(EntityRoute route) {
    return "to-" + DUPLICATES_TOPIC + "-" + route.schema().entity();
  }

  static Nodes add(StreamsBuilder builder, Map<String, String> prefixBySource, EntityRoute route,
      Deserializer<Object> raw, TransformMetrics metrics) {
    String entity = route.schema().entity();
    MergeRule rule = route.mapping().merge().orElseThrow();
    List<String> deadLetters = new ArrayList<>();
    KStream<String, Decoded> members = null;
    for (Mapping mapping : route.members()) {
      String prefix = prefixBySource.get(mapping.legacySource());
      if (prefix == null) {
        throw new IllegalArgumentException("mapping " + mapping.name() + " reads legacy source '"
            + mapping.legacySource() + "', which has no topic prefix (configure it under merge.sources)");
      }
      String name = "merge-" + entity + "-" + mapping.legacySource();
      KStream<String, Decoded> decoded = builder.stream(prefix + "." + mapping.sourceTable(),
              Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("read-" + mapping.legacySource() + "-"
                  + mapping.sourceTable()))
          .process(() -> new Decoder(raw, mapping, rule), Named.as(name + "-decode"));
      decoded.filter((key, value) -> value.rejected() != null, Named.as(name + "-undecodable"))
          .process(() -> new DeadLetterRecords.Forwarder<>(Decoded::rejected), Named.as(name + "-dlq"));
      deadLetters.add(name + "-dlq");
      KStream<String, Decoded> ok = decoded.filter((key, value) -> value.rejected() == null, Named.as(name + "-ok"));
      members = members == null ? ok : members.merge(ok, Named.as(name + "-merge"));
    }
    String prefix = "merge-" + entity;
    KStream<String, Routed> routed = members.process(new IndexerSupplier(prefix + "-placements"),
        Named.as(prefix + "-index"));
    KStream<String, MergeState.Change> resolved = routed
        .filter((key, value) -> value.delta() != null, Named.as(prefix + "-deltas"))
        .mapValues(Routed::delta, Named.as(prefix + "-delta"))
        .groupByKey(Grouped.with(prefix + "-by-match", Serdes.String(), MergeState.MEMBER_DELTA))
        .aggregate(MergeState.MemberSet::empty, (group, delta, set) -> set.apply(delta, MAX_MEMBERS),
            Named.as(prefix + "-groups"), Materialized.<String, MergeState.MemberSet, KeyValueStore<Bytes, byte[]>>as(
                prefix + "-groups").withKeySerde(Serdes.String()).withValueSerde(MergeState.MEMBER_SET))
        .toStream(Named.as(prefix + "-group-changes"))
        .process(new ResolverSupplier(route, prefix + "-reported"), Named.as(prefix + "-resolve"));
    KStream<String, MergeState.Change> removed = routed
        .filter((key, value) -> value.change() != null, Named.as(prefix + "-removals"))
        .mapValues(Routed::change, Named.as(prefix + "-removal"));
    String emitter = "emit-" + entity;
    resolved.merge(removed, Named.as(prefix + "-outcomes"))
        .repartition(Repartitioned.with(Serdes.String(), MergeState.CHANGE).withName(prefix + "-by-key"))
        .process(new EmitterSupplier(route, metrics, prefix + "-emitted"), Named.as(emitter));
    deadLetters.add(emitter);
    return new Nodes(emitter, deadLetters);
  }

  /** A decoded change of one source: the member's new placement (null: gone) and row; or why it failed. */
  private record Decoded(MergeState.Placement placement, MergeState.MemberRow row,
      DeadLetterRecords.Rejected rejected) {}

  /** The index's output: a delta for a match group, or a change for a new key. */
  private record Routed(MergeState.MemberDelta delta, MergeState.Change change) {}

  private static final class Decoder implements Processor<byte[], byte[], String, Decoded> {
    private final Deserializer<Object> raw;
    private final Mapping mapping;
    private final MergeRule rule;
    private ProcessorContext<String, Decoded> context;

    Decoder(Deserializer<Object> raw, Mapping mapping, MergeRule rule) {
      this.raw = raw;
      this.mapping = mapping;
      this.rule = rule;
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
        String member = mapping.legacySource() + ":" + JoinTopology.childKey(rawKey);
        boolean deleted = decoded.op().equals("d");
        Map<String, Object> columns = deleted ? decoded.before() : decoded.after();
        if (columns == null) {
          throw new IllegalArgumentException("'" + decoded.op() + "' change without its row image");
        }
        JoinState.requireStorable(columns);
        MergeState.Placement placement = null;
        Optional<Map<String, Object>> mapped = deleted ? Optional.empty() : mapping.apply(columns);
        if (mapped.isPresent()) {
          Map<String, Object> key = mapping.key(columns);
          JoinState.requireStorable(key);
          String group = rule.matchValue(mapped.get()).map(v -> "m:" + v).orElse("k:" + member);
          placement = new MergeState.Placement(group, keyText(key), key);
        }
        MergeState.MemberRow row = new MergeState.MemberRow(columns, decoded.position(),
            decoded.commitTs() == null ? input.timestamp() : decoded.commitTs());
        context.forward(new Record<>(member, new Decoded(placement, row, null), input.timestamp()));
      } catch (RuntimeException e) {
        DeadLetterRecords.Rejected rejected = new DeadLetterRecords.Rejected(input, position, "merge: mapping "
            + mapping.name() + " cannot decode, map or key the change: " + e.getMessage(), e);
        context.forward(new Record<>("", new Decoded(null, null, rejected), input.timestamp()));
      }
    }
  }

  static String keyText(Map<String, Object> key) {
    return Join.keyText(List.copyOf(key.values()));
  }

  private record IndexerSupplier(String store) implements ProcessorSupplier<String, Decoded, String, Routed> {
    @Override
    public Processor<String, Decoded, String, Routed> get() {
      return new Indexer(store);
    }

    @Override
    public java.util.Set<StoreBuilder<?>> stores() {
      return java.util.Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
          MergeState.PLACEMENT));
    }
  }

  /** Each member's current group and key: a change becomes leave/join deltas, and a delete of a key it left. */
  private static final class Indexer implements Processor<String, Decoded, String, Routed> {
    private final String storeName;
    private KeyValueStore<String, MergeState.Placement> placements;
    private ProcessorContext<String, Routed> context;

    Indexer(String storeName) {
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
      this.context = context;
      this.placements = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, Decoded> record) {
      String member = record.key();
      MergeState.Placement next = record.value().placement();
      MergeState.MemberRow row = record.value().row();
      MergeState.Placement previous = placements.get(member);
      if (previous != null && (next == null || !previous.group().equals(next.group()))) {
        context.forward(record.withKey(previous.group()).withValue(new Routed(new MergeState.MemberDelta(member, null),
            null)));
      }
      if (previous != null && (next == null || !previous.keyText().equals(next.keyText()))) {
        context.forward(record.withKey(previous.keyText()).withValue(new Routed(null, new MergeState.Change(
            MergeState.Kind.DELETED, member, row.position(), row.commitTs(), previous.key(), null, MergeState.none(),
            ""))));
      }
      if (next == null) {
        placements.delete(member);
        return;
      }
      placements.put(member, next);
      context.forward(record.withKey(next.group()).withValue(new Routed(new MergeState.MemberDelta(member, row),
          null)));
    }
  }

  private record ResolverSupplier(EntityRoute route, String store)
      implements ProcessorSupplier<String, MergeState.MemberSet, String, MergeState.Change> {
    @Override
    public Processor<String, MergeState.MemberSet, String, MergeState.Change> get() {
      return new Resolver(route, store);
    }

    @Override
    public java.util.Set<StoreBuilder<?>> stores() {
      return java.util.Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
          Serdes.String()));
    }
  }

  /** A match group's members → what becomes of each member's key, and the group's duplicate report. */
  private static final class Resolver implements Processor<String, MergeState.MemberSet, String, MergeState.Change> {
    private final EntityRoute route;
    private final String storeName;
    private ProcessorContext<String, MergeState.Change> context;
    private KeyValueStore<String, String> reported;

    Resolver(EntityRoute route, String storeName) {
      this.route = route;
      this.storeName = storeName;
    }

    @Override
    public void init(ProcessorContext<String, MergeState.Change> context) {
      this.context = context;
      this.reported = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, MergeState.MemberSet> record) {
      MergeState.MemberSet set = record.value() == null ? MergeState.MemberSet.empty() : record.value();
      String reportKey = route.schema().entity() + ":" + sha256(record.key());
      long commitTs = set.members().values().stream().mapToLong(MergeState.MemberRow::commitTs).max().orElse(0);
      MergeGroup.Resolution resolution;
      try {
        resolution = MergeGroup.resolve(route.mapping().merge().orElseThrow(), members(route, set.members()),
            route.mapping().keyFields());
      } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
        context.forward(record.withKey(reportKey).withValue(new MergeState.Change(MergeState.Kind.DEAD, "", 0,
            commitTs, Map.of(), null, MergeState.none(), "merge of " + route.schema().entity() + ": members "
            + set.members().keySet() + " cannot be resolved: " + e.getMessage())));
        return;
      }
      boolean merged = resolution.reported().isEmpty() && resolution.outcomes().size() > 1;
      for (MergeGroup.Outcome outcome : resolution.outcomes()) {
        String id = outcome.member().id();
        MergeState.MemberRow row = set.members().get(id);
        TreeMap<String, MergeState.MemberRow> carried = new TreeMap<>();
        if (merged && !outcome.absorbed()) {
          carried.putAll(set.members());
        } else {
          carried.put(id, row);
        }
        context.forward(record.withKey(outcome.member().keyText()).withValue(new MergeState.Change(
            outcome.absorbed() ? MergeState.Kind.ABSORBED : MergeState.Kind.UPSERT, id, row.position(),
            Math.max(commitTs, row.commitTs()), outcome.member().key(), outcome.absorbedInto(),
            outcome.absorbed() ? MergeState.none() : carried, "")));
      }
      Optional<String> why = set.overflow()
          ? Optional.of("more than " + MAX_MEMBERS + " rows match; those beyond were not kept (see the dead letters)")
          : resolution.reported();
      if (why.isPresent()) {
        reported.put(reportKey, why.get());
        context.forward(record.withKey(reportKey).withValue(new MergeState.Change(MergeState.Kind.REPORT, "", 0,
            commitTs, Map.of(), null, new TreeMap<>(set.members()), why.get())));
      } else if (reported.get(reportKey) != null) {
        reported.delete(reportKey);
        context.forward(record.withKey(reportKey).withValue(new MergeState.Change(MergeState.Kind.REPORT, "", 0,
            commitTs, Map.of(), null, MergeState.none(), "")));
      }
    }
  }

  /** The members as their sources' mappings make them (the rows a group keeps passed the mapping once). */
  static List<MergeGroup.Member> members(EntityRoute route, Map<String, MergeState.MemberRow> rows) {
    Map<String, Mapping> bySource = new HashMap<>();
    route.members().forEach(m -> bySource.put(m.legacySource(), m));
    List<MergeGroup.Member> members = new ArrayList<>();
    for (Map.Entry<String, MergeState.MemberRow> entry : rows.entrySet()) {
      String id = entry.getKey();
      String source = id.substring(0, id.indexOf(':'));
      Mapping mapping = bySource.get(source);
      Map<String, Object> columns = entry.getValue().columns();
      Optional<Map<String, Object>> row = mapping.apply(columns);
      if (row.isEmpty()) {
        continue; // left out by its mapping's filters since it joined: the index sends it away next
      }
      Map<String, Object> key = mapping.key(columns);
      members.add(new MergeGroup.Member(id, source, key, keyText(key), row.get()));
    }
    return members;
  }

  private record EmitterSupplier(EntityRoute route, TransformMetrics metrics, String store)
      implements ProcessorSupplier<String, MergeState.Change, Object, Object> {
    @Override
    public Processor<String, MergeState.Change, Object, Object> get() {
      return new Emitter(route, metrics, store);
    }

    @Override
    public java.util.Set<StoreBuilder<?>> stores() {
      return java.util.Set.of(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
          MergeState.EMITTED));
    }
  }

  /**
   * The one writer of each new key. Sink positions are its own: positions of two sources cannot be compared,
   * so each version of a key gets one above the last (at least its commit time in microseconds, so that a
   * rebuilt topology still writes above what the sink holds).
   */
  private static final class Emitter implements Processor<String, MergeState.Change, Object, Object> {
    private final EntityRoute route;
    private final TransformMetrics metrics;
    private final String storeName;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, MergeState.Emitted> emitted;

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
    public void process(Record<String, MergeState.Change> record) {
      MergeState.Change change = record.value();
      switch (change.kind()) {
        case REPORT -> report(record);
        case DEAD -> deadLetter(record, change.reason(), new IllegalStateException(change.reason()));
        default -> emit(record);
      }
    }

    private void emit(Record<String, MergeState.Change> record) {
      String keyText = record.key();
      MergeState.Change change = record.value();
      MergeState.Emitted last = emitted.get(keyText);
      boolean sameOwner = last != null && last.owner().equals(change.owner());
      if (last != null && !sameOwner) {
        if (change.kind() != MergeState.Kind.UPSERT) {
          return; // the key is another member's (or no one's): nothing of this member's to remove
        }
        if (last.live()) {
          deadLetter(record, "merge of " + route.schema().entity() + ": new key " + keyText + " of " + change.owner()
              + " is already held by " + last.owner() + " (the sources' key rules collide)", null);
          return;
        }
      }
      if (sameOwner && change.ownerPosition() < last.ownerPosition()) {
        return; // an outcome older than the one emitted (it came the long way round, through another group)
      }
      long position = Math.max(change.commitTs() * 1000, last == null ? 0 : last.sinkPosition() + 1);
      try {
        GenericRecord key = route.schema().keyRecord(change.key());
        GenericRecord value = null;
        if (change.kind() == MergeState.Kind.UPSERT) {
          MergeGroup.Resolution resolution = MergeGroup.resolve(route.mapping().merge().orElseThrow(),
              members(route, change.members()), route.mapping().keyFields());
          Map<String, Object> row = resolution.outcomes().stream().filter(o -> o.member().id().equals(change.owner()))
              .findFirst().map(MergeGroup.Outcome::row).orElse(null);
          if (row != null) {
            value = route.schema().valueRecord(row);
          }
        }
        String source = change.owner().substring(0, change.owner().indexOf(':'));
        Headers headers = new RecordHeaders();
        ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, position);
        ChangeHeaders.putLong(headers, ChangeHeaders.COMMIT_TS, change.commitTs());
        ChangeHeaders.putText(headers, ChangeHeaders.OP, value == null ? "d" : "u");
        ChangeHeaders.putText(headers, ChangeHeaders.SOURCE, source);
        context.forward(new Record<Object, Object>(key, value, record.timestamp(), headers),
            TransformProcessor.childFor(route));
        String mappedTo = change.kind() == MergeState.Kind.ABSORBED ? change.absorbedInto()
            : value == null ? null : keyText;
        context.forward(new Record<Object, Object>(change.owner().getBytes(StandardCharsets.UTF_8),
            mappedTo == null ? null : keyMapEntry(change.owner(), mappedTo, change.kind() == MergeState.Kind.ABSORBED),
            record.timestamp()), keyMapChild(route));
        emitted.put(keyText, new MergeState.Emitted(change.owner(), change.ownerPosition(), position, value != null));
        metrics.countMigrated(route.schema().entity());
      } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
        deadLetter(record, "merge of " + route.schema().entity() + " (new key " + keyText + " of " + change.owner()
            + "): " + e.getMessage(), e);
      }
    }

    private byte[] keyMapEntry(String member, String key, boolean merged) {
      ObjectNode entry = JSON.createObjectNode();
      entry.put("entity", route.schema().entity());
      entry.put("source", member.substring(0, member.indexOf(':')));
      entry.put("legacyKey", member.substring(member.indexOf(':') + 1));
      entry.put("key", key);
      entry.put("merged", merged);
      return entry.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void report(Record<String, MergeState.Change> record) {
      MergeState.Change change = record.value();
      byte[] value = null;
      if (!change.reason().isEmpty()) {
        ObjectNode report = JSON.createObjectNode();
        report.put("entity", route.schema().entity());
        report.put("reason", change.reason());
        ArrayNode members = report.putArray("members");
        Map<String, Mapping> bySource = new HashMap<>();
        route.members().forEach(m -> bySource.put(m.legacySource(), m));
        for (Map.Entry<String, MergeState.MemberRow> member : change.members().entrySet()) {
          String id = member.getKey();
          String source = id.substring(0, id.indexOf(':'));
          ObjectNode node = members.addObject();
          node.put("source", source);
          node.put("legacyKey", id.substring(id.indexOf(':') + 1));
          try {
            node.put("key", keyText(bySource.get(source).key(member.getValue().columns())));
          } catch (RuntimeException e) {
            node.putNull("key");
          }
        }
        value = report.toString().getBytes(StandardCharsets.UTF_8);
      }
      context.forward(new Record<Object, Object>(record.key().getBytes(StandardCharsets.UTF_8), value,
          record.timestamp()), duplicatesChild(route));
    }

    private void deadLetter(Record<String, MergeState.Change> record, String reason, Exception cause) {
      Record<byte[], byte[]> input = new Record<>(record.key().getBytes(StandardCharsets.UTF_8), null,
          record.timestamp(), new RecordHeaders());
      context.forward(DeadLetterRecords.of(context, STAGE, input, null, reason,
          cause == null ? new IllegalStateException(reason) : cause), TransformProcessor.DLQ_CHILD);
      metrics.countDeadLetter();
    }
  }

  private static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
