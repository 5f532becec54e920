package io.tandem.verify;

import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import io.tandem.core.mapping.Mapping;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the dead-letter topics from the start to their current end and indexes which entity keys
 * they hold: a dead letter from the transform carries the legacy key (its source topic names the
 * table), one from the sink the new key (its source topic is {@code migrated.<entity>}).
 */
public final class DeadLetterIndex {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterIndex.class);

  private DeadLetterIndex() {}

  /**
   * @param kafka the cluster (no consumer group is used)
   * @param keyDeserializer Avro keys in Confluent wire format (the registry's deserializer)
   * @param mappings to tell which entity a raw table's dead letter belongs to
   */
  public static DeadLetters read(KafkaClients kafka, List<String> topics, Deserializer<Object> keyDeserializer,
      List<Mapping> mappings, Duration timeout) {
    DeadLetters index = new DeadLetters();
    Map<String, Mapping> byTable = mappings.stream().collect(Collectors.toMap(Mapping::sourceTable, m -> m, (a, b) -> a));
    TopicFollower.readToEnd(kafka, topics, timeout, record -> index(record, keyDeserializer, byTable, index));
    return index;
  }

  private static void index(ConsumerRecord<byte[], byte[]> record, Deserializer<Object> keys,
      Map<String, Mapping> byTable, DeadLetters index) {
    DeadLetter letter = DeadLetter.read(record.headers()).orElse(null);
    if (letter == null || letter.sourceTopic() == null || record.key() == null) {
      return;
    }
    String source = letter.sourceTopic();
    String reason = letter.reason();
    try {
      Object key = keys.deserialize(source, record.key());
      if (!(key instanceof GenericRecord fields)) {
        return;
      }
      String keyText = fields.getSchema().getFields().stream().map(f -> String.valueOf(fields.get(f.pos())))
          .collect(Collectors.joining(","));
      if (source.startsWith("migrated.")) {
        index.add(source.substring("migrated.".length()), keyText, reason);
        return;
      }
      // legacy.<db>.<schema>.<table>: the raw key holds the legacy primary key, which (for a verifiable
      // mapping) is the new key.
      for (Map.Entry<String, Mapping> entry : byTable.entrySet()) {
        if (source.endsWith("." + entry.getKey())) {
          index.add(entry.getValue().entity(), keyText, reason);
          return;
        }
      }
    } catch (RuntimeException e) {
      LOG.debug("dead letter at {}-{}@{} has a key that cannot be read: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
    }
  }

}
