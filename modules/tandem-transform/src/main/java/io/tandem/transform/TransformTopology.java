package io.tandem.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * Builds the transform topology: one source per legacy table, one processor applying every
 * mapping of that table, one sink per {@code migrated.<entity>} topic and the shared dead-letter
 * sink. Pure: tests drive it with {@code TopologyTestDriver}.
 */
public final class TransformTopology {
  /** Where the transform sends the records it cannot map. */
  public static final String DEAD_LETTER_TOPIC = "tandem.dlq.transform";

  private TransformTopology() {}

  /**
   * @param topicPrefix raw topic prefix, {@code legacy.<db>}; a table {@code s.t} is read from {@code <prefix>.s.t}
   * @param routes the mappings with their entity schemas
   * @param rawDeserializer Avro deserializer for raw change values
   * @param avroSerializer Avro serializer for migrated keys and values (TopicNameStrategy subjects)
   */
  public static Topology build(String topicPrefix, List<EntityRoute> routes, Deserializer<Object> rawDeserializer,
      Serializer<Object> keySerializer, Serializer<Object> valueSerializer, TransformMetrics metrics) {
    Map<String, List<EntityRoute>> byTable = new LinkedHashMap<>();
    for (EntityRoute route : routes) {
      byTable.computeIfAbsent(route.mapping().sourceTable(), t -> new ArrayList<>()).add(route);
    }
    Topology topology = new Topology();
    List<String> processors = new ArrayList<>();
    for (Map.Entry<String, List<EntityRoute>> table : byTable.entrySet()) {
      String source = "read-" + table.getKey();
      String processor = "map-" + table.getKey();
      topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topicPrefix + "." + table.getKey());
      List<EntityRoute> tableRoutes = List.copyOf(table.getValue());
      topology.addProcessor(processor, () -> new TransformProcessor(tableRoutes, rawDeserializer, metrics), source);
      processors.add(processor);
    }
    Map<String, List<String>> parentsByEntity = new LinkedHashMap<>();
    Map<String, EntityRoute> routeByEntity = new LinkedHashMap<>();
    for (Map.Entry<String, List<EntityRoute>> table : byTable.entrySet()) {
      for (EntityRoute route : table.getValue()) {
        parentsByEntity.computeIfAbsent(route.schema().entity(), e -> new ArrayList<>()).add("map-" + table.getKey());
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
    topology.addSink(TransformProcessor.DLQ_CHILD, DEAD_LETTER_TOPIC, raw, raw, processors.toArray(String[]::new));
    return topology;
  }
}
