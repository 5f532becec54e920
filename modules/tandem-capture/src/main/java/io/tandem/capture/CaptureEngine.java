package io.tandem.capture;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigValues;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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
 *     .schemaRegistry(client)
 *     .build();
 * executor.execute(engine);   // run() blocks until close() or a failure
 * ...
 * engine.close();
 * }</pre>
 *
 * <p>A record that cannot be converted goes to {@code tandem.dlq.capture} and is counted; the engine
 * goes on. Kafka refusing a record, or the registry being unreachable, stops the engine ({@link
 * State#FAILED}, see {@link #failure()}): nothing after it is marked processed, so a restart resumes
 * from the last acknowledged batch.
 */
public final class CaptureEngine implements Runnable, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CaptureEngine.class);

  public static final String DEFAULT_DEAD_LETTER_TOPIC = "tandem.dlq.capture";

  /** Lifecycle; changed only by compare-and-set. */
  public enum State { CREATED, STARTING, RUNNING, STOPPING, STOPPED, FAILED }

  // The at-least-once and per-key order guarantees rest on these; callers may not loosen them.
  private static final Set<String> FIXED_PRODUCER_SETTINGS = Set.of(
      ProducerConfig.ACKS_CONFIG, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
      ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);

  private final ConnectorConfig config;
  private final SchemaRegistryClient registry;
  private final Map<String, Object> producerConfig;
  private final Map<String, String> offsetStoreSettings;
  private final String deadLetterTopic;
  private final Duration stopTimeout;

  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final CaptureCounters counters = new CaptureCounters();
  private volatile DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> debezium;
  private volatile Throwable completionError;
  private volatile Throwable failure;

  private CaptureEngine(Builder builder, Map<String, Object> producerConfig) {
    this.config = builder.config;
    this.registry = builder.registry;
    this.producerConfig = producerConfig;
    this.offsetStoreSettings = builder.offsetStoreSettings;
    this.deadLetterTopic = builder.deadLetterTopic;
    this.stopTimeout = builder.stopTimeout;
  }

  public static Builder builder(ConnectorConfig config) {
    return new Builder(config);
  }

  /**
   * Runs capture until {@link #close()} or a failure; call it once, on a thread of your choice. The
   * initial snapshot (if offsets show none was done) comes first, then streaming.
   */
  @Override
  public void run() {
    if (!state.compareAndSet(State.CREATED, State.STARTING)) {
      throw new IllegalStateException("capture engine is " + state.get() + "; it can run once");
    }
    Throwable error = null;
    Producer<byte[], byte[]> producer = null;
    try {
      LOG.info("Capture engine starting with {}", config.masked());
      Set<String> signalTables = config.signalTable().map(Set::of).orElse(Set.of());
      counters.ignore(signalTables);
      CapturedTables tables = CapturedTables.read(config);
      tables.refuseUnsafeIdentities(config);
      counters.estimates(tables.estimates());
      producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
      AvroSerdeConfig serde = AvroSerdeConfig.withClient(registry);
      ConnectToAvro converter = new ConnectToAvro(new SnapshotFloor(config));
      ChangeHandler handler = new ChangeHandler(producer, converter, new AvroSerializer(serde, true),
          new AvroSerializer(serde, false), deadLetterTopic, counters, signalTables);
      // Connect format: Debezium hands over its SourceRecords unconverted; ConnectToAvro does the rest.
      DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine = DebeziumEngine.create(Connect.class)
          .using(debeziumProperties())
          .using(this::completed)
          .notifying(handler)
          .build();
      debezium = engine;
      if (state.compareAndSet(State.STARTING, State.RUNNING)) {
        engine.run();
        error = completionError;
      } else {
        closeQuietly(engine); // close() came while starting: never run it
      }
    } catch (RuntimeException | Error e) {
      error = e;
    } finally {
      if (producer != null) {
        producer.close(Duration.ofSeconds(10));
      }
      finish(error);
    }
  }

  /** Stops capture and waits (up to the stop timeout) for {@link #run()} to return. Idempotent. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + stopTimeout.toNanos();
    while (true) {
      State current = state.get();
      if (current == State.CREATED) {
        if (state.compareAndSet(State.CREATED, State.STOPPED)) {
          finished.countDown();
          return;
        }
      } else if (current == State.STARTING) {
        // run() sees STOPPING before it starts Debezium and winds down by itself.
        if (state.compareAndSet(State.STARTING, State.STOPPING)) {
          break;
        }
      } else if (current == State.RUNNING) {
        if (state.compareAndSet(State.RUNNING, State.STOPPING)) {
          stopDebezium(deadline);
          break;
        }
      } else {
        break; // STOPPING, STOPPED or FAILED: only wait
      }
    }
    if (!awaitFinished(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
      LOG.warn("Capture engine for {} did not stop within {}", config.topicPrefix(), stopTimeout);
    }
  }

  public State state() {
    return state.get();
  }

  /** Why the engine stopped by itself, if it did ({@link State#FAILED}). */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
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
    return config.values().millis("heartbeat.interval.ms", Duration.ZERO);
  }

  /** Counters since this engine started. */
  public CaptureStats stats() {
    return counters.stats();
  }

  /** State, connector file and topic prefix; never settings (they hold secrets). */
  @Override
  public String toString() {
    return "CaptureEngine[" + state.get() + ", " + config.source() + ", topic.prefix=" + config.topicPrefix() + "]";
  }

  private Properties debeziumProperties() {
    Properties properties = config.toProperties();
    // Connect's offset store builds its clients from all of these; Debezium ignores what it does not know.
    offsetStoreSettings.forEach(properties::putIfAbsent);
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
        if (awaitFinished(Duration.ofMillis(100)) || System.nanoTime() > deadline) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.warn("Debezium engine did not close cleanly", e);
        return;
      }
    }
  }

  private void finish(Throwable error) {
    while (true) {
      State current = state.get();
      State next = current == State.STOPPING || error == null ? State.STOPPED : State.FAILED;
      failure = next == State.FAILED ? error : null; // visible before the state that announces it
      if (state.compareAndSet(current, next)) {
        if (next == State.FAILED) {
          LOG.error("Capture engine for {} failed", config.topicPrefix(), error);
        } else if (error != null) {
          LOG.warn("Capture engine for {} reported an error while stopping", config.topicPrefix(), error);
        } else {
          LOG.info("Capture engine for {} stopped; {}", config.topicPrefix(), counters.stats());
        }
        finished.countDown();
        return;
      }
    }
  }

  private boolean awaitFinished(Duration timeout) {
    try {
      return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return finished.getCount() == 0;
    }
  }

  private static void closeQuietly(DebeziumEngine<?> engine) {
    try {
      engine.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing a Debezium engine that never ran", e);
    }
  }

  /** Typed, validated settings for one engine. */
  public static final class Builder {
    private final ConnectorConfig config;
    private SchemaRegistryClient registry;
    private Map<String, Object> producerOverrides = Map.of();
    private Map<String, String> offsetStoreSettings = Map.of();
    private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
    private Duration stopTimeout = Duration.ofSeconds(30);

    private Builder(ConnectorConfig config) {
      this.config = Objects.requireNonNull(config, "config");
    }

    /** The registry the raw topics' schemas are registered in (subjects {@code <topic>-key}, {@code <topic>-value}). */
    public Builder schemaRegistry(SchemaRegistryClient registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Extra Kafka producer settings (security, timeouts, batching). {@code acks}, idempotence and
     * serializers are fixed; {@code bootstrap.servers} defaults to the connector file's.
     */
    public Builder producerConfig(Map<String, ?> overrides) {
      for (String key : overrides.keySet()) {
        if (FIXED_PRODUCER_SETTINGS.contains(key)) {
          throw new IllegalArgumentException("producer setting '" + key + "' is fixed by the capture engine");
        }
      }
      this.producerOverrides = Map.copyOf(overrides);
      return this;
    }

    /**
     * Kafka client settings (security, timeouts) for Debezium's offset store, which otherwise only sees the
     * connector file. A setting the connector file has itself keeps the file's value.
     */
    public Builder offsetStoreConfig(Map<String, ?> settings) {
      Map<String, String> copy = new java.util.HashMap<>();
      settings.forEach((key, value) -> copy.put(key, String.valueOf(value)));
      this.offsetStoreSettings = Map.copyOf(copy);
      return this;
    }

    public Builder deadLetterTopic(String topic) {
      if (topic == null || topic.isBlank()) {
        throw new IllegalArgumentException("deadLetterTopic must not be blank");
      }
      this.deadLetterTopic = topic;
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

    /** @throws ConfigException if the connector file lacks what the embedded engine needs */
    public CaptureEngine build() {
      if (registry == null) {
        throw new IllegalStateException("schemaRegistry(...) is required");
      }
      ConfigValues values = config.values();
      String bootstrap = producerOverrides.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)
          ? producerOverrides.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG).toString()
          : values.requiredString("bootstrap.servers", "Kafka bootstrap servers (host:port,...)");
      String offsetStorage = values.requiredString("offset.storage",
          "org.apache.kafka.connect.storage.KafkaOffsetBackingStore (offsets in Kafka)");
      if (offsetStorage.equals(KafkaOffsetBackingStore.class.getName())) {
        values.requiredString("offset.storage.topic", "the Kafka topic for Debezium's offsets");
        values.intInRange("offset.storage.partitions", 1, -1, 10_000);
        values.intInRange("offset.storage.replication.factor", -1, -1, Short.MAX_VALUE);
        if (!values.has("offset.storage.partitions") || !values.has("offset.storage.replication.factor")) {
          // Debezium's embedded engine refuses to start without them.
          String missing = values.has("offset.storage.partitions") ? "offset.storage.replication.factor"
              : "offset.storage.partitions";
          throw new ConfigException(config.source(), missing, "an integer (-1: the broker's default)", null);
        }
      }
      values.millis("offset.flush.interval.ms", Duration.ofMinutes(1));
      values.millis("heartbeat.interval.ms", Duration.ZERO);

      Map<String, Object> producer = new HashMap<>();
      producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producer.put(ProducerConfig.CLIENT_ID_CONFIG, "tandem-capture-" + config.get("name"));
      producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      producer.put(ProducerConfig.ACKS_CONFIG, "all");
      producer.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
      // Snapshot batches are thousands of small records; 16 KiB producer batches would cap throughput.
      producer.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
      producer.putAll(producerOverrides);
      return new CaptureEngine(this, producer);
    }
  }
}
