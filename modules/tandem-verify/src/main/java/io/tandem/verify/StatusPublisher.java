package io.tandem.verify;

import io.tandem.routing.SinglePartitionTopic;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes verification passes (and lag measurements) to the compacted status topic the router's
 * promotion gates read. A record is acknowledged before {@link #publish} returns.
 */
public final class StatusPublisher implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;

  public StatusPublisher(Map<String, Object> kafka, String topic, short replicationFactor) {
    this.topic = topic;
    ensureTopic(kafka, topic, replicationFactor);
    Map<String, Object> config = new HashMap<>(kafka);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
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

  private static void ensureTopic(Map<String, Object> kafka, String topic, short replicationFactor) {
    try {
      SinglePartitionTopic.ensure(kafka, topic, replicationFactor, SinglePartitionTopic.compacted());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted while creating status topic " + topic, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new VerifyException("cannot create status topic " + topic + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
