package io.tandem.verify;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicException;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Publishes verification passes (and lag measurements) to the compacted status topic the router's
 * promotion gates read. A record is acknowledged before {@link #publish} returns.
 */
public final class StatusPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  public StatusPublisher(Map<String, Object> kafka, String topic, short replicationFactor) {
    this.topic = topic;
    KafkaClients clients = KafkaClients.fromConfig(kafka);
    ensureTopic(clients, topic, replicationFactor);
    this.producer = clients.producer(Map.of(),
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
  }

  public void publish(List<? extends StatusRecord> records) {
    try {
      for (StatusRecord record : records) {
        producer.send(new ProducerRecord<>(topic, record.key().getBytes(StandardCharsets.UTF_8),
            StatusCodec.encode(record)));
      }
      producer.flush();
    } catch (RuntimeException e) {
      throw new VerifyException("cannot publish to status topic " + topic + ": " + e.getMessage(), e);
    }
  }

  private static void ensureTopic(KafkaClients kafka, String topic, short replicationFactor) {
    try {
      Topics.ensure(kafka, TopicSpec.singlePartition(topic, replicationFactor, TopicSpec.compactedPolicy()));
    } catch (TopicException e) {
      throw new VerifyException("cannot create status topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
