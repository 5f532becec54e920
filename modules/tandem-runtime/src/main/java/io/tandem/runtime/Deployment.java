package io.tandem.runtime;

import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.capture.LegacyPosition;
import io.tandem.capture.RowResnapshot;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Secrets;
import io.tandem.core.lifecycle.Component;
import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.routing.Target;
import io.tandem.routing.status.AppliedChanges;
import io.tandem.routing.status.CaptureLagReporter;
import io.tandem.routing.status.LagReporter;
import io.tandem.routing.status.StageProgressReporter;
import io.tandem.routing.status.StatusPublisher;
import java.util.function.Supplier;
import io.tandem.sink.JdbcSink;
import io.tandem.sink.SinkStats;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.transform.TransformStage;
import io.tandem.verify.Connector;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifyException;
import io.tandem.verify.VerifySettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One deployment of Tandem: the chosen components wired from the configuration and the migration model,
 * each read once. {@link #plan} checks everything that can be checked without a connection; {@link
 * #supervisor} builds the components in start order:
 * metrics → embedded registry → topics → transform → sink → capture → lag reporters → consumer lag →
 * verifier. {@code tandem run}, {@code tandem demo} and the benchmarks all run through it.
 */
public final class Deployment {
  private static final Logger LOG = LoggerFactory.getLogger(Deployment.class);
  /** How often the lag reporters and the consumer-lag reader run. */
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);

  private final TandemConfig config;
  private final Set<ComponentName> components;
  private final MigrationModel model;
  private final Map<String, String> env;
  private final AtomicReference<SchemaRegistryClient> registryClient = new AtomicReference<>();
  private final AtomicReference<CaptureEngine> capture = new AtomicReference<>();
  private final AtomicReference<TransformStage> transform = new AtomicReference<>();
  private final AtomicReference<JdbcSink> sink = new AtomicReference<>();
  private final AtomicReference<CaptureEngine> reverseCapture = new AtomicReference<>();
  private final AtomicReference<TransformStage> reverseTransform = new AtomicReference<>();
  private final AtomicReference<ConsumerLag> consumerLag = new AtomicReference<>();
  private final Map<String, CaptureEngine> otherCaptures = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicReference<JdbcSink> legacySink = new AtomicReference<>();
  private final AtomicReference<RoutingView> routingView = new AtomicReference<>();
  private final AtomicReference<SwitchCoordinator> switchCoordinator = new AtomicReference<>();
  /**
   * Names this process's rows in the origin tables: one row per writing process, so that sink instances do
   * not queue behind each other's lock on a shared row.
   */
  private static final String INSTANCE = Long.toString(ProcessHandle.current().pid()) + "-"
      + Long.toHexString(System.nanoTime() & 0xffffff);

  private Deployment(TandemConfig config, Set<ComponentName> components, MigrationModel model,
      Map<String, String> env) {
    this.config = config;
    this.components = components;
    this.model = model;
    this.env = env;
  }

  /**
   * Checks the configuration for {@code components} and loads the migration model. Opens no connection.
   *
   * @throws ConfigException naming the file, the key and what was expected
   */
  /** How often the running mappings are published again (they change only when the transform restarts). */
  static final Duration MAPPING_REPORT_EVERY = Duration.ofMinutes(1);

  public static Deployment plan(TandemConfig config, Set<ComponentName> components, Map<String, String> env) {
    return plan(config, components, env, null);
  }

  /**
   * As {@link #plan(TandemConfig, Set, Map)}, capturing only {@code captureSources} ({@code legacy} and names
   * under {@code merge.sources}; null = all): one capture deployment per legacy source.
   */
  public static Deployment plan(TandemConfig config, Set<ComponentName> components, Map<String, String> env,
      Set<String> captureSources) {
    Set<ComponentName> chosen = Collections.unmodifiableSet(EnumSet.copyOf(components));
    return new Deployment(config, chosen, MigrationModel.load(config, chosen, env, captureSources), Map.copyOf(env));
  }

  /** Whether this deployment captures the {@code legacy} section's database. */
  private boolean capturesLegacy() {
    return model.captured().contains(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE);
  }

  public TandemConfig config() {
    return config;
  }

  public MigrationModel model() {
    return model;
  }

  public Set<ComponentName> components() {
    return components;
  }

  public boolean runs(ComponentName component) {
    return components.contains(component);
  }

  /**
   * The components of this deployment, in start order, under one supervisor; {@code health} serves their
   * states and its registry takes their meters.
   */
  public Supervisor supervisor(HealthServer health, Duration stopTimeout, Clock clock) {
    Supervisor.Builder builder = Supervisor.builder().meters(health.registry()).stopTimeout(stopTimeout);
    builder.add(health);
    RegistrySettings registry = config.registrySettings();
    KafkaClients kafka = config.kafka().clients();
    AtomicReference<EmbeddedSchemaRegistry> embedded = new AtomicReference<>();
    registry.embedded().ifPresent(settings -> {
      EmbeddedSchemaRegistry.Builder server = EmbeddedSchemaRegistry.builder()
          .kafkaStorage(kafka.bootstrapServers(), settings.topic())
          .kafkaClientConfig(kafka.properties())
          .host(settings.host())
          .port(settings.port());
      registry.basicAuth().ifPresent(auth -> server.basicAuth(auth.user(), auth.password()));
      EmbeddedSchemaRegistry instance = server.build();
      embedded.set(instance);
      builder.add(instance);
    });
    Set<ComponentName> stages = EnumSet.noneOf(ComponentName.class);
    components.stream().filter(c -> ComponentName.STAGES.contains(c) || c == ComponentName.REVERSE)
        .forEach(stages::add);
    if (!stages.isEmpty()) {
      List<io.tandem.kafka.TopicSpec> topics = new ArrayList<>(model.topics(stages, config.kafka().partitions()));
      if (config.coexistence().isPresent()) {
        topics.add(io.tandem.kafka.TopicSpec.deadLetters(JdbcSink.CONFLICT_TOPIC)); // one order, like dead letters
        // Fence markers: one partition each, so a marker follows every earlier change of its table.
        model.connector().flatMap(c -> c.fenceTable().map(t -> MappedEntity.rawTopic(c.topicPrefix(), t)))
            .ifPresent(t -> topics.add(io.tandem.kafka.TopicSpec.changeLog(t, 1)));
        model.newConnector().flatMap(c -> c.fenceTable().map(t -> MappedEntity.rawTopic(c.topicPrefix(), t)))
            .ifPresent(t -> topics.add(io.tandem.kafka.TopicSpec.changeLog(t, 1)));
      }
      builder.add(new TopicSetup(kafka, topics));
    }
    if (config.coexistence().isPresent()) {
      // In order: the legacy sink's migration creates the origin and fence tables legacy capture reads.
      addStages(builder, kafka, embedded);
    } else {
      // The forward stages need only the topics: starting them together makes a restart after a crash
      // take as long as the slowest of them (capture's), not their sum.
      builder.together(() -> addStages(builder, kafka, embedded));
    }
    String statusTopic = config.verify().statusTopic();
    if (runs(ComponentName.SINK)) {
      builder.add("sink-lag", () -> new LagReporter(() -> applied(sink.get().stats()), config.sink().groupId(),
          model.entityNames(), () -> new StatusPublisher(kafka, statusTopic, (short) -1), clock, REPORT_EVERY));
    }
    if (capturesLegacy()) {
      Duration heartbeat = model.connector().orElseThrow().heartbeatInterval();
      if (heartbeat.isZero()) {
        LOG.warn("heartbeat.interval.ms is 0 in the connector file: capture cannot show it is alive, so it publishes"
            + " no capture lag and the router's promotion gates refuse (docs/capture.md, 'Liveness')");
      } else {
        builder.add("capture-lag", () -> new CaptureLagReporter(() -> capture.get().lastBatchAt(), heartbeat,
            model.entityNames(), () -> new StatusPublisher(kafka, statusTopic, (short) -1), clock, REPORT_EVERY));
      }
    }
    if (runs(ComponentName.TRANSFORM)) {
      // What the gates compare with the latest clean verification's mapping: a change rolling out freezes promotions.
      Map<String, String> fingerprints = new java.util.LinkedHashMap<>();
      model.entities().forEach(entity -> fingerprints.put(entity.name(), entity.fingerprint()));
      builder.add("mapping-versions", () -> new io.tandem.routing.status.MappingVersionReporter(fingerprints,
          () -> new StatusPublisher(kafka, statusTopic, (short) -1), clock, MAPPING_REPORT_EVERY));
    }
    if (runs(ComponentName.REVERSE)) {
      // What the gate for writes on new asks for: reverse sync running (capture alive) and caught up.
      builder.add("reverse-sink-lag", () -> new LagReporter(io.tandem.routing.status.StatusRecord.Lag.REVERSE_SINK,
          () -> applied(legacySink.get().stats()), config.coexistence().get().groupId(), model.entityNames(),
          () -> new StatusPublisher(kafka, statusTopic, (short) -1), clock, REPORT_EVERY));
      Duration heartbeat = model.newConnector().orElseThrow().heartbeatInterval();
      if (!heartbeat.isZero()) {
        builder.add("reverse-capture-lag", () -> new CaptureLagReporter(
            io.tandem.routing.status.StatusRecord.Lag.REVERSE_CAPTURE, () -> reverseCapture.get().lastBatchAt(),
            heartbeat, model.entityNames(), () -> new StatusPublisher(kafka, statusTopic, (short) -1), clock,
            REPORT_EVERY));
      }
    }
    addProgressReporters(builder, kafka, statusTopic, clock);
    List<String> groups = new ArrayList<>();
    if (runs(ComponentName.TRANSFORM)) {
      groups.add(config.transform().applicationId());
    }
    if (runs(ComponentName.SINK)) {
      groups.add(config.sink().groupId());
    }
    if (runs(ComponentName.REVERSE)) {
      groups.add(config.coexistence().orElseThrow().applicationId());
      groups.add(config.coexistence().orElseThrow().groupId());
    }
    if (!groups.isEmpty()) {
      ConsumerLag lag = new ConsumerLag(kafka, groups, REPORT_EVERY);
      consumerLag.set(lag);
      builder.add(lag);
    }
    if (runs(ComponentName.VERIFY)) {
      builder.add("verify", () -> new Verifier(verifierSetup(registryClient(embedded.get()))).continuous(clock));
    }
    Supervisor supervisor = builder.build();
    health.reportingOn(supervisor::report);
    return supervisor;
  }

  /** The stages of this deployment (with coexistence also the routing view and the reverse path), in order. */
  private void addStages(Supervisor.Builder builder, KafkaClients kafka,
      AtomicReference<EmbeddedSchemaRegistry> embedded) {
    if (runs(ComponentName.TRANSFORM)) {
      builder.add("transform", () -> {
        transform.set(TransformStage.builder()
            .kafka(kafka)
            .settings(config.transform())
            .topicPrefix(model.topicPrefix())
            .otherSources(model.otherPrefixes())
            .entities(model.entities())
            .registryClient(registryClient(embedded.get()))
            .build());
        return transform.get();
      });
    }
    if (config.coexistence().isPresent() && (runs(ComponentName.SINK) || runs(ComponentName.REVERSE))) {
      RoutingView view = new RoutingView(kafka, config.coexistence().get().routingTopic());
      routingView.set(view);
      builder.add(view);
    }
    if (runs(ComponentName.SINK)) {
      TargetSettings target = config.target().orElseThrow();
      builder.add("sink", () -> {
        JdbcSink.Builder sinkBuilder = JdbcSink.builder()
            .kafka(kafka)
            .settings(config.sink())
            .registry(registryClient(embedded.get()))
            .target(target)
            .migrations(model.migrations());
        if (config.coexistence().isPresent()) {
          sinkBuilder.originMarker("forward." + INSTANCE) // reverse capture drops these transactions (no echo)
              .ownership(routingView.get().forChangesFrom(Target.LEGACY));
        }
        model.sinkTables().forEach(sinkBuilder::entity);
        sink.set(sinkBuilder.build());
        return sink.get();
      });
    }
    if (runs(ComponentName.REVERSE)) {
      addReverseSync(builder, kafka, embedded);
      builder.add("switch-coordinator", () -> {
        switchCoordinator.set(new SwitchCoordinator(kafka, () -> routingView.get().log(),
            config.coexistence().get().routingTopic(), registryClient(embedded.get()), switchSides(),
            SWITCH_TIMEOUT));
        return switchCoordinator.get();
      });
    }
    if (capturesLegacy()) {
      ConnectorConfig connector = model.connector().orElseThrow();
      builder.add("capture", () -> {
        capture.set(CaptureEngine.builder(connector)
            .kafka(kafka)
            .snapshotRowsPerSecond(config.legacy().snapshotRowsPerSecond())
            .schemaRegistry(registryClient(embedded.get()))
            .reportTables(model.sourceTables())
            .build());
        return capture.get();
      });
    }
    if (runs(ComponentName.CAPTURE)) {
      // Each merged source its own engine: its own slot, offsets and raw topics.
      model.otherSources().entrySet().stream().filter(e -> model.captured().contains(e.getKey())).forEach(source -> {
        String name = source.getKey();
        builder.add("capture-" + name.replace('_', '-'), () -> {
          CaptureEngine engine = CaptureEngine.builder(source.getValue())
              .name("capture-" + name.replace('_', '-'))
              .kafka(kafka)
              .snapshotRowsPerSecond(config.legacy().snapshotRowsPerSecond())
              .schemaRegistry(registryClient(embedded.get()))
              .reportTables(model.sourceTables(name))
              .build();
          otherCaptures.put(name, engine);
          return engine;
        });
      });
    }
  }

  /*
   * new database → capture-new → new.<db>.public.<entity> → reverse → reverse.<entity> → sink-legacy → legacy.
   * The legacy sink comes first: its migration creates the origin and fence tables in legacy, which legacy
   * capture must find when it sets up its publication.
   */
  private void addReverseSync(Supervisor.Builder builder, KafkaClients kafka,
      AtomicReference<EmbeddedSchemaRegistry> embedded) {
    CoexistenceSettings coexistence = config.coexistence().orElseThrow();
    ConnectorConfig legacy = model.connector().orElseThrow();
    ConnectorConfig newSide = model.newConnector().orElseThrow();
    builder.add("sink-legacy", () -> {
      JdbcSink.Builder sinkBuilder = JdbcSink.builder()
          .kafka(kafka)
          .settings(config.sink().withGroupId(coexistence.groupId()))
          .registry(registryClient(embedded.get()))
          .jdbc(legacy.jdbcUrl(), legacy.user(), legacy.password())
          .migrateLegacy()
          .originMarker("reverse." + INSTANCE) // legacy capture drops these transactions (no echo)
          .ownership(routingView.get().forChangesFrom(Target.NEW))
          .dlqTopic(JdbcSink.LEGACY_DEAD_LETTER_TOPIC);
      model.legacyTables().forEach(sinkBuilder::entity);
      legacySink.set(sinkBuilder.build());
      return legacySink.get();
    });
    builder.add("reverse", () -> {
      reverseTransform.set(TransformStage.builder()
          .kafka(kafka)
          .settings(new TransformSettings(coexistence.applicationId(), config.transform().threads(),
              config.transform().stateDir()))
          .topicPrefix(newSide.topicPrefix())
          .reverse(model.reverse())
          .registryClient(registryClient(embedded.get()))
          .build());
      return reverseTransform.get();
    });
    builder.add("capture-new", () -> {
      reverseCapture.set(CaptureEngine.builder(newSide)
          .name("capture-new")
          .deadLetterTopic(MigrationModel.REVERSE_CAPTURE_DEAD_LETTERS)
          .kafka(kafka)
          .schemaRegistry(registryClient(embedded.get()))
          .reportTables(model.newTables())
          .build());
      return reverseCapture.get();
    });
  }

  /** Each stage's progress for the console (records, rate, snapshot per table), on the status topic. */
  private void addProgressReporters(Supervisor.Builder builder, KafkaClients kafka, String statusTopic, Clock clock) {
    Supplier<StatusPublisher> publisher = () -> new StatusPublisher(kafka, statusTopic, (short) -1);
    if (capturesLegacy()) {
      builder.add("capture-progress", () -> new StageProgressReporter("capture", () -> capture.get().stats().events(),
          () -> snapshotTables(capture.get()), publisher, clock, REPORT_EVERY));
    }
    if (runs(ComponentName.CAPTURE)) {
      model.otherSources().keySet().stream().filter(model.captured()::contains).forEach(name -> builder.add(
          "capture-" + name.replace('_', '-') + "-progress", () -> new StageProgressReporter("capture:" + name,
              () -> otherCaptures.get(name).stats().events(), () -> snapshotTables(otherCaptures.get(name)),
              publisher, clock, REPORT_EVERY)));
    }
    if (runs(ComponentName.TRANSFORM)) {
      builder.add("transform-progress", () -> new StageProgressReporter("transform",
          () -> migrated(transform.get()), () -> backlog(config.transform().applicationId()), List::of, publisher,
          clock, REPORT_EVERY));
    }
    if (runs(ComponentName.SINK)) {
      builder.add("sink-progress", () -> new StageProgressReporter("sink", () -> sink.get().stats().records(),
          () -> backlog(config.sink().groupId()), List::of, publisher, clock, REPORT_EVERY));
    }
    if (runs(ComponentName.REVERSE)) {
      builder.add("capture-new-progress", () -> new StageProgressReporter("capture-new",
          () -> reverseCapture.get().stats().events(), () -> snapshotTables(reverseCapture.get()), publisher, clock,
          REPORT_EVERY));
      CoexistenceSettings coexistence = config.coexistence().orElseThrow();
      builder.add("reverse-progress", () -> new StageProgressReporter("reverse", () -> migrated(reverseTransform.get()),
          () -> backlog(coexistence.applicationId()), List::of, publisher, clock, REPORT_EVERY));
      builder.add("sink-legacy-progress", () -> new StageProgressReporter("sink-legacy",
          () -> legacySink.get().stats().records(), () -> backlog(coexistence.groupId()), List::of, publisher, clock,
          REPORT_EVERY));
    }
  }

  /** A consumer group's backlog as the consumer-lag component last read it, -1 before. */
  private long backlog(String group) {
    ConsumerLag lag = consumerLag.get();
    return lag == null ? -1 : lag.lag(group);
  }

  private static long migrated(TransformStage stage) {
    return stage.metrics().migratedByEntity().values().stream().mapToLong(Long::longValue).sum();
  }

  private static List<StageProgressReporter.Table> snapshotTables(CaptureEngine engine) {
    return engine.snapshotProgress().values().stream().map(t -> new StageProgressReporter.Table(t.table(), t.done(),
        t.estimated(), t.finished())).toList();
  }

  /** How long a write switch may take to drain before the coordinator aborts it. */
  private static final Duration SWITCH_TIMEOUT = Duration.ofSeconds(120);

  // Both directions are fenced and drained on every switch: a change may move keys either way.
  private List<SwitchCoordinator.Side> switchSides() {
    CoexistenceSettings coexistence = config.coexistence().orElseThrow();
    ConnectorConfig legacy = model.connector().orElseThrow();
    ConnectorConfig newSide = model.newConnector().orElseThrow();
    TargetSettings target = config.target().orElseThrow();
    List<String> legacyRaw = model.sourceTables().stream().map(t -> MappedEntity.rawTopic(legacy.topicPrefix(), t))
        .toList();
    List<String> newRaw = model.newTables().stream().map(t -> MappedEntity.rawTopic(newSide.topicPrefix(), t)).toList();
    return List.of(
        new SwitchCoordinator.Side(Target.LEGACY, "legacy", legacy.jdbcUrl(), legacy.user(), legacy.password(),
            MappedEntity.rawTopic(legacy.topicPrefix(), legacy.fenceTable().orElseThrow()), legacyRaw,
            config.transform().applicationId(), model.entities().stream().map(MappedEntity::topic).toList(),
            config.sink().groupId()),
        new SwitchCoordinator.Side(Target.NEW, "new", target.jdbcUrl(), target.user(), target.password(),
            MappedEntity.rawTopic(newSide.topicPrefix(), newSide.fenceTable().orElseThrow()), newRaw,
            coexistence.applicationId(), model.reverse().stream().map(io.tandem.core.model.ReverseEntity::topic).toList(),
            coexistence.groupId()));
  }

  /** The write-switch coordinator (reverse sync deployments), once the supervisor built it. */
  Optional<SwitchCoordinator> switchCoordinator() {
    return Optional.ofNullable(switchCoordinator.get());
  }

  /** Capture of the new database (reverse sync), once the supervisor built it. */
  public Optional<CaptureEngine> reverseCapture() {
    return Optional.ofNullable(reverseCapture.get());
  }

  /** The sink writing legacy (reverse sync), once the supervisor built it. */
  public Optional<JdbcSink> legacySink() {
    return Optional.ofNullable(legacySink.get());
  }

  /** Capture of a legacy source merged with {@code legacy} ({@code merge.sources}), once the supervisor built it. */
  public Optional<CaptureEngine> capture(String source) {
    return Optional.ofNullable(otherCaptures.get(source));
  }

  /** The capture engine, once the supervisor built it. */
  public Optional<CaptureEngine> capture() {
    return Optional.ofNullable(capture.get());
  }

  /** The transform stage, once the supervisor built it. */
  public Optional<TransformStage> transform() {
    return Optional.ofNullable(transform.get());
  }

  /** The sink, once the supervisor built it. */
  public Optional<JdbcSink> sink() {
    return Optional.ofNullable(sink.get());
  }

  private static AppliedChanges applied(SinkStats stats) {
    return new AppliedChanges(stats.records(), stats.lagSamples(), stats.lastCommit());
  }

  /** The registry's client: the external registry, or this process's embedded one once it listens. */
  public SchemaRegistryClient registryClient(EmbeddedSchemaRegistry embedded) {
    return registryClient.updateAndGet(existing -> {
      if (existing != null) {
        return existing;
      }
      RegistrySettings registry = config.registrySettings();
      SchemaRegistryClient.Builder client;
      if (registry.embedded().isPresent()) {
        int port = embedded != null ? embedded.url().getPort() : registry.embedded().get().port();
        client = SchemaRegistryClient.builder(registry.embedded().get().localUrl(port));
      } else {
        client = SchemaRegistryClient.builder(registry.urls());
      }
      registry.basicAuth().ifPresent(auth -> client.basicAuth(auth.user(), auth.password()));
      return client.build();
    });
  }

  /**
   * What the verifier needs: the mapped entities, both databases (legacy through the replica when one is
   * configured), Kafka and the registry, and capture's signal table for repair.
   */
  public Verifier.Setup verifierSetup(SchemaRegistryClient registry) {
    ConnectorConfig connector = connectorForReads();
    TargetSettings target = config.target().orElseThrow();
    LegacyRead legacy = legacyRead();
    Connector primary = Connector.jdbc(connector.jdbcUrl(), connector.user(), connector.password());
    Map<String, Connector> others = new java.util.HashMap<>();
    model.otherSources().forEach((name, other) -> others.put(name, Connector.jdbc(other.jdbcUrl(), other.user(),
        other.password())));
    return new Verifier.Setup(model.entities(), legacy.connector(), legacy.description(), primary,
        Connector.jdbc(target.jdbcUrl(), target.user(), target.password()), config.kafka().clients(), registry,
        config.verify(), reemitter(connector), others);
  }

  /**
   * The legacy database as the verifier, {@code tandem inventory} and {@code tandem audit} read it.
   *
   * @param description as reports name it (no credentials)
   */
  public record LegacyRead(Connector connector, String description) {}

  /** A merged legacy source ({@code merge.sources}) as the verifier, inventory and audit read it: its primary. */
  public LegacyRead legacyRead(String source) {
    if (source.equals(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE)) {
      return legacyRead();
    }
    ConnectorConfig other = model.otherSources().get(source);
    if (other == null) {
      throw new IllegalArgumentException("no legacy source '" + source + "' (merge.sources)");
    }
    return new LegacyRead(Connector.jdbc(other.jdbcUrl(), other.user(), other.password()),
        source + ": " + withoutParameters(other.jdbcUrl()));
  }

  /** Legacy reads go to the configured replica ({@code verify.legacy_replica_url}), else to the primary. */
  public LegacyRead legacyRead() {
    ConnectorConfig connector = connectorForReads();
    String legacyUrl = config.verify().legacyReplicaUrl().orElse(connector.jdbcUrl());
    String scheme = connector.jdbcUrl().substring(0, connector.jdbcUrl().indexOf(':', "jdbc:".length()) + 1);
    if (!legacyUrl.startsWith(scheme)) {
      throw new ConfigException(config.file().toString(), VerifySettings.LEGACY_REPLICA_URL.path(),
          "a replica of the legacy database the connector file captures (" + scheme + "...)",
          Secrets.maskUrl(legacyUrl));
    }
    return new LegacyRead(Connector.jdbc(legacyUrl, connector.user(), connector.password()),
        withoutParameters(legacyUrl) + (config.verify().legacyReplicaUrl().isPresent() ? " (replica)" : ""));
  }

  private ConnectorConfig connectorForReads() {
    return model.connector().orElseThrow(() -> new ConfigException(config.file().toString(),
        "legacy.connector", "a connector file (legacy reads go through its database)", null));
  }

  /** Re-emission through capture's signal table (docs/capture.md, "Re-emitting chosen rows"). */
  private static Verifier.Reemitter reemitter(ConnectorConfig connector) {
    Optional<String> signalTable = connector.signalTable();
    return new Verifier.Reemitter() {
      @Override
      public void requireAvailable() {
        if (signalTable.isEmpty()) {
          throw new VerifyException("--repair re-emits rows through Debezium's signal table, but the connector file "
              + connector.source() + " sets no signal.data.collection (docs/capture.md, \"Re-emitting chosen rows\")");
        }
      }

      @Override
      public void request(Connection legacy, String sourceTable, List<String> keyColumns, List<List<?>> keys)
          throws SQLException {
        requireAvailable();
        RowResnapshot.request(legacy, signalTable.get(), sourceTable, keyColumns, keys);
      }

      @Override
      public long currentPosition(Connection legacy) throws SQLException {
        return LegacyPosition.current(legacy, connector.kind());
      }
    };
  }

  private static String withoutParameters(String url) {
    int query = url.indexOf('?');
    return Secrets.maskUrl(query < 0 ? url : url.substring(0, query));
  }

  @Override
  public String toString() {
    return "Deployment[" + ComponentName.ids(components) + " from " + config.file() + "]";
  }
}
