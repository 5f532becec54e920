package io.tandem.runtime;

import io.tandem.kafka.KafkaClients;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Appends proposals to the routing log directly and waits until a routing view applied them: for the demo,
 * the benchmarks and tests, which run no router. Operators go through the router's API (roles, gates,
 * audit): nothing here checks a promotion gate.
 */
public final class RoutingLogDriver implements AutoCloseable {
  private final RoutingClient view;
  private final String topic;
  private final String actor;
  private final KafkaProducer<byte[], byte[]> producer;

  public RoutingLogDriver(KafkaClients kafka, RoutingClient view, String topic, String actor) {
    this.view = view;
    this.topic = topic;
    this.actor = actor;
    this.producer = kafka.producer(Map.of(), Map.of("acks", "all"));
  }

  /** Proposes {@code command} at the view's current version and waits (30 s at most) until the view applied it. */
  public void propose(Command command, boolean rollback) throws Exception {
    long version = view.version();
    producer.send(new ProducerRecord<>(topic, 0, null, ProposalCodec.encode(new Proposal(UUID.randomUUID().toString(),
        version, actor, actor + " drives the routing", Instant.now(), rollback, command)))).get();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (view.version() == version) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(command.type() + " was not applied to the routing log " + topic);
      }
      Thread.sleep(5);
    }
  }

  /**
   * Begins a write switch moving {@code cohort} of {@code entity} to {@code phase} and waits until the switch
   * coordinator completed it; returns begin → completion seen by the view (the fence window).
   */
  public Duration switchTo(String entity, String cohort, String id, Phase phase, boolean rollback,
      Duration timeout) throws Exception {
    long begin = System.nanoTime();
    propose(new Command.BeginSwitch(id, new Command.SetPhase(entity, cohort, phase)), rollback);
    long deadline = begin + timeout.toNanos();
    while (view.state().pendingSwitch().isPresent() || view.state().entity(entity).flatMap(e -> e.cohort(cohort))
        .map(c -> c.phase() != phase).orElse(true)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("write switch " + id + " did not complete within " + timeout
            + " (is the reverse deployment with its switch coordinator running?)");
      }
      Thread.sleep(5);
    }
    return Duration.ofNanos(System.nanoTime() - begin);
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
