package io.tandem.transform;

import io.tandem.core.model.ReverseEntity;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.Topology;

/**
 * The reverse topology (new → legacy): one source per new-database entity table
 * ({@code <prefix>.public.<entity>}), the reverse mapping, one sink per {@code reverse.<entity>} topic
 * and the dead-letter sink {@value #DEAD_LETTER_TOPIC}. Pure: tests drive it with {@code TopologyTestDriver}.
 */
public final class ReverseTopology {
  /** Where reverse sync sends the new-side changes it cannot carry back. */
  public static final String DEAD_LETTER_TOPIC = io.tandem.kafka.DeadLetter.topic("reverse");

  private ReverseTopology() {}

  /** @param topicPrefix raw topic prefix of the new database's capture, {@code new.<db>} */
  public static Topology build(String topicPrefix, List<ReverseEntity> entities, Deserializer<Object> rawDeserializer,
      Serializer<Object> keySerializer, Serializer<Object> valueSerializer, TransformMetrics metrics) {
    Topology topology = new Topology();
    List<String> processors = new ArrayList<>();
    for (ReverseEntity entity : entities) {
      String source = "read-" + entity.newTable();
      String processor = "reverse-" + entity.name();
      topology.addSource(source, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
          topicPrefix + "." + entity.newTable());
      topology.addProcessor(processor, () -> new ReverseProcessor(entity, rawDeserializer, metrics), source);
      topology.addSink(ReverseProcessor.childFor(entity), entity.topic(), keySerializer, valueSerializer, processor);
      processors.add(processor);
    }
    Serializer<Object> raw = (topic, value) -> (byte[]) value;
    topology.addSink(ReverseProcessor.DLQ_CHILD, DEAD_LETTER_TOPIC, raw, raw, processors.toArray(String[]::new));
    return topology;
  }
}
