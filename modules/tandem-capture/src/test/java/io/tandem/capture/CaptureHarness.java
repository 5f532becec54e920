package io.tandem.capture;

import static org.awaitility.Awaitility.await;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Real PostgreSQL 17, a KRaft broker and a Kafka-backed registry for capture tests, plus per-test
 * databases whose replication slot is always dropped again (a slot pins WAL and blocks DROP DATABASE).
 */
final class CaptureHarness implements AutoCloseable {
  final EmbeddedPostgresServer postgres;
  final EmbeddedKafkaBroker kafka;
  final EmbeddedSchemaRegistry registry;
  final SchemaRegistryClient client;
  private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "capture-engine");
    thread.setDaemon(true);
    return thread;
  });

  CaptureHarness() {
    postgres = EmbeddedPostgresServer.start();
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
  }

  /** One test's database with its own slot, publication and offsets topic. */
  final class Legacy implements AutoCloseable {
    final String db;
    final String slot;
    final Map<String, String> env = new HashMap<>();

    Legacy(String prefix, String tables) {
      db = postgres.createDatabase(prefix);
      slot = "slot_" + db;
      env.put("LEGACY_DB_HOST", postgres.host());
      env.put("LEGACY_DB_PORT", String.valueOf(postgres.port()));
      env.put("LEGACY_DB_NAME", db);
      env.put("LEGACY_DB_USER", postgres.user());
      env.put("LEGACY_DB_PASSWORD", "");
      env.put("LEGACY_SLOT_NAME", slot);
      env.put("LEGACY_PUBLICATION_NAME", "pub_" + db);
      env.put("LEGACY_TABLES", tables);
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("TANDEM_OFFSET_TOPIC", "offsets_" + db);
    }

    String topic(String table) {
      return "legacy." + db + ".public." + table;
    }

    ConnectorConfig config() {
      return ConnectorConfig.load(Fixtures.connectorFile(), env);
    }

    /** Builds an engine and starts it (it runs on its own thread). */
    CaptureEngine start() {
      CaptureEngine engine = CaptureEngine.builder(config()).schemaRegistry(client).build();
      engine.start();
      return engine;
    }

    Connection connect() throws SQLException {
      return postgres.connect(db);
    }

    void sql(String... statements) {
      try (Connection connection = postgres.connect(db); Statement statement = connection.createStatement()) {
        for (String sql : statements) {
          statement.execute(sql);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }

    /** Drops the slot (once its walsender has let go of it) and the database. */
    @Override
    public void close() {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
        try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
          ResultSet rows = statement.executeQuery(
              "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
          while (rows.next()) {
            // drained; an active slot throws and is retried
          }
          statement.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
          return true;
        }
      });
    }
  }

  /** Avro consumer reading a topic from the start, logical types as java.time values. */
  KafkaConsumer<Object, Object> avroConsumer(String topic) {
    AvroSerdeConfig serde = AvroSerdeConfig.withClient(client).withLogicalTypes(true);
    KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(consumerProps(), new AvroDeserializer(serde),
        new AvroDeserializer(serde));
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  KafkaConsumer<byte[], byte[]> rawConsumer(String topic) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  /** Polls until {@code count} records arrived in total, returning them in offset order. */
  static <K, V> List<ConsumerRecord<K, V>> take(KafkaConsumer<K, V> consumer, List<ConsumerRecord<K, V>> into,
      int count) {
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      consumer.poll(Duration.ofMillis(200)).forEach(into::add);
      return into.size() >= count;
    });
    return new ArrayList<>(into);
  }

  private Properties consumerProps() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return props;
  }

  @Override
  public void close() {
    threads.shutdownNow();
    registry.close();
    kafka.close();
    postgres.close();
  }
}
