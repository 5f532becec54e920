package io.tandem.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics the pipeline reads and writes before any stage starts: Kafka Streams refuses
 * to start on missing source topics, and auto-created topics would get the broker's defaults.
 * Existing topics are left as they are.
 */
final class Topics {
  private Topics() {}

  static void ensure(String bootstrapServers, int partitions, List<String> changeLogs, List<String> entityTopics,
      List<String> deadLetterTopics) {
    ensure(bootstrapServers, Map.of(), partitions, changeLogs, entityTopics, deadLetterTopics);
  }

  /** As above, with extra admin-client settings (security, timeouts) from {@code kafka.properties}. */
  static void ensure(String bootstrapServers, Map<String, ?> clientProperties, int partitions, List<String> changeLogs,
      List<String> entityTopics, List<String> deadLetterTopics) {
    List<NewTopic> wanted = new ArrayList<>();
    // Raw change logs: retention-based; one row's changes stay in one partition by key.
    changeLogs.forEach(t -> wanted.add(new NewTopic(t, Optional.of(partitions), Optional.empty())));
    // Entity topics carry the latest state per key (deletes are tombstones): compaction keeps them bounded.
    entityTopics.forEach(t -> wanted.add(new NewTopic(t, Optional.of(partitions), Optional.empty())
        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    deadLetterTopics.forEach(t -> wanted.add(new NewTopic(t, Optional.of(1), Optional.empty())));
    Map<String, Object> adminConfig = new java.util.HashMap<>(clientProperties);
    adminConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
      if (missing.isEmpty()) {
        return;
      }
      try {
        admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topics " + missing.stream().map(NewTopic::name).toList()
              + ": " + e.getCause().getMessage(), e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot reach Kafka at " + bootstrapServers + " to create topics: " + e.getMessage(), e);
    }
  }
}
