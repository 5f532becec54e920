package io.tandem.verify;

import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.status.StatusPublisher;
import io.tandem.routing.status.StatusRecord;
import io.tandem.routing.status.StatusTopic;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The verifier's one face: verification passes ({@code tandem verify}), repair ({@code --repair}) and
 * the continuous verifier of {@code tandem run}, over the migrated entities of one deployment.
 *
 * <p>A pass: cohorts from the routing log (at the version current when the pass starts), the re-check
 * delay raised to twice the replication lag last reported, dead letters indexed, every selected entity
 * verified, the outcome published to the status topic for the promotion gates.
 */
public final class Verifier {
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

  /** Re-emits chosen legacy rows through capture (Debezium's signal table: docs/capture.md). */
  public interface Reemitter {
    /** @throws VerifyException saying why rows cannot be re-emitted (nothing is done then) */
    void requireAvailable();

    /** Asks capture to read these rows of {@code sourceTable} again, by their legacy keys. */
    void request(Connection legacy, String sourceTable, List<String> keyColumns, List<List<?>> keys)
        throws SQLException;

    /**
     * The legacy position now, as capture numbers changes: a delete published with it outranks every change
     * committed before and loses to every later one.
     */
    long currentPosition(Connection legacy) throws SQLException;
  }

  /**
   * What verification needs, resolved before any connection is opened.
   *
   * @param legacy where legacy rows are read (the primary, or the configured replica)
   * @param legacyDescription the legacy database as reports name it (no credentials)
   * @param legacyPrimary the primary itself: repair reads positions and writes signals there
   * @param fresh the new database
   */
  public record Setup(List<MappedEntity> entities, Connector legacy, String legacyDescription, Connector legacyPrimary,
      Connector fresh, KafkaClients kafka, SchemaRegistryClient registry, VerifySettings settings,
      Reemitter reemitter, Map<String, Connector> otherSources) {
    public Setup {
      entities = List.copyOf(entities);
      Objects.requireNonNull(settings, "settings");
      otherSources = Map.copyOf(otherSources);
    }

    /** One legacy source. */
    public Setup(List<MappedEntity> entities, Connector legacy, String legacyDescription, Connector legacyPrimary,
        Connector fresh, KafkaClients kafka, SchemaRegistryClient registry, VerifySettings settings,
        Reemitter reemitter) {
      this(entities, legacy, legacyDescription, legacyPrimary, fresh, kafka, registry, settings, reemitter, Map.of());
    }

    /** Every legacy source by name, the {@code legacy} section's as {@link io.tandem.core.mapping.MergeRule#PRIMARY_SOURCE}. */
    public Map<String, Connector> sources() {
      Map<String, Connector> all = new java.util.HashMap<>(otherSources);
      all.put(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE, legacy);
      return all;
    }
  }

  /**
   * @param entities entity names, empty = every mapped entity
   * @param cohort only this cohort's keys count; null = every key
   * @param publish whether to publish the outcome to the status topic
   * @param revealSensitive whether shown values include sensitive fields' (an admin's audited choice)
   */
  public record Request(List<String> entities, String cohort, boolean showValues, boolean publish,
      boolean revealSensitive) {
    public Request {
      entities = entities == null ? List.of() : List.copyOf(entities);
    }

    public Request(List<String> entities, String cohort, boolean showValues, boolean publish) {
      this(entities, cohort, showValues, publish, false);
    }
  }

  private final Setup setup;

  public Verifier(Setup setup) {
    this.setup = Objects.requireNonNull(setup, "setup");
  }

  public Setup setup() {
    return setup;
  }

  /**
   * The entities to verify: all, or those named.
   *
   * @throws IllegalArgumentException for an unknown name, naming the known ones
   */
  public List<MappedEntity> select(List<String> names) {
    return select(setup.entities(), names);
  }

  /** {@code all}, or those of them named; an unknown name is refused naming the known ones. */
  public static List<MappedEntity> select(List<MappedEntity> all, List<String> names) {
    if (names == null || names.isEmpty()) {
      return all;
    }
    List<MappedEntity> selected = new ArrayList<>();
    for (String name : names) {
      selected.add(all.stream().filter(e -> e.name().equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown entity '" + name + "'; mapped entities: "
              + all.stream().map(MappedEntity::name).toList())));
    }
    return selected;
  }

  /** One pass over the requested entities. */
  public VerificationReport pass(Request request, EntityVerifier.Progress progress, Clock clock)
      throws InterruptedException {
    List<MappedEntity> entities = select(request.entities());
    VerifySettings settings = setup.settings();
    Set<String> topics = topics();
    CohortResolver cohorts = CohortResolver.NONE;
    RoutingClient routing = null;
    try {
      if (topics.contains(settings.routingTopic())) {
        routing = RoutingClient.connect(setup.kafka().config(), settings.routingTopic(), KAFKA_TIMEOUT);
        cohorts = CohortResolver.of(routing.state());
      } else if (request.cohort() != null) {
        throw VerifyException.badRequest("--cohort " + request.cohort() + ": there is no routing log (topic "
            + settings.routingTopic() + " does not exist), so no cohorts");
      }
      Map<String, StatusRecord> status = topics.contains(settings.statusTopic())
          ? StatusTopic.readLatest(setup.kafka(), settings.statusTopic(), KAFKA_TIMEOUT) : Map.of();
      DeadLetters deadLetters = DeadLetterIndex.read(setup.kafka(), settings.deadLetterTopics(),
          new AvroDeserializer(AvroSerdeConfig.withClient(setup.registry())),
          setup.entities().stream().map(MappedEntity::mapping).toList(), KAFKA_TIMEOUT);
      List<EntityResult> results = new ArrayList<>();
      for (MappedEntity entity : entities) {
        VerifyOptions options = settings.options(request.showValues(), request.cohort(),
            request.revealSensitive());
        StatusRecord lag = status.get(StatusRecord.lagKey(entity.name()));
        if (lag instanceof StatusRecord.Lag l
            && Duration.ofMillis(2 * l.lagMillis()).compareTo(options.recheckDelay()) > 0) {
          options = options.withRecheckDelay(Duration.ofMillis(2 * l.lagMillis()));
        }
        if (entity.merge().isPresent()) {
          results.add(MergedEntityVerifier.create(entity, entity.name(), setup.sources(), setup.fresh(), options,
              clock).run(progress));
          continue;
        }
        EntityVerifier verifier = EntityVerifier.create(entity.mapping(), entity.schema(), entity.name(),
            setup.legacy(), setup.fresh(), options, cohorts, deadLetters, clock);
        results.add(verifier.run(progress));
      }
      VerificationReport report = new VerificationReport(results);
      if (request.publish()) {
        try (StatusPublisher publisher = new StatusPublisher(setup.kafka(), settings.statusTopic(), (short) -1)) {
          Map<String, String> fingerprints = new java.util.HashMap<>();
          entities.forEach(entity -> fingerprints.put(entity.name(), entity.fingerprint()));
          publisher.publish(report.statusRecords().stream().map(v -> v.withMapping(fingerprints.get(v.entity())))
              .toList());
        } catch (TopicException | IllegalStateException e) {
          throw new VerifyException(e.getMessage(), e);
        }
      }
      return report;
    } catch (java.util.concurrent.TimeoutException e) {
      throw new VerifyException("routing log " + settings.routingTopic() + " not replayed within "
          + KAFKA_TIMEOUT.toSeconds() + " s", e);
    } catch (TopicException e) {
      throw new VerifyException(e.getMessage(), e);
    } finally {
      if (routing != null) {
        routing.close();
      }
    }
  }

  /** Puts each difference of {@code report} right through the pipeline and waits for it: {@link Repair}. */
  public List<Repair.Outcome> repair(VerificationReport report, Duration timeout, Clock clock)
      throws InterruptedException {
    return Repair.run(this, report, timeout, clock);
  }

  /**
   * Has capture read every row of {@code entity}'s legacy table again through the pipeline ({@link Resnapshot});
   * returns how many rows were asked for. Rows arrive asynchronously, as capture reaches the signals.
   *
   * @param progress told the number asked for so far, after each batch
   */
  public long resnapshot(String entity, java.util.function.LongConsumer progress) {
    return Resnapshot.run(setup, select(List.of(entity)).get(0), progress);
  }

  /** The {@code verify} component of {@code tandem run}: a pass, a pause, again. */
  public ContinuousVerifier continuous(Clock clock) {
    return new ContinuousVerifier(this, setup.settings().interval(), clock);
  }

  private Set<String> topics() throws InterruptedException {
    try (Admin client = setup.kafka().admin("tandem-verify")) {
      return client.listTopics().names().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new VerifyException("cannot reach Kafka at " + setup.kafka().bootstrapServers() + ": " + e.getMessage(),
          e);
    }
  }
}
