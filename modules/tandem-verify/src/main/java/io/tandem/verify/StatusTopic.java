package io.tandem.verify;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicException;
import io.tandem.kafka.TopicFollower;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The newest status record per key, read from the start of the status topic to its current end. */
public final class StatusTopic {
  private StatusTopic() {}

  public static Map<String, StatusRecord> readLatest(Map<String, Object> kafka, String topic, Duration timeout) {
    Map<String, StatusRecord> latest = new HashMap<>();
    readToEnd(kafka, List.of(topic), timeout, record -> {
      if (record.value() == null) {
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

  /** Reads {@code topics} to the end they have now; not reaching it in time is a {@link VerifyException}. */
  static void readToEnd(Map<String, Object> kafka, List<String> topics, Duration timeout,
      java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> each) {
    try {
      TopicFollower.readToEnd(KafkaClients.fromConfig(kafka), topics, timeout, each);
    } catch (TopicException e) {
      throw new VerifyException(e.getMessage(), e);
    }
  }
}
