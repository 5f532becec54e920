package io.tandem.registry.server;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicException;
import io.tandem.kafka.TopicFollower;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.RegistryException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry log in a single-partition compacted topic.
 *
 * <p>Instances that share the topic elect no leader. Instead every writer uses the same
 * transactional id: initialising a transactional producer fences every earlier one, so a writer
 * whose view of the log may be stale cannot commit. A fenced writer re-initialises (fencing the
 * other), catches up and tries again. Readers use {@code read_committed}, so aborted writes are
 * never applied.
 */
final class KafkaSchemaLog implements SchemaLog {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSchemaLog.class);

  private final String topic;
  private final TopicPartition partition;
  private final KafkaClients kafka;
  private final short replicationFactor;
  private final LogRecordCodec codec = new LogRecordCodec();
  private final Admin admin;

  private final Object progress = new Object();
  private long appliedPosition; // next offset to apply; guarded by progress
  private RuntimeException readerFailure; // guarded by progress

  private TopicFollower reader;
  private KafkaProducer<byte[], byte[]> producer; // guarded by this

  KafkaSchemaLog(String bootstrapServers, String topic, short replicationFactor, Map<String, Object> extraClientConfig) {
    this.topic = topic;
    this.partition = new TopicPartition(topic, 0);
    this.replicationFactor = replicationFactor;
    this.kafka = KafkaClients.of(bootstrapServers, extraClientConfig);
    this.admin = kafka.admin("tandem-registry-admin-" + topic);
  }

  @Override
  public void start(Consumer<LogRecord> applier, Duration timeout) {
    ensureTopic(timeout);
    reader = TopicFollower.one(kafka, partition, "registry topic " + topic, "tandem-registry-reader-" + topic,
        new TopicFollower.Reader() {
          @Override
          public void apply(ConsumerRecord<byte[], byte[]> record) {
            LogRecord decoded = decode(record);
            if (decoded != null) {
              applier.accept(decoded);
            }
          }

          @Override
          public void polled(Map<TopicPartition, Long> positions) {
            synchronized (progress) {
              appliedPosition = positions.get(partition);
              progress.notifyAll();
            }
          }

          @Override
          public void failed(Throwable e) {
            LOG.error("Registry log reader for topic {} stopped", topic, e);
            synchronized (progress) {
              readerFailure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
              progress.notifyAll();
            }
          }
        });
    catchUpAfterCreate(timeout);
  }

  /**
   * Right after the topic is created the broker may not know its leader yet and answers
   * "unknown topic or partition": that is retried until the timeout; anything else is not.
   */
  private void catchUpAfterCreate(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        catchUp(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        return;
      } catch (RegistryException e) {
        Throwable cause = e.getCause() instanceof ExecutionException ? e.getCause().getCause() : e.getCause();
        if (!(cause instanceof RetriableException) || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private LogRecord decode(ConsumerRecord<byte[], byte[]> record) {
    if (record.key() == null) {
      LOG.error("Skipping record without key at {}@{}", partition, record.offset());
      return null;
    }
    try {
      return codec.decode(record.key(), record.value());
    } catch (IOException | RuntimeException e) {
      // Deterministic: every instance skips the same unreadable record.
      LOG.error("Skipping unreadable registry record at {}@{}: {}", partition, record.offset(), e.getMessage());
      return null;
    }
  }

  @Override
  public synchronized void acquireWriter(Duration timeout) throws LogConflictException {
    if (producer != null) {
      return;
    }
    KafkaProducer<byte[], byte[]> created = kafka.producer(Map.of(), Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, "tandem-registry-writer-" + UUID.randomUUID(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tandem-registry-" + topic,
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis()));
    try {
      created.initTransactions();
    } catch (KafkaException e) {
      created.close(Duration.ZERO);
      if (permanent(e)) {
        throw storeError("could not become the writer of topic " + topic, e);
      }
      throw new LogConflictException("could not become the writer of topic " + topic + ": " + e.getMessage(), e);
    }
    producer = created;
  }

  @Override
  public void catchUp(Duration timeout) {
    long end;
    try {
      end = admin.listOffsets(Map.of(partition, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .partitionResult(partition).get(timeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    } catch (ExecutionException | TimeoutException e) {
      throw timeoutError("could not read the end of topic " + topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw timeoutError("interrupted while reading the end of topic " + topic, e);
    }
    awaitApplied(end, timeout);
  }

  @Override
  public synchronized void append(List<LogRecord> records, Duration timeout) throws LogConflictException {
    if (producer == null) {
      throw new LogConflictException("writer not acquired", null);
    }
    long lastOffset;
    try {
      producer.beginTransaction();
      Future<RecordMetadata> last = null;
      for (LogRecord record : records) {
        last = producer.send(new ProducerRecord<>(topic, 0, codec.key(record), codec.value(record)));
      }
      producer.commitTransaction();
      lastOffset = last.get().offset();
    } catch (ExecutionException e) {
      throw writeFailed(e.getCause());
    } catch (KafkaException e) {
      throw writeFailed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      dropProducer();
      throw storeError("interrupted while writing to topic " + topic, e);
    }
    awaitApplied(lastOffset + 1, timeout);
  }

  /**
   * After a failed transaction the writer is dropped, so the next attempt re-initialises it, which
   * also settles the failed transaction. Fencing and transient broker errors are conflicts (the
   * caller re-reads the log and re-plans, so a write that did commit is not repeated); missing
   * permissions are not.
   */
  private LogConflictException writeFailed(Throwable cause) {
    dropProducer();
    if (permanent(cause)) {
      throw storeError("could not write to topic " + topic, cause);
    }
    return new LogConflictException("write to " + topic + " failed: " + cause.getMessage(), cause);
  }

  private static boolean permanent(Throwable e) {
    return e instanceof AuthorizationException || e instanceof AuthenticationException
        || e instanceof UnsupportedVersionException;
  }

  private void dropProducer() {
    if (producer != null) {
      producer.close(Duration.ZERO);
      producer = null;
    }
  }

  private void awaitApplied(long position, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (progress) {
      while (appliedPosition < position) {
        if (readerFailure != null) {
          throw storeError("the registry log reader stopped", readerFailure);
        }
        long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remaining <= 0) {
          throw timeoutError("timed out applying topic " + topic + " up to offset " + position
              + " (applied up to " + appliedPosition + ")", null);
        }
        try {
          progress.wait(remaining);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw timeoutError("interrupted while waiting for topic " + topic, e);
        }
      }
    }
  }

  /** One partition (one order for every instance) and compaction (retention would delete schemas). */
  private void ensureTopic(Duration timeout) {
    Map<String, String> configs = Map.of(
        TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0");
    try {
      if (!Topics.ensure(kafka, List.of(TopicSpec.singlePartition(topic, replicationFactor, configs)), timeout)
          .isEmpty()) {
        LOG.info("Created registry topic {} (compacted, 1 partition)", topic);
      }
    } catch (TopicException e) {
      throw e.timedOut() ? timeoutError("registry topic " + topic, e) : storeError("registry topic " + topic, e);
    }
  }

  private static RegistryException storeError(String message, Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new RegistryException(500, ErrorCode.STORE_ERROR, "Error in the backend datastore: " + message + detail, cause);
  }

  private static RegistryException timeoutError(String message, Throwable cause) {
    String detail = cause == null || cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return new RegistryException(500, ErrorCode.OPERATION_TIMEOUT, "Operation timed out: " + message + detail, cause);
  }

  @Override
  public String describe() {
    return "kafka topic " + topic;
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
    }
    synchronized (this) {
      if (producer != null) {
        producer.close(Duration.ofSeconds(5));
        producer = null;
      }
    }
    admin.close(Duration.ofSeconds(5));
  }
}
