package io.tandem.app.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * What was replayed: the compacted topic {@value #TOPIC}, one record per dead letter put back, keyed by the
 * dead letter's {@code <topic>/<partition>/<offset>}, its value JSON: {@code replayId}, {@code actor},
 * {@code reason}, {@code time}, {@code deadLetterTimestamp} (so a marker of a deleted and re-created
 * dead-letter topic does not match a new record at the same offset) and {@code republishedTo}.
 */
public final class ReplayMarkers {
  public static final String TOPIC = io.tandem.kafka.DeadLetter.REPLAYED_TOPIC;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReplayMarkers() {}

  public static TopicSpec topic() {
    return new TopicSpec(TOPIC, 1, (short) -1, TopicSpec.compactedPolicy(), false);
  }

  /** Dead-letter coordinates to the timestamp of the record their marker covers. Empty when the topic is missing. */
  public static Map<String, Long> read(KafkaClients kafka, Duration timeout) {
    Map<String, Long> markers = new HashMap<>();
    TopicFollower.readToEnd(kafka, List.of(TOPIC), timeout, record -> {
      if (record.key() == null) {
        return;
      }
      String key = new String(record.key(), StandardCharsets.UTF_8);
      if (record.value() == null) {
        markers.remove(key);
        return;
      }
      try {
        JsonNode marker = JSON.readTree(record.value());
        markers.put(key, marker.path("deadLetterTimestamp").asLong(Long.MIN_VALUE));
      } catch (IOException e) {
        // not ours: ignored
      }
    });
    return markers;
  }

  public static void ensureTopic(KafkaClients kafka) {
    Topics.ensure(kafka, topic());
  }

  static ProducerRecord<byte[], byte[]> marker(DeadLetterEntry entry, String replayId, String actor, String reason,
      Instant time, String republishedTo) {
    ObjectNode value = JSON.createObjectNode();
    value.put("replayId", replayId);
    value.put("actor", actor);
    value.put("reason", reason);
    value.put("time", time.toString());
    value.put("deadLetterTimestamp", entry.record().timestamp());
    value.put("republishedTo", republishedTo);
    try {
      return new ProducerRecord<>(TOPIC, 0, entry.coordinates().getBytes(StandardCharsets.UTF_8),
          JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
