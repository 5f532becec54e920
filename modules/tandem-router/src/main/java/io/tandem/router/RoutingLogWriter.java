package io.tandem.router;

import io.tandem.routing.SinglePartitionTopic;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingLog;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Appends proposals to the routing log and answers with what this replica's state machine made of
 * them: the API replies only after its own replica applied the proposal.
 */
public final class RoutingLogWriter implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final RoutingLog log;

  public RoutingLogWriter(Map<String, Object> kafka, String topic, RoutingLog log) {
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    this.producer = new KafkaProducer<>(props);
    this.topic = topic;
    this.log = log;
  }

  /**
   * Creates the routing log if it does not exist: one partition (one order for every proposal),
   * kept forever (it is the audit trail and every replica's state is rebuilt from it).
   */
  public static void ensureTopic(Map<String, Object> kafka, String topic, short replicationFactor)
      throws InterruptedException, ExecutionException, TimeoutException {
    SinglePartitionTopic.ensure(kafka, topic, replicationFactor, SinglePartitionTopic.keptForever());
  }

  /** Appends {@code proposal}; completes once this replica applied it (applied or rejected). */
  public CompletableFuture<AuditEntry> propose(Proposal proposal) {
    CompletableFuture<AuditEntry> result = new CompletableFuture<>();
    producer.send(new ProducerRecord<>(topic, 0, null, ProposalCodec.encode(proposal)), (metadata, error) -> {
      if (error != null) {
        result.completeExceptionally(error);
      } else {
        log.applied(metadata.offset()).whenComplete((entry, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(entry);
          }
        });
      }
    });
    return result;
  }

  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
  }
}
