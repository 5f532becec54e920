package io.tandem.transform;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.core.model.ReverseEntity;
import org.apache.kafka.streams.Topology;
import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running transform stage: registers every entity schema (refusing to start on an
 * incompatible change, with the registry's reason), then runs the topology on Kafka Streams.
 * Several instances with the same application id share the partitions.
 *
 * <p>It is {@link State#RUNNING} once Kafka Streams first reaches RUNNING (partitions assigned), and
 * {@link State#FAILED} when a stream thread dies or Kafka Streams stops by itself.
 */
public final class TransformStage extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(TransformStage.class);
  private static final String NAME = "transform";
  private static final String REVERSE_NAME = "reverse";

  private final Builder config;
  private final TransformMetrics metrics = new TransformMetrics();
  private volatile KafkaStreams streams;

  private TransformStage(Builder config) {
    super(config.reverse.isEmpty() ? NAME : REVERSE_NAME);
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Registers the schemas and starts Kafka Streams; throws (and is FAILED) when either is refused. */
  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      AvroSerdeConfig serde = AvroSerdeConfig.withClient(config.client);
      Topology topology;
      List<String> outputs;
      if (config.reverse.isEmpty()) {
        List<EntityRoute> routes = config.entities.stream().map(e -> new EntityRoute(e.mapping(), e.schema(),
            e.members())).toList();
        routes.forEach(route -> register(route.schema().entity(), route.schema().topic(), route.schema().keySchema(),
            route.schema().valueSchema()));
        config.entities.stream().filter(e -> e.merge().isEmpty()).forEach(this::typeCheckAgainstRawSchema);
        Map<String, String> prefixes = new HashMap<>(config.otherSources);
        prefixes.put(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE, config.topicPrefix);
        topology = TransformTopology.build(prefixes, routes, new AvroDeserializer(serde),
            new AvroSerializer(serde, true), new AvroSerializer(serde, false), metrics);
        outputs = routes.stream().map(r -> r.schema().topic()).toList();
      } else {
        config.reverse.forEach(e -> register(e.name(), e.topic(), e.keySchema(), e.valueSchema()));
        topology = ReverseTopology.build(config.topicPrefix, config.reverse, new AvroDeserializer(serde),
            new AvroSerializer(serde, true), new AvroSerializer(serde, false), metrics);
        outputs = config.reverse.stream().map(ReverseEntity::topic).toList();
      }
      Properties props = new Properties();
      Map<String, Object> fixed = new HashMap<>(Map.of(StreamsConfig.APPLICATION_ID_CONFIG,
          config.settings.applicationId(),
          StreamsConfig.STATE_DIR_CONFIG, config.settings.stateDir().toString(),
          StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.settings.threads()));
      // A static member (Streams adds the thread index): after a crash the restarted instance gets its
      // tasks back at once instead of after the dead member's session timeout.
      config.kafka.instanceId().ifPresent(id ->
          fixed.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
      // Offsets are committed often: a restart re-processes little, and the sink's position
      // check makes any re-processed change harmless.
      props.putAll(config.kafka.config(
          Map.of(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200,
              StreamsConfig.producerPrefix("linger.ms"), 5,
              StreamsConfig.producerPrefix("compression.type"), "lz4",
              StreamsConfig.consumerPrefix("max.poll.records"), 2000),
          fixed));
      KafkaStreams created = new KafkaStreams(topology, props);
      created.setUncaughtExceptionHandler(e -> {
        LOG.error("Transform stage failed; stopping it", e);
        lifecycle.finish(fencedInstance(e) ? new IllegalStateException("another process joined Kafka Streams "
            + "application " + config.settings.applicationId() + " with this process's kafka.instanceId "
            + config.kafka.instanceId().orElse("") + "; give each process that runs this stage its own "
            + "kafka.instanceId", e) : e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      created.setStateListener((now, before) -> {
        if (now == KafkaStreams.State.RUNNING) {
          lifecycle.markRunning();
        } else if (now == KafkaStreams.State.ERROR) {
          lifecycle.finish(new IllegalStateException("Kafka Streams went to ERROR (see tandem.log)"));
        } else if (now == KafkaStreams.State.NOT_RUNNING && !lifecycle.isStopRequested()) {
          lifecycle.finish(new IllegalStateException("Kafka Streams stopped by itself (see tandem.log)"));
        }
      });
      streams = created;
      created.start();
      LOG.info("{} stage started: {} mapping(s), topics {}", name(), outputs.size(), outputs);
    } catch (RuntimeException e) {
      lifecycle.finish(e);
      throw e;
    }
  }

  /**
   * Checks the mapping's expressions against the legacy columns as the raw topic carries them: the latest raw
   * schema capture registered. Before capture has registered one there is nothing to check against yet (the
   * verifier and {@code tandem inventory} check against the legacy catalog too).
   *
   * @throws io.tandem.core.config.ConfigException naming the mapping file and field when one does not type-check
   */
  private void typeCheckAgainstRawSchema(MappedEntity entity) {
    boolean hasExpressions = entity.mapping().fields().values().stream().anyMatch(r -> r.expression() != null)
        || entity.mapping().filters().stream().anyMatch(f -> f.when() != null);
    if (!hasExpressions) {
      return;
    }
    String subject = entity.rawTopic(config.topicPrefix) + "-value";
    org.apache.avro.Schema change;
    try {
      change = new org.apache.avro.Schema.Parser().parse(config.client.latest(subject).schema());
    } catch (RegistryException e) {
      if (e.errorCode() == io.tandem.registry.ErrorCode.SUBJECT_NOT_FOUND) {
        LOG.info("{}: no raw schema under {} yet; its expressions are checked against the legacy catalog by the"
            + " verifier and tandem inventory", entity.mapping().name(), subject);
        return;
      }
      throw new IllegalStateException("cannot read raw schema " + subject + ": " + e.getMessage(), e);
    }
    org.apache.avro.Schema.Field after = change.getField("after");
    if (after == null) {
      return; // not a Tandem raw change schema: the records say so when they arrive
    }
    java.util.Map<String, io.tandem.core.mapping.Expression.ColumnType> columns = new java.util.LinkedHashMap<>();
    org.apache.avro.Schema row = after.schema().getType() == org.apache.avro.Schema.Type.UNION
        ? after.schema().getTypes().stream().filter(t -> t.getType() == org.apache.avro.Schema.Type.RECORD)
            .findFirst().orElse(after.schema())
        : after.schema();
    for (org.apache.avro.Schema.Field column : row.getFields()) {
      columns.put(column.name(), io.tandem.core.mapping.Expression.ColumnType.ofAvro(column.schema()));
    }
    entity.mapping().typeCheck(columns);
  }

  private void register(String entity, String topic, org.apache.avro.Schema key, org.apache.avro.Schema value) {
    try {
      config.client.register(topic + "-key", key);
      config.client.register(topic + "-value", value);
    } catch (RegistryException e) {
      throw new IllegalStateException("schema of " + topic + " for entity '" + entity + "' refused by the registry: "
          + e.getMessage(), e);
    }
  }

  /** Kafka Streams' own state (e.g. RUNNING, REBALANCING), for status output. */
  public String streamsState() {
    KafkaStreams current = streams;
    return current == null ? "NOT_STARTED" : current.state().name();
  }

  public TransformMetrics metrics() {
    return metrics;
  }

  @Override
  public String status() {
    return state() + "  application " + config.settings.applicationId() + ", Kafka Streams " + streamsState() + ": "
        + config.topicPrefix + ".* → " + (config.reverse.isEmpty()
            ? config.entities.stream().map(MappedEntity::topic).toList()
            : config.reverse.stream().map(ReverseEntity::topic).toList());
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    List<String> names = config.reverse.isEmpty() ? config.entities.stream().map(MappedEntity::name).toList()
        : config.reverse.stream().map(ReverseEntity::name).toList();
    for (String name : names) {
      FunctionCounter.builder(config.reverse.isEmpty() ? "tandem.transform.records" : "tandem.reverse.records", this,
              t -> t.metrics().migratedByEntity().getOrDefault(name, 0L))
          .tags("entity", name).description(config.reverse.isEmpty() ? "Records written to migrated topics"
              : "Legacy rows written to reverse topics").register(meters);
    }
    if (config.reverse.isEmpty()) {
      for (String table : config.entities.stream().map(MappedEntity::sourceTable).distinct().toList()) {
        io.micrometer.core.instrument.Gauge.builder("tandem.transform.unmapped.columns", this,
                t -> t.metrics().unmappedColumns(table).size())
            .tags("table", table).description("Legacy columns seen in changes that no mapping reads or drops")
            .register(meters);
      }
    }
    FunctionCounter.builder("tandem.dlq.records", this, t -> t.metrics().deadLettered()).tags("stage", name())
        .description("Records sent to a dead-letter topic").register(meters);
  }

  @Override
  public void close() {
    State before = lifecycle.requestStop();
    KafkaStreams current = streams;
    if (current != null && before != State.STOPPED && before != State.STOPPING) {
      current.close(Duration.ofSeconds(30));
    }
    lifecycle.finish(null);
  }

  /** Typed settings; {@link #build()} checks that the required ones are there. */
  public static final class Builder {
    private KafkaClients kafka;
    private TransformSettings settings = TransformSettings.defaults();
    private String topicPrefix;
    private List<MappedEntity> entities = List.of();
    private SchemaRegistryClient client;
    private List<ReverseEntity> reverse = List.of();
    private Map<String, String> otherSources = Map.of();

    private Builder() {}

    /** Raw topic prefixes of the legacy sources besides the {@code legacy} section's, by source name (merges). */
    public Builder otherSources(Map<String, String> prefixBySource) {
      this.otherSources = Map.copyOf(prefixBySource);
      return this;
    }

    /**
     * Makes this the reverse stage (new → legacy): reads the new database's raw topics (prefix
     * {@code new.<db>}) and writes {@code reverse.<entity>}; used instead of {@link #entities}.
     */
    public Builder reverse(List<ReverseEntity> entities) {
      this.reverse = List.copyOf(entities);
      return this;
    }

    /** The Kafka cluster and the deployment's client settings (security, processing guarantee, ...). */
    public Builder kafka(KafkaClients kafka) {
      this.kafka = Objects.requireNonNull(kafka, "kafka");
      return this;
    }

    /** The {@code transform} section: application id, threads, state directory. */
    public Builder settings(TransformSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Raw topic prefix, {@code legacy.<db>}. */
    public Builder topicPrefix(String topicPrefix) {
      this.topicPrefix = topicPrefix;
      return this;
    }

    /** The mapped entities, loaded once (mappings with their entity schemas). */
    public Builder entities(List<MappedEntity> entities) {
      this.entities = List.copyOf(entities);
      return this;
    }

    public Builder registryClient(SchemaRegistryClient client) {
      this.client = client;
      return this;
    }

    public TransformStage build() {
      Objects.requireNonNull(kafka, "kafka");
      Objects.requireNonNull(topicPrefix, "topicPrefix");
      Objects.requireNonNull(client, "registryClient");
      if (entities.isEmpty() && reverse.isEmpty()) {
        throw new IllegalArgumentException("at least one mapped entity is needed");
      }
      if (!entities.isEmpty() && !reverse.isEmpty()) {
        throw new IllegalArgumentException("a stage is forward (entities) or reverse, not both");
      }
      return new TransformStage(this);
    }
  }

  private static boolean fencedInstance(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof FencedInstanceIdException) {
        return true;
      }
    }
    return false;
  }
}
