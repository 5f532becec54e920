package io.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the single-partition routing log from its first record and applies every record to a
 * {@link RoutingStateMachine}, on one thread. Anyone can wait for a given offset to be applied (the API
 * answers a proposal only once its own replica applied it) or for the replica to have caught up.
 */
public final class RoutingLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingLog.class);
  /** The routing log's default topic. */
  public static final String DEFAULT_TOPIC = "tandem.routing";

  private final RoutingStateMachine machine = new RoutingStateMachine();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final TopicPartition partition;
  private final Thread thread;
  private final ConcurrentSkipListMap<Long, CompletableFuture<AuditEntry>> waiters = new ConcurrentSkipListMap<>();
  private final List<Consumer<AuditEntry>> listeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> caughtUp = new CompletableFuture<>();
  private volatile long nextOffset;
  private volatile Instant lastRecordTime;
  private volatile Throwable failure;
  private volatile boolean closing;

  /**
   * Starts following {@code topic} (partition 0) with the given Kafka client settings
   * ({@code bootstrap.servers}, security). Returns at once; see {@link #awaitCaughtUp}.
   */
  public static RoutingLog follow(Map<String, Object> kafka, String topic) {
    return new RoutingLog(kafka, topic);
  }

  private RoutingLog(Map<String, Object> kafka, String topic) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Proposals are written in transactions by nobody, but a reader must never apply an aborted one.
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tandem-routing-" + java.util.UUID.randomUUID());
    // A flip should be visible everywhere fast: answer a fetch as soon as one record is there.
    props.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    consumer = new KafkaConsumer<>(props);
    partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    thread = new Thread(this::run, "tandem-routing-log");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      long end = -1;
      while (!closing) {
        if (!caughtUp.isDone() && end < 0) {
          end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          apply(record);
        }
        nextOffset = consumer.position(partition);
        if (!caughtUp.isDone() && nextOffset >= end) {
          LOG.info("Routing log {} replayed: version {} after {} records", partition, machine.state().version(), nextOffset);
          caughtUp.complete(null);
        }
        completeWaiters();
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

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    AuditEntry entry;
    try {
      entry = machine.apply(record.offset(), ProposalCodec.decode(record.value()));
    } catch (RuntimeException e) {
      LOG.warn("Routing log record at offset {} is malformed and skipped: {}", record.offset(), e.getMessage());
      entry = machine.applyMalformed(record.offset(), String.valueOf(e.getMessage()));
    }
    lastRecordTime = Instant.ofEpochMilli(record.timestamp());
    nextOffset = record.offset() + 1;
    for (Consumer<AuditEntry> listener : listeners) {
      try {
        listener.accept(entry);
      } catch (RuntimeException e) {
        LOG.warn("Routing log listener failed", e);
      }
    }
    CompletableFuture<AuditEntry> waiter = waiters.remove(record.offset());
    if (waiter != null) {
      waiter.complete(entry);
    }
  }

  private void completeWaiters() {
    // Offsets a waiter asked for that turned out to be no record of ours (transaction markers).
    for (Map.Entry<Long, CompletableFuture<AuditEntry>> e : waiters.headMap(nextOffset).entrySet()) {
      waiters.remove(e.getKey());
      e.getValue().completeExceptionally(new IllegalStateException("offset " + e.getKey() + " holds no proposal"));
    }
  }

  private void fail(Throwable e) {
    failure = e;
    LOG.error("Routing log follower stopped", e);
    caughtUp.completeExceptionally(e);
    waiters.values().forEach(w -> w.completeExceptionally(e));
  }

  /** Waits until every record that existed when following began has been applied. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    try {
      caughtUp.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("routing log follower failed: " + e.getCause().getMessage(), e.getCause());
    }
  }

  /** What the state machine made of the record at {@code offset}, once this replica applied it. */
  public CompletableFuture<AuditEntry> applied(long offset) {
    CompletableFuture<AuditEntry> future = new CompletableFuture<>();
    if (failure != null) {
      future.completeExceptionally(failure);
      return future;
    }
    waiters.put(offset, future);
    if (offset < nextOffset) {
      waiters.remove(offset);
      machine.audit().stream().filter(a -> a.offset() == offset).findFirst()
          .ifPresentOrElse(future::complete, () -> future.completeExceptionally(
              new IllegalStateException("offset " + offset + " holds no proposal")));
    }
    return future;
  }

  /** Called on the follower thread for every applied record, after the state changed. */
  public void onApplied(Consumer<AuditEntry> listener) {
    listeners.add(listener);
  }

  public RoutingState state() {
    return machine.state();
  }

  public RoutingStateMachine machine() {
    return machine;
  }

  /** The log time of the last record applied, or null before the first. */
  public Instant lastRecordTime() {
    return lastRecordTime;
  }

  /** Whether the follower is running (it stops on close or on a fatal consumer error). */
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
