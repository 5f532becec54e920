package io.tandem.routing.status;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes facts (verification passes, lag measurements) to the compacted status topic the router's
 * promotion gates read. A record is acknowledged before {@link #publish} returns.
 */
public final class StatusPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  /**
   * Creates the topic when it is missing (one partition, compacted: only the newest fact per key matters).
   *
   * @throws io.tandem.kafka.TopicException when the topic cannot be created or is not fit
   */
  public StatusPublisher(KafkaClients kafka, String topic, short replicationFactor) {
    this.topic = topic;
    Topics.ensure(kafka, TopicSpec.singlePartition(topic, replicationFactor, TopicSpec.compactedPolicy()));
    this.producer = kafka.producer(Map.of(),
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
  }

  /** @throws IllegalStateException naming the topic when Kafka refuses or cannot be reached */
  public void publish(List<? extends StatusRecord> records) {
    try {
      for (StatusRecord record : records) {
        producer.send(new ProducerRecord<>(topic, record.key().getBytes(StandardCharsets.UTF_8),
            StatusCodec.encode(record)));
      }
      producer.flush();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot publish to status topic " + topic + ": " + e.getMessage(), e);
    }
  }

  /** Withdraws the fact under {@code key} (a tombstone: compaction removes it). */
  public void withdraw(String key) {
    try {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), null));
      producer.flush();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot publish to status topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
