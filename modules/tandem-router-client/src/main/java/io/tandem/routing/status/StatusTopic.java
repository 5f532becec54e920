package io.tandem.routing.status;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The newest status record per key, read from the start of the status topic to its current end. */
public final class StatusTopic {
  private StatusTopic() {}

  /** @throws io.tandem.kafka.TopicException when the end is not reached within {@code timeout} */
  public static Map<String, StatusRecord> readLatest(KafkaClients kafka, String topic, Duration timeout) {
    Map<String, StatusRecord> latest = new HashMap<>();
    TopicFollower.readToEnd(kafka, List.of(topic), timeout, record -> {
      if (record.value() == null) {
        if (record.key() != null) {
          latest.remove(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8)); // withdrawn
        }
        return;
      }
      try {
        StatusRecord status = StatusCodec.decode(record.value());
        latest.put(status.key(), status);
      } catch (IllegalArgumentException e) {
        // someone else's record: the router counts and logs these; the verifier only needs lag
      }
    });
    return latest;
  }
}
