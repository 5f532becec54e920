package io.tandem.router.gate;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
  private final Map<String, StatusRecord> newest = new ConcurrentHashMap<>();
  private final AtomicLong skipped = new AtomicLong();
  private final TopicFollower follower;

  /**
   * Creates the status topic if it does not exist: one partition, compacted (only the newest fact per
   * key matters; the verifier and the pipeline write them).
   */
  public static void ensureTopic(Map<String, Object> kafka, String topic, short replicationFactor) {
    Topics.ensure(KafkaClients.fromConfig(kafka), TopicSpec.singlePartition(topic, replicationFactor,
        TopicSpec.compactedPolicy()));
  }

  /** Starts following every partition of {@code topic} (which must exist); returns at once. */
  public static StatusBoard follow(Map<String, Object> kafka, String topic) {
    return new StatusBoard(kafka, topic);
  }

  private StatusBoard(Map<String, Object> kafka, String topic) {
    this.topic = topic;
    this.follower = TopicFollower.all(KafkaClients.fromConfig(kafka), topic, "status topic " + topic, "tandem-status-board",
        new TopicFollower.Reader() {
          @Override
          public void apply(ConsumerRecord<byte[], byte[]> record) {
            StatusBoard.this.apply(record);
          }

          @Override
          public void caughtUp() {
            LOG.info("Status topic {} read: {} facts, {} records skipped", topic, newest.size(), skipped.get());
          }

          @Override
          public void failed(Throwable e) {
            LOG.error("Status topic follower stopped; promotion gates refuse until the replica restarts", e);
          }
        });
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

  /** Waits until every record that existed when following began has been read. */
  public void awaitCaughtUp(Duration timeout) throws TimeoutException, InterruptedException {
    follower.awaitCaughtUp(timeout);
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
  public Optional<StatusRecord.Lag> lag(String entity, String source) {
    StatusRecord record = newest.get(new StatusRecord.Lag(entity, 0, java.time.Instant.EPOCH, source).key());
    return record instanceof StatusRecord.Lag l ? Optional.of(l) : Optional.empty();
  }

  @Override
  public Optional<StatusRecord.MappingVersion> mapping(String entity) {
    StatusRecord record = newest.get(StatusRecord.mappingKey(entity));
    return record instanceof StatusRecord.MappingVersion m ? Optional.of(m) : Optional.empty();
  }

  @Override
  public Optional<StatusRecord.Lag> captureLag(String entity) {
    StatusRecord record = newest.get(StatusRecord.captureLagKey(entity));
    return record instanceof StatusRecord.Lag l ? Optional.of(l) : Optional.empty();
  }

  @Override
  public Optional<String> problem() {
    Optional<Throwable> failed = follower.failure();
    if (failed.isPresent() || follower.stoppedUnexpectedly()) {
      // The cause names brokers and topics: it is in the router's log (the follower's failed()), not in answers.
      return Optional.of("the status topic " + topic + " is no longer followed by this replica ("
          + (failed.isPresent() ? "failed; the router's log says why" : "stopped") + ")");
    }
    if (!follower.isCaughtUp()) {
      return Optional.of("the status topic " + topic + " has not been read to its end yet");
    }
    return Optional.empty();
  }

  /** Every fact held now (the newest per key), for the console. */
  public java.util.List<StatusRecord> records() {
    return java.util.List.copyOf(newest.values());
  }

  /** Records skipped because they could not be decoded or were keyed wrongly. */
  public long skipped() {
    return skipped.get();
  }

  public String topic() {
    return topic;
  }

  public boolean healthy() {
    return follower.healthy();
  }

  @Override
  public void close() {
    follower.close();
  }
}
