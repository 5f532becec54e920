package io.tandem.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads partitions of a topic from their beginning, for ever, on one daemon thread, handing every record
 * to a {@link Reader}; tells when everything that existed at the start has been read. The routing log,
 * the router's status board and the schema registry's log are such followers; {@link #readToEnd} is the
 * one-off form. Committed records only; no consumer group, nothing is committed back.
 */
public final class TopicFollower implements AutoCloseable {
  /** What a follower does with what it reads; every call comes on the follower's thread. */
  public interface Reader {
    void apply(ConsumerRecord<byte[], byte[]> record);

    /** After each poll, with the position reached in each partition. */
    default void polled(Map<TopicPartition, Long> positions) {}

    /** Once, when every record that existed at the start has been applied. */
    default void caughtUp() {}

    /** Once, when the follower stops on an error (not on close). */
    default void failed(Throwable e) {}
  }

  private final String description;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<TopicPartition> partitions;
  private final Reader reader;
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean closing;

  /**
   * Follows every partition of {@code topic}, which must exist.
   *
   * @param description what is followed, for messages ("status topic tandem.status")
   * @param name the thread name; also the start of the consumer's client id
   */
  public static TopicFollower all(KafkaClients kafka, String topic, String description, String name,
      Reader reader) {
    return new TopicFollower(kafka, topic, null, description, name, reader);
  }

  /** Follows one partition, which is assigned whether or not its topic exists yet. */
  public static TopicFollower one(KafkaClients kafka, TopicPartition partition, String description,
      String name, Reader reader) {
    return new TopicFollower(kafka, partition.topic(), partition, description, name, reader);
  }

  private TopicFollower(KafkaClients kafka, String topic, TopicPartition only, String description,
      String name, Reader reader) {
    this.description = description;
    this.reader = reader;
    // A flip should be visible everywhere fast: answer a fetch as soon as one record is there.
    consumer = kafka.consumer(Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100"),
        readerSettings(name + "-" + java.util.UUID.randomUUID()));
    try {
      partitions = only != null ? List.of(only) : partitionsOf(topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
    } catch (RuntimeException e) {
      consumer.close(Duration.ofSeconds(5));
      throw e;
    }
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** No group, nothing committed, and never an aborted transaction's records. */
  private static Map<String, Object> readerSettings(String clientId) {
    return Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.CLIENT_ID_CONFIG, clientId);
  }

  /**
   * Reads {@code topics} from their start to the end they had when the read began, handing every record
   * to {@code each} on the calling thread. Topics that do not exist are read as empty.
   *
   * @throws TopicException when the end is not reached within {@code timeout}
   */
  public static void readToEnd(KafkaClients kafka, List<String> topics, Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> settings = new HashMap<>(readerSettings("tandem-scan-" + java.util.UUID.randomUUID()));
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(Map.of(), settings)) {
      Map<String, List<PartitionInfo>> existing = consumer.listTopics(timeout);
      List<TopicPartition> partitions = new java.util.ArrayList<>();
      for (String topic : topics) {
        existing.getOrDefault(topic, List.of()).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new TopicException("reading " + topics + " took longer than " + timeout.toSeconds() + " s", null, true);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new TopicException("cannot read " + topics + ": " + e.getMessage(), e, true);
    }
  }

  /**
   * Reads {@code partition} from its start, handing every record below offset {@code until} to {@code each} on
   * the calling thread, until that offset is reached or {@code each} answers false.
   *
   * @throws TopicException when that is not done within {@code timeout}
   */
  public static void readPrefix(KafkaClients kafka, TopicPartition partition, long until, Duration timeout,
      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> settings = new HashMap<>(readerSettings("tandem-scan-" + java.util.UUID.randomUUID()));
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(Map.of(), settings)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      while (consumer.position(partition, timeout) < until) {
        if (System.nanoTime() > deadline) {
          throw new TopicException("reading " + partition + " up to offset " + until + " took longer than "
              + timeout.toSeconds() + " s", null, true);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.offset() >= until || !each.test(record)) {
            return;
          }
        }
      }
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new TopicException("cannot read " + partition + ": " + e.getMessage(), e, true);
    }
  }

  private List<TopicPartition> partitionsOf(String topic) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
    if (infos == null || infos.isEmpty()) {
      throw new IllegalStateException(description + " has no partitions (does it exist?)");
    }
    return infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
  }

  private void run() {
    try {
      Map<TopicPartition, Long> end = null;
      while (!closing) {
        if (end == null && !caughtUp.isDone()) {
          end = new HashMap<>(consumer.endOffsets(partitions, Duration.ofSeconds(30)));
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          reader.apply(record);
        }
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : partitions) {
          positions.put(partition, consumer.position(partition));
        }
        reader.polled(positions);
        if (!caughtUp.isDone() && reached(positions, end)) {
          reader.caughtUp();
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

  private static boolean reached(Map<TopicPartition, Long> positions, Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> positions.get(e.getKey()) >= e.getValue());
  }

  private void fail(Throwable e) {
    failure = e;
    reader.failed(e);
    caughtUp.completeExceptionally(e);
  }

  /** Waits until every record that existed when following began has been applied. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(description + " follower failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  public boolean isCaughtUp() {
    return caughtUp.isDone() && !caughtUp.isCompletedExceptionally();
  }

  /** Why the follower stopped, if it stopped on an error. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** Running: not stopped by an error, and its thread alive. */
  public boolean healthy() {
    return failure == null && thread.isAlive();
  }

  /** Stopped although nobody closed it. */
  public boolean stoppedUnexpectedly() {
    return !closing && !thread.isAlive();
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
