package io.tandem.app.verify;

import io.tandem.core.mapping.Mapping;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.status.StatusRecord;
import io.tandem.verify.CohortResolver;
import io.tandem.verify.DeadLetterIndex;
import io.tandem.verify.DeadLetters;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.StatusPublisher;
import io.tandem.verify.StatusTopic;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.VerifyException;
import io.tandem.verify.VerifyOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * One verification pass as {@code tandem verify} and the continuous verifier run it: cohorts from the
 * routing log (at the version current when the pass starts), the re-check delay raised to twice the
 * replication lag last reported, dead letters indexed, every selected entity verified, the outcome
 * published to the status topic for the promotion gates.
 */
public final class Verification {
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  /**
   * @param entities entity names, empty = every mapped entity
   * @param cohort only this cohort's keys count; null = every key
   * @param publish whether to publish the outcome to the status topic
   */
  public record Request(List<String> entities, String cohort, boolean showValues, boolean publish) {}

  private Verification() {}

  public static VerificationReport run(VerifySetup setup, Request request, EntityVerifier.Progress progress,
      Clock clock) throws InterruptedException {
    List<Mapping> mappings = setup.select(request.entities());
    Map<String, Object> kafka = setup.kafka();
    Set<String> topics = topics(kafka);
    String routingTopic = setup.config().verify().routingTopic();
    String statusTopic = setup.config().verify().statusTopic();
    CohortResolver cohorts = CohortResolver.NONE;
    RoutingClient routing = null;
    try {
      if (topics.contains(routingTopic)) {
        routing = RoutingClient.connect(kafka, routingTopic, KAFKA_TIMEOUT);
        cohorts = CohortResolver.of(routing.state());
      } else if (request.cohort() != null) {
        throw VerifyException.badRequest("--cohort " + request.cohort() + ": there is no routing log (topic " + routingTopic
            + " does not exist), so no cohorts");
      }
      Map<String, StatusRecord> status = topics.contains(statusTopic)
          ? StatusTopic.readLatest(kafka, statusTopic, KAFKA_TIMEOUT) : Map.of();
      DeadLetters deadLetters = DeadLetterIndex.read(kafka, setup.config().verify().deadLetterTopics(),
          new AvroDeserializer(AvroSerdeConfig.withClient(SchemaRegistryClient.builder(setup.registry()).build())),
          setup.mappings(), KAFKA_TIMEOUT);
      List<EntityResult> results = new ArrayList<>();
      for (Mapping mapping : mappings) {
        VerifyOptions options = setup.options(request.showValues(), request.cohort());
        StatusRecord lag = status.get(StatusRecord.lagKey(mapping.entity()));
        if (lag instanceof StatusRecord.Lag l && Duration.ofMillis(2 * l.lagMillis()).compareTo(options.recheckDelay()) > 0) {
          options = options.withRecheckDelay(Duration.ofMillis(2 * l.lagMillis()));
        }
        EntityVerifier verifier = EntityVerifier.create(mapping, setup.schemas().get(mapping.entity()),
            mapping.entity(), setup.legacy(), setup.fresh(), options, cohorts, deadLetters, clock);
        results.add(verifier.run(progress));
      }
      VerificationReport report = new VerificationReport(results);
      if (request.publish()) {
        try (StatusPublisher publisher = new StatusPublisher(kafka, statusTopic, (short) -1)) {
          publisher.publish(report.statusRecords());
        }
      }
      return report;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new VerifyException("routing log " + routingTopic + " not replayed within " + KAFKA_TIMEOUT.toSeconds()
          + " s", e);
    } finally {
      if (routing != null) {
        routing.close();
      }
    }
  }

  private static Set<String> topics(Map<String, Object> kafka) throws InterruptedException {
    try (Admin client = Admin.create(kafka)) {
      return client.listTopics().names().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new VerifyException("cannot reach Kafka at " + kafka.get("bootstrap.servers") + ": " + e.getMessage(), e);
    }
  }

}
