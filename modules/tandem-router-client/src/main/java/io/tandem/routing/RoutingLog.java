package io.tandem.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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

  private final RoutingStateMachine machine;
  private final TopicPartition partition;
  private final ConcurrentSkipListMap<Long, CompletableFuture<AuditEntry>> waiters = new ConcurrentSkipListMap<>();
  private final List<Consumer<AuditEntry>> listeners = new CopyOnWriteArrayList<>();
  private final TopicFollower follower;
  private final KafkaClients clients;
  private final int keptVersions;
  private volatile org.apache.kafka.clients.admin.Admin admin;
  private volatile long nextOffset;
  private volatile Instant lastRecordTime;

  /**
   * Starts following {@code topic} (partition 0) with the given Kafka client settings
   * ({@code bootstrap.servers}, security). Returns at once; see {@link #awaitCaughtUp}.
   */
  public static RoutingLog follow(Map<String, Object> kafka, String topic) {
    return follow(kafka, topic, RoutingStateMachine.DEFAULT_MATERIALISED_VERSIONS);
  }

  /**
   * As {@link #follow(Map, String)}, keeping the latest {@code compiledVersions} routing versions compiled
   * (older ones keep their definitions and compile again when asked).
   */
  public static RoutingLog follow(Map<String, Object> kafka, String topic, int compiledVersions) {
    return new RoutingLog(kafka, topic, compiledVersions, RoutingStateMachine.DEFAULT_KEPT_VERSIONS,
        RoutingStateMachine.DEFAULT_AUDIT_ENTRIES);
  }

  /**
   * As {@link #follow(Map, String, int)}, keeping only the latest {@code keptVersions} versions and
   * {@code auditEntries} audit entries in memory: older versions are recalled from the log when a rollback names
   * one, older audit entries read from it on demand ({@link #auditBefore}).
   */
  public static RoutingLog follow(Map<String, Object> kafka, String topic, int compiledVersions, int keptVersions,
      int auditEntries) {
    return new RoutingLog(kafka, topic, compiledVersions, keptVersions, auditEntries);
  }

  private RoutingLog(Map<String, Object> kafka, String topic, int compiledVersions, int keptVersions,
      int auditEntries) {
    this.keptVersions = keptVersions;
    machine = new RoutingStateMachine(compiledVersions, keptVersions, auditEntries, this::recall);
    partition = new TopicPartition(topic, 0);
    clients = KafkaClients.fromConfig(kafka);
    follower = TopicFollower.one(clients, partition, "routing log", "tandem-routing-log", new TopicFollower.Reader() {
      @Override
      public void apply(ConsumerRecord<byte[], byte[]> record) {
        RoutingLog.this.apply(record);
      }

      @Override
      public void polled(Map<TopicPartition, Long> positions) {
        nextOffset = positions.get(partition);
        completeWaiters();
      }

      @Override
      public void caughtUp() {
        LOG.info("Routing log {} replayed: version {} after {} records", partition, machine.state().version(), nextOffset);
      }

      @Override
      public void failed(Throwable e) {
        LOG.error("Routing log follower stopped", e);
        waiters.values().forEach(w -> w.completeExceptionally(e));
      }
    });
  }

  private void apply(ConsumerRecord<byte[], byte[]> record) {
    AuditEntry entry = applyTo(machine, record, true);
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

  /** Applies one record to {@code target}; a record that cannot be decoded is skipped the same way everywhere. */
  private static AuditEntry applyTo(RoutingStateMachine target, ConsumerRecord<byte[], byte[]> record, boolean log) {
    Proposal proposal;
    try {
      proposal = ProposalCodec.decode(record.value());
    } catch (RuntimeException e) {
      if (log) {
        LOG.warn("Routing log record at offset {} is malformed and skipped: {}", record.offset(), e.getMessage());
      }
      return target.applyMalformed(record.offset(), String.valueOf(e.getMessage()));
    }
    return target.apply(record.offset(), proposal);
  }

  /**
   * The state at {@code version}, replayed from the log's start into a scratch machine that keeps no more than
   * this one (its own rollbacks to older versions recall again, from a shorter prefix). Runs on the caller's
   * thread: the follower's, when a rollback it applies names a version no longer kept.
   */
  private RoutingState recall(long version) {
    long started = System.nanoTime();
    RuntimeException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      try {
        RoutingStateMachine scratch = new RoutingStateMachine(1, keptVersions, 1, this::recall);
        TopicFollower.readPrefix(clients, partition, nextOffset, RECALL_TIMEOUT, record -> {
          applyTo(scratch, record, false);
          return scratch.state().version() < version;
        });
        if (scratch.state().version() != version) {
          throw new IllegalStateException("routing version " + version + " is not in " + partition + " below offset "
              + nextOffset);
        }
        LOG.info("Recalled routing version {} from {} in {} ms (older than the {} versions kept)", version, partition,
            (System.nanoTime() - started) / 1_000_000, keptVersions);
        return scratch.state().definitions();
      } catch (io.tandem.kafka.TopicException e) {
        last = e;
        LOG.warn("Cannot recall routing version {} from {} (attempt {} of 3): {}", version, partition, attempt,
            e.getMessage());
      }
    }
    throw last;
  }

  private static final Duration RECALL_TIMEOUT = Duration.ofMinutes(2);

  /**
   * The newest {@code limit} audit entries below log offset {@code before} that {@code filter} accepts, oldest
   * first. Served from memory when the kept audit reaches back far enough, otherwise by replaying the log from
   * its start into a scratch machine (the log is the audit; memory holds only its latest entries). May block.
   */
  public List<AuditEntry> auditBefore(long before, int limit, java.util.function.Predicate<AuditEntry> filter,
      Duration timeout) {
    Optional<List<AuditEntry>> fromMemory = machine.auditTrail().answers(before, limit, filter);
    if (fromMemory.isPresent()) {
      return fromMemory.get();
    }
    AuditTrail found = new AuditTrail(limit, entry -> entry.offset() < before && filter.test(entry));
    RoutingStateMachine scratch = new RoutingStateMachine(1, keptVersions, 1, this::recall);
    TopicFollower.readPrefix(clients, partition, Math.min(before, nextOffset), timeout, record -> {
      found.add(applyTo(scratch, record, false));
      return true;
    });
    return found.all();
  }

  private void completeWaiters() {
    // Offsets a waiter asked for that are behind us: applied before the waiter was registered (it raced with
    // the follower), or no record of ours at all (transaction markers).
    for (Map.Entry<Long, CompletableFuture<AuditEntry>> e : waiters.headMap(nextOffset).entrySet()) {
      waiters.remove(e.getKey());
      auditAt(e.getKey()).ifPresentOrElse(e.getValue()::complete, () -> e.getValue().completeExceptionally(
          new IllegalStateException("offset " + e.getKey() + " holds no proposal")));
    }
  }

  /** The audit entry of the record at {@code offset}, if still kept (waiters ask for recent ones). */
  private Optional<AuditEntry> auditAt(long offset) {
    return machine.auditTrail().at(offset);
  }

  /** Waits until every record that existed when following began has been applied. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    follower.awaitCaughtUp(timeout);
  }

  /**
   * Waits until this view has applied every record the log held when called: after it returns, a decision
   * reflects every proposal accepted before the call (a follower reading from the log may lag behind).
   *
   * @throws TimeoutException when the end offset cannot be read, or not reached, within {@code timeout}
   */
  public void awaitEnd(Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long end;
    try {
      end = admin().listOffsets(Map.of(partition, org.apache.kafka.clients.admin.OffsetSpec.latest()))
          .partitionResult(partition).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).offset();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new TimeoutException("cannot read the end of " + partition + ": " + e.getCause().getMessage());
    }
    while (nextOffset < end) {
      if (System.nanoTime() > deadline || !follower.healthy()) {
        throw new TimeoutException("routing log view at offset " + nextOffset + ", log end " + end);
      }
      Thread.sleep(5);
    }
  }

  /** Waits until this view has applied the record at {@code offset} (and so everything before it). */
  public void awaitApplied(long offset, Duration timeout) throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (nextOffset <= offset) {
      if (System.nanoTime() > deadline || !follower.healthy()) {
        throw new TimeoutException("routing log view at offset " + nextOffset + ", waiting for " + offset);
      }
      Thread.sleep(5);
    }
  }

  /** The offset of the next record this view will apply (everything before it is applied). */
  public long nextOffset() {
    return nextOffset;
  }

  private org.apache.kafka.clients.admin.Admin admin() {
    org.apache.kafka.clients.admin.Admin current = admin;
    if (current == null) {
      synchronized (this) {
        if (admin == null) {
          admin = clients.admin("tandem-routing-log-end");
        }
        current = admin;
      }
    }
    return current;
  }

  /** What the state machine made of the record at {@code offset}, once this replica applied it. */
  public CompletableFuture<AuditEntry> applied(long offset) {
    CompletableFuture<AuditEntry> future = new CompletableFuture<>();
    Optional<Throwable> failure = follower.failure();
    if (failure.isPresent()) {
      future.completeExceptionally(failure.get());
      return future;
    }
    waiters.put(offset, future);
    if (offset < nextOffset && waiters.remove(offset) != null) {
      auditAt(offset).ifPresentOrElse(future::complete, () -> future.completeExceptionally(
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
    return follower.healthy();
  }

  @Override
  public void close() {
    follower.close();
    org.apache.kafka.clients.admin.Admin current = admin;
    if (current != null) {
      current.close(Duration.ofSeconds(5));
    }
  }
}
