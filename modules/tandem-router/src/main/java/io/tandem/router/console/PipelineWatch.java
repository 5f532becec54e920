package io.tandem.router.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console shows that only Kafka topics know, looked at every few seconds on one daemon thread: dead
 * letters per stage (records held by each {@code tandem.dlq.<stage>} topic) and the write conflicts recorded on
 * {@code tandem.conflicts} (counted per entity; the newest {@link #KEPT_CONFLICTS} kept, without the row
 * versions they carry: those are personal data). Readers on any thread see the last look.
 */
public final class PipelineWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineWatch.class);
  private static final String CONFLICT_TOPIC = DeadLetter.CONFLICT_TOPIC;
  static final int KEPT_CONFLICTS = 20;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One conflict as the console shows it: where and when, never the row values. */
  public record Conflict(String entity, String key, String writtenOn, String owner, String cohort, String phase,
      long routingVersion, String detectedAt) {}

  /** The last look: dead letters per stage, conflicts per entity, the newest conflicts (newest first). */
  public record Look(Instant at, Map<String, Long> deadLetters, Map<String, Long> conflicts,
      List<Conflict> latestConflicts, Optional<String> problem) {}

  private final KafkaClients kafka;
  private final ScheduledExecutorService timer;
  private volatile Look last = new Look(Instant.EPOCH, Map.of(), Map.of(), List.of(),
      Optional.of("not looked at yet"));
  private KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, Long> conflictCounts = new TreeMap<>();
  private final Deque<Conflict> latest = new ArrayDeque<>();

  private PipelineWatch(KafkaClients kafka, Duration every) {
    this.kafka = kafka;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "tandem-console-watch");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::lookSafely, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  public static PipelineWatch start(Map<String, Object> kafka, Duration every) {
    return new PipelineWatch(KafkaClients.fromConfig(kafka), every);
  }

  public Look last() {
    return last;
  }

  private void lookSafely() {
    try {
      look();
    } catch (Exception e) {
      LOG.warn("Console: cannot read dead-letter and conflict topics: {}", e.toString());
      Look previous = last;
      last = new Look(previous.at(), previous.deadLetters(), previous.conflicts(), previous.latestConflicts(),
          Optional.of("dead letters and conflicts could not be read from Kafka (the router's log says why)"));
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void look() throws Exception {
    Set<String> topics;
    try (Admin admin = kafka.admin("tandem-console")) {
      topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
    }
    if (consumer == null) {
      consumer = kafka.consumer(Map.of(), Map.of("enable.auto.commit", false, "max.poll.records", 500));
    }
    Map<String, Long> deadLetters = new TreeMap<>();
    for (String topic : topics) {
      if (DeadLetter.isDeadLetterTopic(topic)) {
        deadLetters.put(topic.substring(DeadLetter.PREFIX.length()), Topics.recordsHeld(consumer, topic, TIMEOUT));
      }
    }
    if (topics.contains(CONFLICT_TOPIC)) {
      readConflicts();
    }
    last = new Look(Instant.now(), java.util.Collections.unmodifiableMap(deadLetters),
        java.util.Collections.unmodifiableMap(new TreeMap<>(conflictCounts)), List.copyOf(latest), Optional.empty());
  }

  private void readConflicts() {
    if (consumer.assignment().isEmpty()) {
      List<TopicPartition> partitions = consumer.partitionsFor(CONFLICT_TOPIC, TIMEOUT).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    }
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), TIMEOUT);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && end.entrySet().stream()
        .anyMatch(e -> consumer.position(e.getKey(), TIMEOUT) < e.getValue())) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
        apply(record);
      }
    }
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    Conflict conflict;
    try {
      JsonNode node = JSON.readTree(new String(record.value(), StandardCharsets.UTF_8));
      conflict = new Conflict(node.path("entity").asText("?"), node.path("key").asText(""),
          node.path("writtenOn").asText(""), node.path("owner").asText(""), node.path("cohort").asText(""),
          node.path("phase").asText(""), node.path("routingVersion").asLong(-1), node.path("detectedAt").asText(""));
    } catch (Exception e) {
      conflict = new Conflict("(unreadable)", "", "", "", "", "", -1, "");
    }
    if (conflictCounts.size() < 10_000 || conflictCounts.containsKey(conflict.entity())) {
      conflictCounts.merge(conflict.entity(), 1L, Long::sum);
    }
    latest.addFirst(conflict);
    while (latest.size() > KEPT_CONFLICTS) {
      latest.removeLast();
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (consumer != null) {
      consumer.close();
    }
  }
}
