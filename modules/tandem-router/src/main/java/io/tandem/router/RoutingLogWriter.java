package io.tandem.router;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingLog;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Appends proposals to the routing log and answers with what this replica's state machine made of
 * them: the API replies only after its own replica applied the proposal.
 */
public final class RoutingLogWriter implements AutoCloseable {
  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final RoutingLog log;

  public RoutingLogWriter(Map<String, Object> kafka, String topic, RoutingLog log) {
    // A proposal waits for its own round trip: send it at once.
    this.producer = KafkaClients.fromConfig(kafka).producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "0"),
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"));
    this.topic = topic;
    this.log = log;
  }

  /**
   * Creates the routing log if it does not exist: one partition (one order for every proposal),
   * kept forever (it is the audit trail and every replica's state is rebuilt from it).
   */
  public static void ensureTopic(Map<String, Object> kafka, String topic, short replicationFactor) {
    Topics.ensure(KafkaClients.fromConfig(kafka), TopicSpec.singlePartition(topic, replicationFactor,
        TopicSpec.keptForever()));
  }

  /** Proposals sent by this replica and not yet seen applied: this replica announces what they change. */
  private final java.util.Set<String> proposedHere = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Whether this replica sent the proposal with this id (answered once: the id is forgotten). */
  public boolean proposedHere(String proposalId) {
    return proposedHere.remove(proposalId);
  }

  /** Appends {@code proposal}; completes once this replica applied it (applied or rejected). */
  public CompletableFuture<AuditEntry> propose(Proposal proposal) {
    CompletableFuture<AuditEntry> result = new CompletableFuture<>();
    proposedHere.add(proposal.id()); // before sending: the follower may apply it before the send's callback
    producer.send(new ProducerRecord<>(topic, 0, null, ProposalCodec.encode(proposal)), (metadata, error) -> {
      if (error != null) {
        proposedHere.remove(proposal.id());
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
