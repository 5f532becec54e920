package io.tandem.transform;

import io.tandem.core.mapping.Mapping;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running transform stage: registers every entity schema (refusing to start on an
 * incompatible change, with the registry's reason), then runs the topology on Kafka Streams.
 * Several instances with the same application id share the partitions.
 */
public final class TransformStage implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TransformStage.class);

  /** Lifecycle; changed only by compare-and-set. */
  public enum State { CREATED, RUNNING, STOPPED, FAILED }

  private final Builder config;
  private final TransformMetrics metrics = new TransformMetrics();
  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private KafkaStreams streams;

  private TransformStage(Builder config) {
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  public TransformStage start() {
    if (!state.compareAndSet(State.CREATED, State.RUNNING)) {
      throw new IllegalStateException("transform stage is " + state.get() + "; it can be started once");
    }
    try {
      List<EntityRoute> routes = new ArrayList<>();
      for (Mapping mapping : config.mappings) {
        EntitySchema schema = EntitySchema.load(config.schemaFolder, mapping);
        register(schema);
        routes.add(new EntityRoute(mapping, schema));
      }
      AvroSerdeConfig serde = AvroSerdeConfig.withClient(config.client);
      var topology = TransformTopology.build(config.topicPrefix, routes, new AvroDeserializer(serde),
          new AvroSerializer(serde, true), new AvroSerializer(serde, false), metrics);
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
      props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir.toString());
      props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.threads);
      // Offsets are committed often: a restart re-processes little, and the sink's position
      // check makes any re-processed change harmless.
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
      props.put(StreamsConfig.producerPrefix("linger.ms"), 5);
      props.put(StreamsConfig.producerPrefix("compression.type"), "lz4");
      props.put(StreamsConfig.consumerPrefix("max.poll.records"), 2000);
      props.putAll(config.streamsConfig);
      streams = new KafkaStreams(topology, props);
      streams.setUncaughtExceptionHandler(e -> {
        LOG.error("Transform stage failed; stopping it", e);
        failure = e;
        state.set(State.FAILED);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      streams.start();
      LOG.info("Transform stage started: {} mapping(s), topics {}", routes.size(),
          routes.stream().map(r -> r.schema().topic()).toList());
      return this;
    } catch (RuntimeException e) {
      failure = e;
      state.set(State.FAILED);
      throw e;
    }
  }

  /** Why the stage failed (a stream thread's uncaught exception, or a start that threw); empty otherwise. */
  public java.util.Optional<Throwable> failure() {
    return java.util.Optional.ofNullable(failure);
  }

  private void register(EntitySchema schema) {
    try {
      config.client.register(schema.topic() + "-key", schema.keySchema());
      config.client.register(schema.topic() + "-value", schema.valueSchema());
    } catch (RegistryException e) {
      throw new IllegalStateException("schema of entity '" + schema.entity() + "' refused by the registry: "
          + e.getMessage(), e);
    }
  }

  private volatile Throwable failure;

  public State state() {
    return state.get();
  }

  /** Kafka Streams' own state (e.g. RUNNING, REBALANCING), for status output. */
  public String streamsState() {
    return streams == null ? "NOT_STARTED" : streams.state().name();
  }

  public TransformMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    State previous = state.getAndSet(State.STOPPED);
    if (streams != null && previous != State.STOPPED) {
      streams.close(Duration.ofSeconds(30));
    }
  }

  /** Typed settings; {@link #build()} checks that the required ones are there. */
  public static final class Builder {
    private String bootstrapServers;
    private String applicationId = "tandem-transform";
    private String topicPrefix;
    private List<Mapping> mappings = List.of();
    private Path schemaFolder;
    private SchemaRegistryClient client;
    private Path stateDir;
    private int threads = 1;
    private Map<String, Object> streamsConfig = Map.of();

    private Builder() {}

    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
      return this;
    }

    public Builder applicationId(String applicationId) {
      this.applicationId = applicationId;
      return this;
    }

    /** Raw topic prefix, {@code legacy.<db>}. */
    public Builder topicPrefix(String topicPrefix) {
      this.topicPrefix = topicPrefix;
      return this;
    }

    public Builder mappings(List<Mapping> mappings) {
      this.mappings = List.copyOf(mappings);
      return this;
    }

    /** Folder with {@code <entity>.avsc} files. */
    public Builder schemaFolder(Path schemaFolder) {
      this.schemaFolder = schemaFolder;
      return this;
    }

    public Builder registryClient(SchemaRegistryClient client) {
      this.client = client;
      return this;
    }

    public Builder stateDir(Path stateDir) {
      this.stateDir = stateDir;
      return this;
    }

    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Extra Kafka Streams settings (security, processing guarantee, ...); they win over the defaults. */
    public Builder streamsConfig(Map<String, Object> streamsConfig) {
      this.streamsConfig = Map.copyOf(streamsConfig);
      return this;
    }

    public TransformStage build() {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topicPrefix, "topicPrefix");
      Objects.requireNonNull(schemaFolder, "schemaFolder");
      Objects.requireNonNull(client, "registryClient");
      Objects.requireNonNull(stateDir, "stateDir");
      if (mappings.isEmpty()) {
        throw new IllegalArgumentException("at least one mapping is needed");
      }
      return new TransformStage(this);
    }
  }
}
