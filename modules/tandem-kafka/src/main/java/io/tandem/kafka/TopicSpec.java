package io.tandem.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A topic Tandem creates when it is missing. Most existing topics are left as they are (operators may
 * have given them more partitions); a topic whose meaning rests on a single order is {@linkplain
 * #strict() strict}: an existing one must have one partition and the same cleanup policy.
 *
 * @param partitions partitions when created
 * @param replicationFactor when created; -1 = the broker's default
 * @param configs topic settings when created
 * @param strict whether an existing topic is checked (partitions, cleanup policy)
 */
public record TopicSpec(String name, int partitions, short replicationFactor, Map<String, String> configs,
    boolean strict) {

  public TopicSpec {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()) {
      throw new IllegalArgumentException("a topic needs a name");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + " needs at least one partition, got " + partitions);
    }
    configs = Map.copyOf(configs);
  }

  /** A raw change topic: deleted by retention; one key's changes stay in one partition. */
  public static TopicSpec changeLog(String name, int partitions) {
    return new TopicSpec(name, partitions, (short) -1, Map.of(), false);
  }

  /** Latest state per key (deletes are tombstones): compaction keeps it bounded (the migrated topics). */
  public static TopicSpec compacted(String name, int partitions) {
    return new TopicSpec(name, partitions, (short) -1,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT), false);
  }

  /** A dead-letter topic: one partition, so dead letters list in the order they were raised. */
  public static TopicSpec deadLetters(String name) {
    return new TopicSpec(name, 1, (short) -1, Map.of(), false);
  }

  /**
   * One partition, one order for everything in it (the routing log, the status topic, the registry's
   * log), checked on an existing topic. {@code min.insync.replicas} is 2 from three replicas up.
   *
   * @param replicationFactor 1 or more; 0 or less = the broker's default
   */
  public static TopicSpec singlePartition(String name, short replicationFactor, Map<String, String> configs) {
    Map<String, String> settings = new HashMap<>(configs);
    settings.putIfAbsent(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, replicationFactor >= 3 ? "2" : "1");
    return new TopicSpec(name, 1, replicationFactor > 0 ? replicationFactor : -1, settings, true);
  }

  /** Compacted: only the newest record per key matters. */
  public static Map<String, String> compactedPolicy() {
    return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
  }

  /** Kept forever: the log is the record (the routing log's audit trail). */
  public static Map<String, String> keptForever() {
    return Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1", TopicConfig.RETENTION_BYTES_CONFIG, "-1",
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /** The cleanup policy it is created with ({@code delete} unless set). */
  public String cleanupPolicy() {
    return configs.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }
}
