package io.tandem.capture;

import java.util.Collection;
import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.config.ConfigException;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import java.io.IOException;
import io.tandem.core.flow.RateBudget;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures the legacy database's changes into the raw topics {@code legacy.<db>.<schema>.<table>}
 * (docs/data-model.md, docs/capture.md): Debezium Embedded reads the snapshot and the replication
 * slot, each change is converted to Avro and produced, and Debezium's offsets (kept in Kafka) are
 * committed only for changes Kafka has acknowledged.
 *
 * <pre>{@code
 * CaptureEngine engine = CaptureEngine.builder(ConnectorConfig.load(file, System.getenv()))
 *     .kafka(KafkaClients.of("localhost:9092", securitySettings))
 *     .schemaRegistry(client)
 *     .build();
 * engine.start();   // runs on its own thread until close() or a failure
 * ...
 * engine.close();
 * }</pre>
 *
 * <p>A record that cannot be converted goes to {@code tandem.dlq.capture} and is counted; the engine
 * goes on. Kafka refusing a record, or the registry being unreachable, stops the engine ({@link
 * State#FAILED}, see {@link #failure()}): nothing after it is marked processed, so a restart resumes
 * from the last acknowledged batch.
 */
public final class CaptureEngine extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);
  private static final String NAME = "capture";

  // The at-least-once and per-key order guarantees rest on these; nothing overrides them.
  private static final Map<String, Object> PRODUCER_GUARANTEES = Map.of(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
      ProducerConfig.ACKS_CONFIG, "all");

  /** Where capture sends the changes it cannot convert. */
  public static final String DEAD_LETTER_TOPIC = io.tandem.kafka.DeadLetter.topic("capture");

  private final ConnectorConfig config;
  private final SchemaRegistryClient registry;
  private final KafkaClients kafka;
  private final Map<String, Object> producerDefaults;
  private final String deadLetterTopic;
  private final Duration stopTimeout;
  private final RateBudget snapshotBudget;
  private final List<String> reportedTables;

  private final CaptureCounters counters = new CaptureCounters();
  private final java.util.concurrent.atomic.AtomicLong sweptDeletes = new java.util.concurrent.atomic.AtomicLong();
  private volatile Thread sweeper;
  private ZeroDates zeroDates; // the engine thread's
  private volatile DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> debezium;
  private volatile Throwable completionError;

  private CaptureEngine(Builder builder, KafkaClients kafka) {
    super(builder.name);
    this.config = builder.config;
    this.registry = builder.registry;
    this.kafka = kafka;
    this.producerDefaults = Map.of(
        ProducerConfig.CLIENT_ID_CONFIG, "tandem-capture-" + config.get("name"),
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
        // Snapshot batches are thousands of small records; 16 KiB producer batches would cap throughput.
        ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    this.deadLetterTopic = builder.deadLetterTopic;
    this.stopTimeout = builder.stopTimeout;
    this.snapshotBudget = new RateBudget(builder.snapshotRowsPerSecond);
    this.reportedTables = List.copyOf(builder.reportedTables);
  }

  public static Builder builder(ConnectorConfig config) {
    return new Builder(config);
  }

  /**
   * Runs capture on its own thread until {@link #close()} or a failure. The initial snapshot (if offsets
   * show none was done) comes first, then streaming. A capture engine starts once.
   */
  @Override
  public void start() {
    lifecycle.beginStart();
    Thread thread = new Thread(this::run, "tandem-" + name());
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    Throwable error = null;
    Producer<byte[], byte[]> producer = null;
    try {
      LOG.info("Capture engine starting with {}", config.masked());
      Set<String> signalTables = config.signalTable().map(Set::of).orElse(Set.of());
      Set<String> notData = new java.util.HashSet<>(signalTables);
      config.originTable().ifPresent(notData::add);
      config.fenceTable().ifPresent(notData::add);
      counters.ignore(notData);
      boolean postgres = config.kind() == SourceKind.POSTGRES;
      if (!postgres) {
        BinlogPreflight.check(config);
      }
      CapturedTables tables = postgres ? CapturedTables.read(config) : CapturedTables.readBinlog(config);
      tables.refuseUnsafeIdentities(config);
      counters.estimates(tables.estimates());
      SnapshotRestart restart = SnapshotRestart.applies(config) ? new SnapshotRestart(config, kafka) : null;
      java.util.Optional<SnapshotRestart.SweepMarker> sweep = restart == null ? java.util.Optional.empty()
          : restart.prepare();
      producer = kafka.producer(producerDefaults, PRODUCER_GUARANTEES);
      AvroSerdeConfig serde = AvroSerdeConfig.withClient(registry);
      SnapshotFloor floor = new SnapshotFloor(config);
      ConnectToAvro converter = new ConnectToAvro(floor, config.kind());
      if (sweep.isPresent()) {
        sweeper = startSweep(restart, sweep.get(), new SnapshotSweep(kafka, producer,
            new io.tandem.registry.serde.AvroDeserializer(serde), new AvroSerializer(serde, false),
            postgres ? floor::current : () -> counters.snapshotRowPosition().orElseThrow(() ->
                new IllegalStateException("no row of the new snapshot delivered yet: the sweep waits for one"))));
      }
      zeroDates = postgres ? null : new ZeroDates(config);
      ChangeHandler handler = new ChangeHandler(name(), producer, converter, new AvroSerializer(serde, true),
          new AvroSerializer(serde, false), deadLetterTopic, counters, signalTables,
          config.originTable().orElse(null), config.fenceTable().orElse(null), snapshotBudget, zeroDates, new RawSubjects(registry));
      // Connect format: Debezium hands over its SourceRecords unconverted; ConnectToAvro does the rest.
      DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
          .using(debeziumProperties())
          .using(this::completed)
          .notifying(handler)
          .build();
      debezium = engine;
      if (lifecycle.markRunning()) {
        engine.run();
        error = completionError;
      } else {
        closeQuietly(engine); // close() came while starting: never run it
      }
    } catch (RuntimeException | Error e) {
      error = e;
    } finally {
      if (zeroDates != null) {
        zeroDates.close();
      }
      Thread sweeping = sweeper;
      if (sweeping != null) {
        sweeping.interrupt();
        try {
          sweeping.join(10_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (producer != null) {
        producer.close(Duration.ofSeconds(10));
      }
      finish(error);
    }
  }

  /**
   * Runs the sweep after a snapshot that replaced an earlier one ({@link SnapshotSweep}) once Debezium's committed
   * offset shows the snapshot complete; retries while capture runs; the marker stays until it succeeds, so a
   * restart sweeps again.
   */
  private Thread startSweep(SnapshotRestart restart, SnapshotRestart.SweepMarker marker, SnapshotSweep sweep) {
    java.util.function.BooleanSupplier stopping = () -> Thread.currentThread().isInterrupted()
        || lifecycle.state() == State.STOPPING || lifecycle.state() == State.STOPPED
        || lifecycle.state() == State.FAILED;
    Thread thread = new Thread(() -> {
      while (!stopping.getAsBoolean()) {
        try {
          if (restart.snapshotComplete()) {
            long started = System.nanoTime();
            Map<String, Long> deleted = sweep.sweep(marker, stopping);
            if (stopping.getAsBoolean()) {
              return;
            }
            restart.sweepDone();
            long total = deleted.values().stream().mapToLong(Long::longValue).sum();
            sweptDeletes.addAndGet(total);
            LOG.info("Snapshot sweep done in {} ms: {} keys the new snapshot no longer saw deleted {}",
                (System.nanoTime() - started) / 1_000_000, total, deleted);
            return;
          }
          Thread.sleep(2_000);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          LOG.warn("Snapshot sweep failed, retrying in 10 s (the marker stays until it succeeds): {}", e.toString());
          try {
            Thread.sleep(10_000);
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    }, "tandem-" + name() + "-snapshot-sweep");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Deletes produced by snapshot sweeps in this run (docs/capture.md, "A restart during the initial snapshot"). */
  public long sweptDeletes() {
    return sweptDeletes.get();
  }

  /** Stops capture (Debezium flushes its offsets) and waits up to the stop timeout. Idempotent. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + stopTimeout.toNanos();
    State before = lifecycle.requestStop();
    if (before == State.CREATED) {
      return;
    }
    if (before == State.RUNNING) {
      stopDebezium(deadline);
    }
    // STARTING: run() sees STOPPING before it starts Debezium and winds down by itself.
    if (!lifecycle.awaitTerminal(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
      LOG.warn("Capture engine for {} did not stop within {}", config.topicPrefix(), stopTimeout);
    }
  }

  @Override
  public String status() {
    return state() + "  " + config.topicPrefix() + " (" + config.source() + ", " + (config.kind() == SourceKind.POSTGRES
        ? "slot " + config.slotName() : "binlog of " + config.database())
        + ") → raw topics " + config.topicPrefix() + ".*";
  }

  /** Snapshot progress and changes per table (those given to the builder), dead letters. */
  @Override
  public void bindTo(MeterRegistry meters) {
    FunctionCounter.builder("tandem.snapshot.sweep.deletes", sweptDeletes, java.util.concurrent.atomic.AtomicLong::get)
        .tags("stage", name()).description("Deletes produced after an initial snapshot that replaced an earlier one,"
            + " for keys the new snapshot no longer saw").register(meters);
    FunctionCounter.builder("tandem.snapshot.throttle.seconds", snapshotBudget, RateBudget::waitedSeconds)
        .tags("stage", name()).description("Time the snapshot waited for its read budget on the source database")
        .register(meters);
    Gauge.builder("tandem.snapshot.read.budget.rows.per.second", snapshotBudget, RateBudget::rowsPerSecond)
        .tags("stage", name()).description("The snapshot's read budget on the source database; 0 = unlimited")
        .register(meters);
    for (String table : reportedTables) {
      Gauge.builder("tandem.snapshot.rows.done", this, c -> progressOf(c, table).done()).tags("table", table)
          .description("Initial-snapshot rows delivered to Kafka").register(meters);
      Gauge.builder("tandem.snapshot.rows.estimated", this, c -> progressOf(c, table).estimated())
          .tags("table", table).description("Row estimate (pg_class.reltuples) at start").register(meters);
      FunctionCounter.builder("tandem.capture.events", this, c -> c.stats().eventsByTable().getOrDefault(table, 0L))
          .tags("table", table).description("Legacy changes delivered to raw topics").register(meters);
    }
    FunctionCounter.builder("tandem.dlq.records", this, c -> c.stats().deadLettered()).tags("stage", name())
        .description("Records sent to a dead-letter topic").register(meters);
    // Heartbeats are batches too (heartbeat.interval.ms): an age well above the interval is a stalled capture.
    Gauge.builder("tandem.capture.last.batch.age", this, c -> c.lastBatchAt()
            .map(at -> java.time.Duration.between(at, java.time.Instant.now()).toMillis() / 1000.0).orElse(Double.NaN))
        .tags("stage", name()).baseUnit("seconds")
        .description("Time since capture last delivered a batch (changes or heartbeats); NaN before the first")
        .register(meters);
    FunctionCounter.builder("tandem.capture.echo.suppressed", this, c -> c.stats().echoSuppressed())
        .tags("source", config.topicPrefix())
        .description("Changes a Tandem sink wrote, recognised by their origin marker and not sent back").register(meters);
  }

  // snapshotProgress() is empty until the engine runs: a table not seen yet reads as nothing done.
  private static SnapshotProgress progressOf(CaptureEngine capture, String table) {
    return capture.snapshotProgress().getOrDefault(table,
        new SnapshotProgress(table, 0, SnapshotProgress.UNKNOWN, false));
  }

  /** Initial-snapshot progress per captured table ({@code schema.table}), sorted by table. */
  public Map<String, SnapshotProgress> snapshotProgress() {
    SnapshotMetrics.read(config.topicPrefix()).ifPresent(counters::snapshotMetrics);
    return counters.snapshotProgress();
  }

  /**
   * When Debezium last handed over a batch: changes, or, while the captured tables are quiet, its
   * heartbeats (every {@link #heartbeatInterval()}). Empty until the first batch. A capture that falls
   * silent for longer than the heartbeat interval is stalled (or stopped).
   */
  public Optional<Instant> lastBatchAt() {
    return counters.lastBatchAt();
  }

  /** {@code heartbeat.interval.ms} of the connector file; zero if heartbeats are off. */
  public Duration heartbeatInterval() {
    return config.heartbeatInterval();
  }

  /** Counters since this engine started. */
  public CaptureStats stats() {
    return counters.stats();
  }

  /** State, connector file and topic prefix; never settings (they hold secrets). */
  @Override
  public String toString() {
    return "CaptureEngine[" + lifecycle.state() + ", " + config.source() + ", topic.prefix=" + config.topicPrefix() + "]";
  }

  private Properties debeziumProperties() {
    Properties properties = config.toProperties();
    // Connect's offset store builds its clients from all of these; Debezium ignores what it does not know.
    kafka.properties().forEach((key, value) -> properties.putIfAbsent(key, String.valueOf(value)));
    if (KafkaOffsetBackingStore.class.getName().equals(properties.getProperty("offset.storage"))) {
      properties.setProperty("offset.storage", KafkaOffsetStore.class.getName()); // see KafkaOffsetStore
    }
    return properties;
  }

  private void completed(boolean success, String message, Throwable error) {
    if (!success) {
      completionError = error != null ? error : new IllegalStateException(message);
    }
  }

  // Debezium refuses close() while its tasks are starting (they hold half-open connections): retry.
  private void stopDebezium(long deadline) {
    DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = debezium;
    while (true) {
      try {
        engine.close();
        return;
      } catch (IllegalStateException e) {
        if (lifecycle.awaitTerminal(Duration.ofMillis(100)) || System.nanoTime() > deadline) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("Debezium engine did not close cleanly", e);
        return;
      }
    }
  }

  private void finish(Throwable error) {
    boolean stopping = lifecycle.isStopRequested();
    if (error != null && !stopping) {
      LOG.error("Capture engine for {} failed", config.topicPrefix(), error);
    } else if (error != null) {
      LOG.warn("Capture engine for {} reported an error while stopping", config.topicPrefix(), error);
    } else {
      LOG.info("Capture engine for {} stopped; {}", config.topicPrefix(), counters.stats());
    }
    lifecycle.finish(stopping ? null : error);
  }

  private static void closeQuietly(DebeziumEngine<?> engine) {
    try {
      engine.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing a Debezium engine that never ran", e);
    }
  }

  /** The producer's settings (for tests: the guarantees cannot be loosened). */
  Map<String, Object> producerConfig() {
    return kafka.config(producerDefaults, PRODUCER_GUARANTEES);
  }

  /** Typed, validated settings for one engine. */
  public static final class Builder {
    private final ConnectorConfig config;
    private SchemaRegistryClient registry;
    private KafkaClients kafka;
    private String deadLetterTopic = DEAD_LETTER_TOPIC;
    private Duration stopTimeout = Duration.ofSeconds(30);
    private int snapshotRowsPerSecond;
    private List<String> reportedTables = List.of();
    private String name = NAME;

    private Builder(ConnectorConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The registry the raw topics' schemas are registered in (subjects {@code <topic>-key}, {@code <topic>-value}). */
    public Builder schemaRegistry(SchemaRegistryClient registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * The Kafka cluster of the raw topics and of Debezium's offsets, with the deployment's client
     * settings (security, timeouts), which also reach Debezium's offset store (a setting the connector
     * file has itself keeps the file's value). Default: the connector file's {@code bootstrap.servers}.
     */
    public Builder kafka(KafkaClients kafka) {
      this.kafka = Objects.requireNonNull(kafka, "kafka");
      return this;
    }

    /** The tables ({@code schema.table}) whose snapshot progress and events are reported as meters. */
    public Builder reportTables(Collection<String> tables) {
      this.reportedTables = List.copyOf(tables);
      return this;
    }

    /**
     * The component's name in status, health and the {@code stage} tag of its meters (default {@code
     * capture}); reverse sync captures the new database as {@code capture-new}.
     */
    public Builder name(String name) {
      if (name == null || !name.matches("[a-z][a-z0-9-]{0,40}")) {
        throw new IllegalArgumentException("name must be lower-case letters, digits and '-', got " + name);
      }
      this.name = name;
      return this;
    }

    public Builder deadLetterTopic(String topic) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("deadLetterTopic must not be blank");
      }
      this.deadLetterTopic = topic;
      return this;
    }

    /**
     * Read budget of the initial snapshot on the source database, in rows per second; 0 = unlimited.
     * Capture holds back snapshot batches beyond it, and Debezium's bounded queue then holds back its reads.
     */
    public Builder snapshotRowsPerSecond(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("snapshotRowsPerSecond must be 0 (unlimited) or more, got " + rows);
      }
      this.snapshotRowsPerSecond = rows;
      return this;
    }

    /** How long {@link CaptureEngine#close()} waits for Debezium to stop. */
    public Builder stopTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("stopTimeout must be positive, got " + timeout);
      }
      this.stopTimeout = timeout;
      return this;
    }

    /** @throws ConfigException if the connector file keeps its offsets on another Kafka cluster */
    public CaptureEngine build() {
      if (registry == null) {
        throw new IllegalStateException("schemaRegistry(...) is required");
      }
      KafkaClients clients = kafka;
      if (clients == null) {
        clients = KafkaClients.of(config.values().requiredString("bootstrap.servers",
            "Kafka bootstrap servers (host:port,...)"));
      }
      config.requireCluster(clients.bootstrapServers());
      return new CaptureEngine(this, clients);
    }
  }
}
