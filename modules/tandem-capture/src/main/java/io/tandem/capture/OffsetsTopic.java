package io.tandem.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka Connect's offsets topic as the embedded engine keeps it: each key is the JSON array {@code [<engine
 * name>, {"server": "<topic.prefix>"}]}, each value a JSON map, the latest record of a key wins and a null value
 * removes it. Capture reads Debezium's offset here before Debezium starts, and keeps its own snapshot-sweep
 * marker beside it under an engine name of its own (Debezium reads only its own key).
 */
final class OffsetsTopic {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The latest record of one key: its partition (a removal must go there too), raw key and value (null: removed). */
  record Entry(int partition, byte[] key, JsonNode value) {}

  private final KafkaClients kafka;
  private final String topic;

  OffsetsTopic(KafkaClients kafka, String topic) {
    this.kafka = kafka;
    this.topic = topic;
  }

  /** The connector-partition key Connect writes for {@code engine} and {@code server} (a topic prefix). */
  static JsonNode key(String engine, String server) {
    return JSON.createArrayNode().add(engine).add(JSON.createObjectNode().put("server", server));
  }

  /** The latest record of every key, read from the start to the end the topic has now. */
  Map<JsonNode, Entry> read(Duration timeout) {
    Map<JsonNode, Entry> latest = new HashMap<>();
    TopicFollower.readToEnd(kafka, List.of(topic), timeout, record -> {
      if (record.key() == null) {
        return;
      }
      try {
        JsonNode key = JSON.readTree(record.key());
        JsonNode value = record.value() == null ? null : JSON.readTree(record.value());
        latest.put(key, new Entry(record.partition(), record.key(), value));
      } catch (IOException e) {
        // Not a Connect offset (nothing of ours writes such records): not ours to read.
      }
    });
    return latest;
  }

  /** The current value of {@code key}, if it has one. */
  Optional<JsonNode> value(JsonNode key, Duration timeout) {
    return Optional.ofNullable(read(timeout).get(key)).map(Entry::value);
  }

  /** Writes {@code value} (null: removes the key) and waits until the broker has it. */
  void write(JsonNode key, JsonNode value, Duration timeout) {
    try {
      send(null, JSON.writeValueAsBytes(key), value == null ? null : JSON.writeValueAsBytes(value), timeout);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes a key written by someone else, in the partition and with the very bytes it was written with. */
  void remove(Entry entry, Duration timeout) {
    send(entry.partition(), entry.key(), null, timeout);
  }

  private void send(Integer partition, byte[] key, byte[] value, Duration timeout) {
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(Map.of(),
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.CLIENT_ID_CONFIG, "tandem-capture-offsets-writer"))) {
      producer.send(new ProducerRecord<>(topic, partition, key, value)).get(timeout.toMillis(),
          java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot write to the offsets topic " + topic + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to the offsets topic " + topic, e);
    }
  }
}
