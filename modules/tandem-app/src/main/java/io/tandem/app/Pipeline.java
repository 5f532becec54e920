package io.tandem.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.config.Secrets;
import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.capture.SnapshotProgress;
import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.sink.EntityTable;
import io.tandem.sink.JdbcSink;
import io.tandem.sink.SinkConfig;
import io.tandem.sink.SinkSchema;
import io.tandem.transform.EntitySchema;
import io.tandem.transform.TransformStage;
import io.tandem.transform.TransformTopology;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capture, transform and sink — all of them or any subset — wired together in one process, with
 * their counters exported as Micrometer meters (only for the stages that run). {@code tandem demo}
 * runs all three; {@code tandem run --components ...} any subset, so each stage can be its own
 * deployment.
 *
 * <p>Two steps: {@link #plan(Settings)} reads and checks every file (connector, mappings, entity
 * schemas) without opening a connection; {@link Plan#start} creates missing topics, migrates the
 * new database (sink), and starts the stages, downstream first (transform, sink, capture).
 * {@link #close()} stops them in reverse order. {@link #start(Settings, MeterRegistry)} does both.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /** Defaults shared with {@code tandem.yaml} (docs/configuration.md). */
  public static final String DEFAULT_TRANSFORM_APPLICATION_ID = "tandem-transform";
  public static final String DEFAULT_SINK_GROUP_ID = SinkConfig.DEFAULT_GROUP_ID;

  /**
   * Where everything is and how the stages are tuned.
   *
   * @param components the stages to run (non-empty)
   * @param connectorFile Debezium connector file; read when capture runs, or transform without {@code topicPrefix}
   * @param env resolves the connector file's placeholders
   * @param topicPrefix the raw topics' prefix ({@code legacy.<db>}); null = the connector file's {@code topic.prefix}
   * @param schemas folder with {@code mappings/}, {@code avro/}, {@code migrations/new/}
   * @param kafkaProperties extra settings for every Kafka client (security, timeouts)
   * @param partitions partitions of the topics created when missing
   * @param registry schema registry client (may be null for {@link #plan}; {@link Plan#start} takes one)
   * @param newDbUrl the new database (sink only); the password is never printed
   * @param stateDir Kafka Streams state directory (transform)
   */
  public record Settings(Set<Component> components, Path connectorFile, Map<String, String> env, String topicPrefix,
      Path schemas, String bootstrapServers, Map<String, String> kafkaProperties, int partitions,
      SchemaRegistryClient registry, String newDbUrl, String newDbUser, String newDbPassword,
      String transformApplicationId, int transformThreads, Path stateDir, String sinkGroupId, int sinkMaxPollRecords,
      Duration sinkTombstoneRetention) {

    public Settings {
      if (components == null || components.isEmpty()) {
        throw new IllegalArgumentException("at least one component is needed");
      }
      if (!Component.STAGES.containsAll(components)) {
        throw new IllegalArgumentException("a pipeline runs only " + Component.ids(Component.STAGES) + ", not "
            + Component.ids(components));
      }
      components = Collections.unmodifiableSet(EnumSet.copyOf(components));
      env = env == null ? Map.of() : Map.copyOf(env);
      kafkaProperties = kafkaProperties == null ? Map.of() : Map.copyOf(kafkaProperties);
      Objects.requireNonNull(schemas, "schemas");
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      sinkTombstoneRetention = sinkTombstoneRetention == null ? JdbcSink.DEFAULT_TOMBSTONE_RETENTION
          : sinkTombstoneRetention;
    }

    /** As the canonical constructor, with the default tombstone retention. */
    public Settings(Set<Component> components, Path connectorFile, Map<String, String> env, String topicPrefix,
        Path schemas, String bootstrapServers, Map<String, String> kafkaProperties, int partitions,
        SchemaRegistryClient registry, String newDbUrl, String newDbUser, String newDbPassword,
        String transformApplicationId, int transformThreads, Path stateDir, String sinkGroupId,
        int sinkMaxPollRecords) {
      this(components, connectorFile, env, topicPrefix, schemas, bootstrapServers, kafkaProperties, partitions,
          registry, newDbUrl, newDbUser, newDbPassword, transformApplicationId, transformThreads, stateDir,
          sinkGroupId, sinkMaxPollRecords, null);
    }

    /**
     * All three components with default tuning (what {@code tandem demo} runs): transform
     * {@value #DEFAULT_TRANSFORM_APPLICATION_ID}, one thread; sink group {@code tandem-sink}, 2000
     * records per poll.
     */
    public Settings(Path connectorFile, Map<String, String> env, Path schemas, String bootstrapServers,
        SchemaRegistryClient registry, String newDbUrl, String newDbUser, String newDbPassword, Path stateDir,
        int partitions) {
      this(Component.STAGES, connectorFile, env, null, schemas, bootstrapServers, Map.of(), partitions, registry, newDbUrl,
          newDbUser, newDbPassword, DEFAULT_TRANSFORM_APPLICATION_ID, 1, stateDir, DEFAULT_SINK_GROUP_ID,
          SinkConfig.DEFAULT_MAX_POLL_RECORDS);
    }

    /** Only the settings the given components use are read. */
    public Settings withComponents(Set<Component> only) {
      return new Settings(only, connectorFile, env, topicPrefix, schemas, bootstrapServers, kafkaProperties, partitions,
          registry, newDbUrl, newDbUser, newDbPassword, transformApplicationId, transformThreads, stateDir, sinkGroupId,
          sinkMaxPollRecords, sinkTombstoneRetention);
    }

    /** Secrets (the new database's password, secret environment and Kafka entries) masked. */
    @Override
    public String toString() {
      return "Settings[components=" + Component.ids(components) + ", connectorFile=" + connectorFile + ", env="
          + Secrets.masked(env).size() + " variable(s), topicPrefix=" + topicPrefix + ", schemas=" + schemas
          + ", bootstrapServers=" + bootstrapServers + ", kafkaProperties=" + Secrets.masked(kafkaProperties)
          + ", partitions=" + partitions + ", newDbUrl=" + Secrets.maskUrl(newDbUrl) + ", newDbUser=" + newDbUser
          + ", newDbPassword=" + Secrets.MASK + ", transformApplicationId=" + transformApplicationId
          + ", transformThreads=" + transformThreads + ", stateDir=" + stateDir + ", sinkGroupId=" + sinkGroupId
          + ", sinkMaxPollRecords=" + sinkMaxPollRecords + ", sinkTombstoneRetention=" + sinkTombstoneRetention + "]";
    }
  }

  /** A stage (or the topic setup before any stage) could not be started. */
  public static final class StartException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String stage;

    StartException(String stage, String message, Throwable cause) {
      super(stage + ": " + message, cause);
      this.stage = stage;
    }

    /** {@code capture}, {@code transform}, {@code sink} (also its database migrations), or {@code topics}. */
    public String stage() {
      return stage;
    }
  }

  /**
   * Everything read from files and checked, nothing started: connector settings (if needed),
   * mappings, entity schemas and sink tables.
   */
  public static final class Plan {
    private final Settings settings;
    private final ConnectorConfig connector;
    private final String topicPrefix;
    private final List<Mapping> mappings;
    private final List<EntitySchema> entities;
    private final List<EntityTable> tables;

    private Plan(Settings settings, ConnectorConfig connector, String topicPrefix, List<Mapping> mappings,
        List<EntitySchema> entities, List<EntityTable> tables) {
      this.settings = settings;
      this.connector = connector;
      this.topicPrefix = topicPrefix;
      this.mappings = mappings;
      this.entities = entities;
      this.tables = tables;
    }

    public Settings settings() {
      return settings;
    }

    public Set<Component> components() {
      return settings.components();
    }

    /** The connector settings, when capture runs or transform needed the file for the topic prefix. */
    public Optional<ConnectorConfig> connector() {
      return Optional.ofNullable(connector);
    }

    /** Prefix of the raw topics; null when only the sink runs (it does not read them). */
    public String topicPrefix() {
      return topicPrefix;
    }

    public List<Mapping> mappings() {
      return mappings;
    }

    /** The entity schemas, aligned with {@link #mappings()}; empty when only capture runs. */
    public List<EntitySchema> entities() {
      return entities;
    }

    /**
     * Creates missing topics, migrates the new database (sink), starts the chosen stages and binds
     * their meters. On a failure everything started so far is stopped again.
     *
     * @throws StartException naming the stage (or {@code topics}) and why
     */
    public Pipeline start(SchemaRegistryClient registry, MeterRegistry meters) {
      Objects.requireNonNull(registry, "registry");
      return Pipeline.start(this, registry, meters);
    }
  }

  private final Plan plan;
  private final CaptureEngine capture;
  private final TransformStage transform;
  private final JdbcSink sink;
  private final List<Thread> threads = new ArrayList<>();
  private io.tandem.app.metrics.ConsumerLag consumerLag;
  private volatile boolean closing;

  private Pipeline(Plan plan, CaptureEngine capture, TransformStage transform, JdbcSink sink) {
    this.plan = plan;
    this.capture = capture;
    this.transform = transform;
    this.sink = sink;
  }

  /** {@link #plan} then {@link Plan#start} with {@code settings.registry()}. */
  public static Pipeline start(Settings settings, MeterRegistry meters) {
    return plan(settings).start(Objects.requireNonNull(settings.registry(), "settings.registry"), meters);
  }

  /**
   * Reads and checks everything the chosen components need from files. Opens no connection.
   *
   * @throws ConfigException naming the file, the key and what was expected
   */
  public static Plan plan(Settings settings) {
    Set<Component> components = settings.components();
    boolean capture = components.contains(Component.CAPTURE);
    boolean transform = components.contains(Component.TRANSFORM);
    boolean sink = components.contains(Component.SINK);

    ConnectorConfig connector = null;
    String topicPrefix = settings.topicPrefix();
    if (capture || (transform && topicPrefix == null)) {
      connector = ConnectorConfig.load(settings.connectorFile(), settings.env());
      String servers = connector.get("bootstrap.servers");
      if (servers != null && !servers.equals(settings.bootstrapServers())) {
        throw new ConfigException(connector.source(), "bootstrap.servers", "the Kafka cluster the pipeline uses ("
            + settings.bootstrapServers() + "): Debezium's offsets must live next to the raw topics", servers);
      }
      if (topicPrefix != null && !topicPrefix.equals(connector.topicPrefix())) {
        throw new ConfigException(connector.source(), "topic.prefix", "the configured topic prefix '" + topicPrefix
            + "'", connector.topicPrefix());
      }
      topicPrefix = connector.topicPrefix();
      if (capture) {
        // Built, never run: the builder checks the connector file's embedded-only settings (offset
        // storage), so that a bad file is a configuration error before anything starts.
        CaptureEngine.builder(connector).schemaRegistry(DryRun.REGISTRY).producerConfig(captureProducer(settings)).build();
      }
    }
    List<Mapping> mappings = MappingLoader.loadAll(settings.schemas().resolve("mappings"));
    if (mappings.isEmpty()) {
      throw new ConfigException(settings.schemas().resolve("mappings").toString(), "(folder)",
          "at least one mapping file (*.yaml)", "none");
    }
    List<EntitySchema> entities = new ArrayList<>();
    List<EntityTable> tables = new ArrayList<>();
    if (transform || sink) {
      Path avro = settings.schemas().resolve("avro");
      for (Mapping mapping : mappings) {
        EntitySchema entity = EntitySchema.load(avro, mapping);
        entities.add(entity);
        if (sink) {
          try {
            tables.add(EntityTable.builder(entity.entity(), entity.valueSchema()).keyColumns(mapping.keyFields()).build());
          } catch (IllegalArgumentException e) {
            throw new ConfigException(avro.resolve(entity.entity() + ".avsc").toString(), "(file)",
                "an entity schema the sink can write", e.getMessage());
          }
        }
      }
    }
    if (sink && !Files.isDirectory(migrations(settings))) {
      throw new ConfigException(settings.schemas().toString(), "migrations/new",
          "a folder of Flyway migrations for the new database", "no such folder");
    }
    if (sink && (settings.newDbUrl() == null || !settings.newDbUrl().startsWith("jdbc:postgresql:"))) {
      throw new ConfigException("pipeline settings", "newDbUrl", "a jdbc:postgresql: URL", Secrets.maskUrl(settings.newDbUrl()));
    }
    return new Plan(settings, connector, topicPrefix, List.copyOf(mappings), List.copyOf(entities), List.copyOf(tables));
  }

  /** A registry client for engines that are built to check settings and never run; it is never called. */
  private static final class DryRun {
    static final SchemaRegistryClient REGISTRY = SchemaRegistryClient.builder(URI.create("http://127.0.0.1:9")).build();
  }

  /** The capture producer: the pipeline's Kafka and client settings (they win over the connector file's). */
  private static Map<String, Object> captureProducer(Settings settings) {
    Map<String, Object> producer = new java.util.HashMap<>(settings.kafkaProperties());
    producer.put("bootstrap.servers", settings.bootstrapServers());
    return producer;
  }

  private static Path migrations(Settings settings) {
    return settings.schemas().resolve("migrations").resolve("new");
  }

  private static Pipeline start(Plan plan, SchemaRegistryClient registry, MeterRegistry meters) {
    Settings settings = plan.settings();
    Set<Component> components = plan.components();
    boolean runCapture = components.contains(Component.CAPTURE);
    boolean runTransform = components.contains(Component.TRANSFORM);
    boolean runSink = components.contains(Component.SINK);

    ensureTopics(plan);
    if (runSink) {
      PGSimpleDataSource newDb = new PGSimpleDataSource();
      newDb.setURL(settings.newDbUrl());
      newDb.setUser(settings.newDbUser());
      newDb.setPassword(settings.newDbPassword());
      try {
        SinkSchema.migrate(newDb, migrations(settings));
      } catch (RuntimeException e) {
        throw new StartException("sink", "cannot migrate the new database " + Secrets.maskUrl(settings.newDbUrl())
            + ": " + rootMessage(e), e);
      }
    }

    TransformStage transform = null;
    JdbcSink sink = null;
    CaptureEngine capture = null;
    Map<String, Object> kafka = Map.copyOf(settings.kafkaProperties());
    String building = "transform";
    try {
      if (runTransform) {
        transform = TransformStage.builder()
            .bootstrapServers(settings.bootstrapServers())
            .applicationId(settings.transformApplicationId())
            .threads(settings.transformThreads())
            .topicPrefix(plan.topicPrefix())
            .mappings(plan.mappings())
            .schemaFolder(settings.schemas().resolve("avro"))
            .registryClient(registry)
            .stateDir(settings.stateDir())
            .streamsConfig(kafka)
            .build();
      }
      building = "sink";
      if (runSink) {
        JdbcSink.Builder builder = JdbcSink.builder()
            .bootstrapServers(settings.bootstrapServers())
            .groupId(settings.sinkGroupId())
            .maxPollRecords(settings.sinkMaxPollRecords())
            .tombstoneRetention(settings.sinkTombstoneRetention())
            .registry(registry)
            .jdbc(settings.newDbUrl(), settings.newDbUser(), settings.newDbPassword());
        kafka.forEach((key, value) -> {
          builder.consumerProperty(key, value);
          builder.producerProperty(key, value);
        });
        plan.tables.forEach(builder::entity);
        // Legacy commit → new-DB commit, as a histogram: p50/p99 over any window in Prometheus.
        Timer lag = Timer.builder("tandem.commit.visible.lag")
            .description("Legacy commit → new-DB commit of applied changes")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(meters);
        builder.lagListener(lag::record);
        sink = builder.build();
      }
      building = "capture";
      if (runCapture) {
        capture = CaptureEngine.builder(plan.connector).schemaRegistry(registry).producerConfig(captureProducer(settings))
            .offsetStoreConfig(settings.kafkaProperties()).build();
      }
    } catch (ConfigException | IllegalArgumentException e) {
      throw new StartException(building, e.getMessage(), e);
    }

    Pipeline pipeline = new Pipeline(plan, capture, transform, sink);
    List<String> groups = new ArrayList<>();
    if (runTransform) {
      groups.add(settings.transformApplicationId());
    }
    if (runSink) {
      groups.add(settings.sinkGroupId());
    }
    if (!groups.isEmpty()) {
      pipeline.consumerLag = new io.tandem.app.metrics.ConsumerLag(settings.bootstrapServers(), kafka, groups, meters,
          Duration.ofSeconds(5));
    }
    pipeline.bind(meters);
    try {
      if (transform != null) {
        try {
          transform.start();
        } catch (RuntimeException e) {
          throw new StartException("transform", rootMessage(e), e);
        }
      }
      if (sink != null) {
        pipeline.runOnThread(sink, "tandem-sink");
      }
      if (capture != null) {
        pipeline.runOnThread(capture, "tandem-capture");
      }
    } catch (RuntimeException e) {
      pipeline.close();
      throw e;
    }
    LOG.info("Pipeline started: {}", Component.ids(components));
    return pipeline;
  }

  private static void ensureTopics(Plan plan) {
    Settings settings = plan.settings();
    Set<Component> components = plan.components();
    boolean capture = components.contains(Component.CAPTURE);
    boolean transform = components.contains(Component.TRANSFORM);
    boolean sink = components.contains(Component.SINK);
    List<TopicSpec> topics = new ArrayList<>();
    if (capture || transform) {
      plan.mappings().forEach(m -> topics.add(TopicSpec.changeLog(plan.topicPrefix() + "." + m.sourceTable(),
          settings.partitions())));
    }
    if (transform || sink) {
      plan.entities().forEach(e -> topics.add(TopicSpec.compacted(e.topic(), settings.partitions())));
    }
    if (capture) {
      topics.add(TopicSpec.deadLetters(CaptureEngine.DEFAULT_DEAD_LETTER_TOPIC));
    }
    if (transform) {
      topics.add(TopicSpec.deadLetters(TransformTopology.DLQ_TOPIC));
    }
    if (sink) {
      topics.add(TopicSpec.deadLetters(SinkConfig.DEFAULT_DLQ_TOPIC));
    }
    try {
      Topics.ensure(KafkaClients.of(settings.bootstrapServers(), settings.kafkaProperties()), topics);
    } catch (RuntimeException e) {
      throw new StartException("topics", e.getMessage(), e);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    return root == e || root.getMessage() == null || message.contains(root.getMessage()) ? message
        : message + " (" + root.getMessage() + ")";
  }

  private void runOnThread(Runnable stage, String name) {
    Thread thread = new Thread(stage, name);
    thread.setDaemon(true);
    // The stage logs its own failure and failure() reports it; no second stack trace on stderr.
    thread.setUncaughtExceptionHandler((t, e) -> LOG.debug("{} ended with {}", t.getName(), e.toString()));
    thread.start();
    threads.add(thread);
  }

  private void bind(MeterRegistry meters) {
    List<Mapping> mappings = plan.mappings();
    if (capture != null) {
      // Tables known from the mappings: snapshotProgress() is empty until the engine runs.
      for (String table : mappings.stream().map(Mapping::sourceTable).distinct().toList()) {
        Gauge.builder("tandem.snapshot.rows.done", capture, c -> progressOf(c, table).done()).tags("table", table)
            .description("Initial-snapshot rows delivered to Kafka").register(meters);
        Gauge.builder("tandem.snapshot.rows.estimated", capture, c -> progressOf(c, table).estimated())
            .tags("table", table).description("Row estimate (pg_class.reltuples) at start").register(meters);
        FunctionCounter.builder("tandem.capture.events", capture, c -> c.stats().eventsByTable().getOrDefault(table, 0L))
            .tags("table", table).description("Legacy changes delivered to raw topics").register(meters);
      }
      FunctionCounter.builder("tandem.dlq.records", capture, c -> c.stats().deadLettered()).tags("stage", "capture")
          .description("Records sent to a dead-letter topic").register(meters);
    }
    if (transform != null) {
      for (Mapping mapping : mappings) {
        String entity = mapping.entity();
        FunctionCounter.builder("tandem.transform.records", transform,
                t -> t.metrics().migratedByEntity().getOrDefault(entity, 0L))
            .tags("entity", entity).description("Records written to migrated topics").register(meters);
      }
      FunctionCounter.builder("tandem.dlq.records", transform, t -> t.metrics().deadLettered()).tags("stage", "transform")
          .description("Records sent to a dead-letter topic").register(meters);
    }
    if (sink != null) {
      for (Mapping mapping : mappings) {
        String entity = mapping.entity();
        for (String result : List.of("upserted", "deleted", "stale", "superseded", "rejected")) {
          FunctionCounter.builder("tandem.sink.rows", sink, s -> sinkCount(s, entity, result))
              .tags(Tags.of("entity", entity, "result", result)).description("Changes handled by the sink")
              .register(meters);
        }
      }
      FunctionCounter.builder("tandem.dlq.records", sink, s -> s.stats().dlqCount()).tags("stage", "sink")
          .description("Records sent to a dead-letter topic").register(meters);
    }
  }

  private static SnapshotProgress progressOf(CaptureEngine capture, String table) {
    return capture.snapshotProgress().getOrDefault(table, new SnapshotProgress(table, 0, SnapshotProgress.UNKNOWN, false));
  }

  private static double sinkCount(JdbcSink sink, String entity, String result) {
    var stats = sink.stats().entity(entity);
    return switch (result) {
      case "upserted" -> stats.upserted();
      case "deleted" -> stats.deleted();
      case "stale" -> stats.skippedStale();
      case "superseded" -> stats.superseded();
      default -> stats.rejected();
    };
  }

  /** The components this pipeline runs. */
  public Set<Component> components() {
    return plan.components();
  }

  public boolean runs(Component component) {
    return plan.components().contains(component);
  }

  public List<Mapping> mappings() {
    return plan.mappings();
  }

  /** Entity schemas aligned with {@link #mappings()}; empty when only capture runs. */
  public List<EntitySchema> entities() {
    return plan.entities();
  }

  /** The capture engine, or {@code null} when capture is not one of {@link #components()}. */
  public CaptureEngine capture() {
    return capture;
  }

  /** The transform stage, or {@code null} when transform is not one of {@link #components()}. */
  public TransformStage transform() {
    return transform;
  }

  /** The sink, or {@code null} when sink is not one of {@link #components()}. */
  public JdbcSink sink() {
    return sink;
  }

  /** One line on a component's state, for status output. */
  public String describe(Component component) {
    return switch (component) {
      case CAPTURE -> capture == null ? "not running" : capture.state() + "  " + plan.topicPrefix() + " ("
          + plan.connector.source() + ", slot " + plan.connector.slotName() + ") → raw topics "
          + plan.topicPrefix() + ".*";
      case TRANSFORM -> transform == null ? "not running" : transform.state() + "  application "
          + plan.settings().transformApplicationId() + ", Kafka Streams " + transform.streamsState() + ": "
          + plan.topicPrefix() + ".* → " + plan.entities().stream().map(EntitySchema::topic).toList();
      case SINK -> sink == null ? "not running" : sink.state() + "  group " + plan.settings().sinkGroupId() + ": "
          + plan.entities().stream().map(EntitySchema::topic).toList() + " → "
          + Secrets.maskUrl(plan.settings().newDbUrl());
      case VERIFY -> "not a pipeline stage";
    };
  }

  /**
   * True once every running stage has started (capture and sink threads running, transform
   * started), or one of them has failed.
   */
  public boolean started() {
    boolean captureUp = capture == null || capture.state() != CaptureEngine.State.CREATED
        && capture.state() != CaptureEngine.State.STARTING;
    boolean sinkUp = sink == null || sink.state() != JdbcSink.State.CREATED && sink.state() != JdbcSink.State.STARTING;
    return (captureUp && sinkUp) || failure().isPresent();
  }

  /**
   * A stage that stopped with an error — or stopped by itself, before {@link #close()} — described,
   * starting with the stage's name; empty while all run.
   */
  public Optional<String> failure() {
    if (capture != null) {
      if (capture.failure().isPresent()) {
        return Optional.of("capture: " + capture.failure().get());
      }
      if (!closing && capture.state() == CaptureEngine.State.STOPPED) {
        return Optional.of("capture: stopped by itself (see tandem.log)");
      }
    }
    if (transform != null) {
      String streams = transform.streamsState();
      if (transform.failure().isPresent()) {
        return Optional.of("transform: " + rootMessage(transform.failure().get()) + " (Kafka Streams " + streams + ")");
      }
      if (transform.state() == TransformStage.State.FAILED || streams.equals("ERROR") || streams.equals("PENDING_ERROR")) {
        return Optional.of("transform stopped (Kafka Streams " + streams + "; see tandem.log)");
      }
      if (!closing && (transform.state() == TransformStage.State.STOPPED || streams.equals("NOT_RUNNING")
          || streams.equals("PENDING_SHUTDOWN"))) {
        return Optional.of("transform: stopped by itself (Kafka Streams " + streams + "; see tandem.log)");
      }
    }
    if (sink != null) {
      if (sink.failure().isPresent()) {
        return sink.failure().map(e -> "sink: " + e);
      }
      if (!closing && sink.state() == JdbcSink.State.STOPPED) {
        return Optional.of("sink: stopped by itself (see tandem.log)");
      }
    }
    return Optional.empty();
  }

  /**
   * Stops the running stages in reverse start order — capture (flushes its offsets), sink (finishes
   * the batch in flight), transform — each within its own stop timeout (30 s), then waits for the
   * stage threads. Idempotent.
   */
  @Override
  public void close() {
    closing = true;
    if (consumerLag != null) {
      consumerLag.close();
    }
    if (capture != null) {
      closeQuietly("capture", capture);
    }
    if (sink != null) {
      closeQuietly("sink", sink);
    }
    if (transform != null) {
      closeQuietly("transform", transform);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (Thread thread : threads) {
      try {
        thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void closeQuietly(String stage, AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("{} did not close cleanly", stage, e);
    }
  }

  @Override
  public String toString() {
    return "Pipeline[" + Component.ids(plan.components()) + "]";
  }
}
