package io.tandem.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * Builds the transform topology: one source per legacy table, one processor applying every
 * mapping of that table, one sink per {@code migrated.<entity>} topic and the shared dead-letter
 * sink. Pure: tests drive it with {@code TopologyTestDriver}.
 */
public final class TransformTopology {
  /** Where the transform sends the records it cannot map. */
  public static final String DEAD_LETTER_TOPIC = io.tandem.kafka.DeadLetter.topic("transform");

  private TransformTopology() {}

  /**
   * @param topicPrefix raw topic prefix, {@code legacy.<db>}; a table {@code s.t} is read from {@code <prefix>.s.t}
   * @param routes the mappings with their entity schemas
   * @param rawDeserializer Avro deserializer for raw change values
   * @param avroSerializer Avro serializer for migrated keys and values (TopicNameStrategy subjects)
   */
  public static Topology build(String topicPrefix, List<EntityRoute> routes, Deserializer<Object> rawDeserializer,
      Serializer<Object> keySerializer, Serializer<Object> valueSerializer, TransformMetrics metrics) {
    return build(Map.of(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE, topicPrefix), routes, rawDeserializer,
        keySerializer, valueSerializer, metrics);
  }

  /**
   * As {@link #build(String, List, Deserializer, Serializer, Serializer, TransformMetrics)}, for entities merged
   * from several legacy sources too.
   *
   * @param prefixBySource each legacy source's raw topic prefix, the {@code legacy} section's under
   *     {@link io.tandem.core.mapping.MergeRule#PRIMARY_SOURCE}
   */
  public static Topology build(Map<String, String> prefixBySource, List<EntityRoute> routes,
      Deserializer<Object> rawDeserializer, Serializer<Object> keySerializer, Serializer<Object> valueSerializer,
      TransformMetrics metrics) {
    String topicPrefix = prefixBySource.get(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE);
    Map<String, List<EntityRoute>> byTable = new LinkedHashMap<>();
    List<EntityRoute> joined = new ArrayList<>();
    List<EntityRoute> merged = new ArrayList<>();
    for (EntityRoute route : routes) {
      if (route.merged()) {
        merged.add(route);
      } else if (route.mapping().joins().isEmpty()) {
        byTable.computeIfAbsent(route.mapping().sourceTable(), t -> new ArrayList<>()).add(route);
      } else {
        joined.add(route);
      }
    }
    requireTablesReadOnce(byTable.keySet(), joined, merged);
    // Joins are Kafka Streams tables (DSL); the one-table mappings stay plain processors on the same topology.
    StreamsBuilder builder = new StreamsBuilder();
    Map<String, List<String>> parentsByEntity = new LinkedHashMap<>();
    Map<String, EntityRoute> routeByEntity = new LinkedHashMap<>();
    List<String> deadLetterParents = new ArrayList<>();
    for (EntityRoute route : joined) {
      JoinTopology.Nodes nodes = JoinTopology.add(builder, topicPrefix, route, rawDeserializer, metrics);
      parentsByEntity.computeIfAbsent(route.schema().entity(), e -> new ArrayList<>()).add(nodes.emitter());
      routeByEntity.put(route.schema().entity(), route);
      deadLetterParents.addAll(nodes.deadLetterParents());
    }
    for (EntityRoute route : merged) {
      MergeTopology.Nodes nodes = MergeTopology.add(builder, prefixBySource, route, rawDeserializer, metrics);
      parentsByEntity.computeIfAbsent(route.schema().entity(), e -> new ArrayList<>()).add(nodes.emitter());
      routeByEntity.put(route.schema().entity(), route);
      deadLetterParents.addAll(nodes.deadLetterParents());
    }
    Topology topology = builder.build();
    for (Map.Entry<String, List<EntityRoute>> table : byTable.entrySet()) {
      String source = "read-" + table.getKey();
      String processor = "map-" + table.getKey();
      topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topicPrefix + "." + table.getKey());
      List<EntityRoute> tableRoutes = List.copyOf(table.getValue());
      topology.addProcessor(processor, () -> new TransformProcessor(tableRoutes, rawDeserializer, metrics), source);
      deadLetterParents.add(processor);
      for (EntityRoute route : tableRoutes) {
        parentsByEntity.computeIfAbsent(route.schema().entity(), e -> new ArrayList<>()).add(processor);
        routeByEntity.put(route.schema().entity(), route);
      }
    }
    // Several tables may feed one entity; each entity's sink has exactly the processors that feed it.
    for (Map.Entry<String, List<String>> entity : parentsByEntity.entrySet()) {
      EntityRoute route = routeByEntity.get(entity.getKey());
      topology.addSink(TransformProcessor.childFor(route), route.schema().topic(), keySerializer, valueSerializer,
          entity.getValue().toArray(String[]::new));
    }
    Serializer<Object> raw = (topic, value) -> (byte[]) value;
    for (EntityRoute route : merged) {
      String emitter = "emit-" + route.schema().entity();
      topology.addSink(MergeTopology.keyMapChild(route), keyMapTopic(route.schema().entity()), raw, raw, emitter);
      topology.addSink(MergeTopology.duplicatesChild(route), DUPLICATES_TOPIC, raw, raw, emitter);
    }
    topology.addSink(TransformProcessor.DLQ_CHILD, DEAD_LETTER_TOPIC, raw, raw, deadLetterParents.toArray(String[]::new));
    return topology;
  }

  /** The compacted key map of an entity merged from several sources: {@code <source>:<legacy key>} → new key. */
  public static String keyMapTopic(String entity) {
    return io.tandem.core.mapping.MergeRule.keyMapTopic(entity);
  }

  /** Duplicate groups of merged entities that are reported instead of merged (compacted; JSON). */
  public static final String DUPLICATES_TOPIC = MergeTopology.DUPLICATES_TOPIC;

  /** A raw topic has one reader in a topology: a table a join reads is read by that join alone. */
  private static void requireTablesReadOnce(java.util.Set<String> plainTables, List<EntityRoute> joined,
      List<EntityRoute> merged) {
    Map<String, String> reader = new LinkedHashMap<>();
    for (EntityRoute route : merged) {
      for (io.tandem.core.mapping.Mapping member : route.members()) {
        String table = member.sourceTable();
        if (member.legacySource().equals(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE)
            && plainTables.contains(table)) {
          throw new IllegalArgumentException("mapping " + member.name() + " merges legacy table " + table
              + ", which a one-table mapping reads too: a merged table is read by its merge alone");
        }
        reader.put(member.legacySource().equals(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE) ? table
            : member.legacySource() + ":" + table, "mapping " + member.name());
      }
    }
    for (EntityRoute route : joined) {
      List<String> tables = new ArrayList<>();
      tables.add(route.mapping().sourceTable());
      route.mapping().joins().forEach(join -> tables.add(join.table()));
      for (String table : tables) {
        String other = plainTables.contains(table) ? "a one-table mapping" : reader.get(table);
        if (other != null) {
          throw new IllegalArgumentException("mapping " + route.mapping().name() + " joins legacy table " + table
              + ", which " + other + " reads too: a joined table is read by its join alone (map its own entity"
              + " from the join, or capture it twice under another prefix)");
        }
        reader.put(table, "mapping " + route.mapping().name());
      }
    }
  }
}
