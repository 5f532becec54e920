package io.tandem.routing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates a one-partition topic (one order for everything in it) if it does not exist: the routing
 * log and the status topic. An existing topic is left as it is.
 */
public final class SinglePartitionTopic {
  private SinglePartitionTopic() {}

  /**
   * @param replicationFactor 1 or more; 0 or less = the broker's default
   * @param configs topic settings; {@code min.insync.replicas} is added (2 from three replicas up)
   */
  public static void ensure(Map<String, Object> kafka, String topic, short replicationFactor,
      Map<String, String> configs) throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(kafka)) {
      if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return;
      }
      Map<String, String> settings = new HashMap<>(configs);
      settings.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replicationFactor >= 3 ? "2" : "1");
      NewTopic newTopic = new NewTopic(topic, Optional.of(1),
          replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty()).configs(settings);
      try {
        admin.createTopics(List.of(newTopic)).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
  }

  /** Compacted: only the newest record per key matters (the status topic). */
  public static Map<String, String> compacted() {
    return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  /** Kept forever (the routing log: the audit trail, and every replica's state is rebuilt from it). */
  public static Map<String, String> keptForever() {
    return Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1",
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }
}
