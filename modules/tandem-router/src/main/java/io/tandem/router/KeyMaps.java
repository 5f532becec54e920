package io.tandem.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key maps of merged entities ({@code tandem.keymap.<entity>}, written by the merge topology): which new key
 * a legacy source's row became ({@code <source>:<legacy key>} → new key, the survivor's when the row was merged
 * into another). Followed from the beginning, newest record per member; a tombstone removes it. At most
 * {@link #MAX_ENTRIES} entries are kept in all: beyond, new members are not added and {@link #problem()} says so.
 */
public final class KeyMaps implements AutoCloseable {
  /** Entries kept in memory, over every merged entity. */
  public static final int MAX_ENTRIES = 2_000_000;

  private static final Logger LOG = LoggerFactory.getLogger(KeyMaps.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Map<String, String>> byEntity = new ConcurrentHashMap<>();
  private final List<TopicFollower> followers = new ArrayList<>();
  private final AtomicLong size = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean full;

  private KeyMaps() {}

  /** No merged entity. */
  public static KeyMaps none() {
    return new KeyMaps();
  }

  /** Creates each entity's key map topic when missing (compacted) and starts following it; returns at once. */
  public static KeyMaps follow(Map<String, Object> kafka, List<String> entities, int partitions, short replication) {
    KeyMaps maps = new KeyMaps();
    KafkaClients clients = KafkaClients.fromConfig(kafka);
    for (String entity : entities) {
      String topic = io.tandem.core.mapping.MergeRule.keyMapTopic(entity);
      Topics.ensure(clients, TopicSpec.compacted(topic, partitions));
      Map<String, String> members = new ConcurrentHashMap<>();
      maps.byEntity.put(entity, members);
      maps.followers.add(TopicFollower.all(clients, topic, "key map " + topic, "tandem-keymap-" + entity,
          new TopicFollower.Reader() {
            @Override
            public void apply(ConsumerRecord<byte[], byte[]> record) {
              maps.apply(members, record);
            }

            @Override
            public void caughtUp() {
              LOG.info("Key map {} read: {} members", topic, members.size());
            }

            @Override
            public void failed(Throwable e) {
              LOG.error("Key map {} is no longer followed; routing by a source's key answers 503", topic, e);
            }
          }));
    }
    return maps;
  }

  private void apply(Map<String, String> members, ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      skipped.incrementAndGet();
      return;
    }
    String member = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      if (members.remove(member) != null) {
        size.decrementAndGet();
      }
      return;
    }
    String key;
    try {
      JsonNode entry = JSON.readTree(record.value());
      key = entry.get("key").asText();
    } catch (java.io.IOException | RuntimeException e) {
      skipped.incrementAndGet();
      LOG.warn("Key map record at {}-{} offset {} skipped: {}", record.topic(), record.partition(), record.offset(),
          e.getMessage());
      return;
    }
    if (!members.containsKey(member)) {
      if (size.get() >= MAX_ENTRIES) {
        full = true;
        return;
      }
      size.incrementAndGet();
    }
    members.put(member, key);
  }

  /** Whether {@code entity} is merged (its key map is followed). */
  public boolean merged(String entity) {
    return byEntity.containsKey(entity);
  }

  /** The new key of {@code source}'s row {@code legacyKey}; empty when the map has no such member (yet). */
  public Optional<String> newKey(String entity, String source, String legacyKey) {
    Map<String, String> members = byEntity.get(entity);
    return members == null ? Optional.empty() : Optional.ofNullable(members.get(source + ":" + legacyKey));
  }

  /** Waits until every key map has been read as far as it was when following began. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    for (TopicFollower follower : followers) {
      follower.awaitCaughtUp(timeout);
    }
  }

  /** Why translations may be wrong or missing: a follower stopped, or the map outgrew {@link #MAX_ENTRIES}. */
  public Optional<String> problem() {
    for (TopicFollower follower : followers) {
      if (follower.failure().isPresent() || follower.stoppedUnexpectedly()) {
        return Optional.of("a key map is no longer followed (" + follower.failure().map(Throwable::toString)
            .orElse("stopped") + ")");
      }
    }
    return full ? Optional.of("the key maps hold more than " + MAX_ENTRIES + " members; newer ones are not kept")
        : Optional.empty();
  }

  public long size() {
    return size.get();
  }

  @Override
  public void close() {
    followers.forEach(TopicFollower::close);
  }
}
