package io.tandem.router.gate;

import io.tandem.routing.SinglePartitionTopic;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted status topic from its beginning, on one thread, and keeps the newest record per
 * key (the last one written, as compaction will): verification passes ({@code verify/<entity>/<cohort>})
 * and lag reports ({@code lag/<entity>} from the sink, {@code lag/<entity>/capture} from capture). A
 * tombstone removes its key. A record that cannot be
 * decoded, or whose Kafka key is not the key its content names, is logged, counted and skipped. Readers
 * on any thread see the newest records applied.
 */
public final class StatusBoard implements StatusView, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StatusBoard.class);

  private final String topic;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Map<String, StatusRecord> newest = new ConcurrentHashMap<>();
  private final AtomicLong skipped = new AtomicLong();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean closing;

  /**
   * Creates the status topic if it does not exist: one partition, compacted (only the newest fact per
   * key matters; the verifier and the pipeline write them).
   */
  public static void ensureTopic(Map<String, Object> kafka, String topic, short replicationFactor)
      throws InterruptedException, ExecutionException, TimeoutException {
    SinglePartitionTopic.ensure(kafka, topic, replicationFactor, SinglePartitionTopic.compacted());
  }

  /** Starts following every partition of {@code topic} (which must exist); returns at once. */
  public static StatusBoard follow(Map<String, Object> kafka, String topic) {
    return new StatusBoard(kafka, topic);
  }

  private StatusBoard(Map<String, Object> kafka, String topic) {
    this.topic = topic;
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tandem-status-" + java.util.UUID.randomUUID());
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    consumer = new KafkaConsumer<>(props);
    try {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (infos == null || infos.isEmpty()) {
        throw new IllegalStateException("status topic " + topic + " has no partitions (does it exist?)");
      }
      partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    } catch (RuntimeException e) {
      consumer.close(Duration.ofSeconds(5));
      throw e;
    }
    thread = new Thread(this::run, "tandem-status-board");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      Map<TopicPartition, Long> end = null;
      while (!closing) {
        if (end == null && !caughtUp.isDone()) {
          end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          apply(record);
        }
        if (!caughtUp.isDone() && reached(end)) {
          LOG.info("Status topic {} read: {} facts, {} records skipped", topic, newest.size(), skipped.get());
          caughtUp.complete(null);
        }
      }
    } catch (WakeupException e) {
      if (!closing) {
        fail(e);
      }
    } catch (Throwable e) {
      fail(e);
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private boolean reached(Map<TopicPartition, Long> end) {
    for (TopicPartition partition : partitions) {
      if (consumer.position(partition) < end.get(partition)) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      skip(record, "it has no key");
      return;
    }
    String key = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      newest.remove(key);
      return;
    }
    StatusRecord status;
    try {
      status = StatusCodec.decode(record.value());
    } catch (RuntimeException e) {
      skip(record, e.getMessage());
      return;
    }
    if (!status.key().equals(key)) {
      skip(record, "its key '" + key + "' is not the key of its content, '" + status.key() + "'");
      return;
    }
    newest.put(key, status);
  }

  private void skip(ConsumerRecord<byte[], byte[]> record, String why) {
    skipped.incrementAndGet();
    LOG.warn("Status record at {}-{} offset {} skipped: {}", record.topic(), record.partition(), record.offset(), why);
  }

  private void fail(Throwable e) {
    failure = e;
    LOG.error("Status topic follower stopped; promotion gates refuse until the replica restarts", e);
    caughtUp.completeExceptionally(e);
  }

  /** Waits until every record that existed when following began has been read. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("status topic follower failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  @Override
  public Optional<StatusRecord.Verification> verification(String entity, String cohort) {
    StatusRecord record = newest.get(StatusRecord.verificationKey(entity, cohort));
    return record instanceof StatusRecord.Verification v ? Optional.of(v) : Optional.empty();
  }

  @Override
  public Optional<StatusRecord.Lag> lag(String entity) {
    StatusRecord record = newest.get(StatusRecord.lagKey(entity));
    return record instanceof StatusRecord.Lag l ? Optional.of(l) : Optional.empty();
  }

  @Override
  public Optional<StatusRecord.Lag> captureLag(String entity) {
    StatusRecord record = newest.get(StatusRecord.captureLagKey(entity));
    return record instanceof StatusRecord.Lag l ? Optional.of(l) : Optional.empty();
  }

  @Override
  public Optional<String> problem() {
    Throwable failed = failure;
    if (failed != null || (!closing && !thread.isAlive())) {
      return Optional.of("the status topic " + topic + " is no longer followed by this replica ("
          + (failed == null ? "stopped" : failed.toString()) + ")");
    }
    if (!caughtUp.isDone()) {
      return Optional.of("the status topic " + topic + " has not been read to its end yet");
    }
    return Optional.empty();
  }

  /** Records skipped because they could not be decoded or were keyed wrongly. */
  public long skipped() {
    return skipped.get();
  }

  public String topic() {
    return topic;
  }

  public boolean healthy() {
    return failure == null && thread.isAlive();
  }

  @Override
  public void close() {
    closing = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
