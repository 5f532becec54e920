package io.tandem.sink;

import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A real broker, the embedded registry on it and a real PostgreSQL, shared by one test class. */
final class SinkEnvironment implements AutoCloseable {
  private static final AtomicInteger NAMES = new AtomicInteger();

  final EmbeddedKafkaBroker kafka;
  final EmbeddedSchemaRegistry registry;
  final EmbeddedPostgresServer pg;
  final SchemaRegistryClient client;
  private final KafkaProducer<Object, Object> producer;
  private final List<JdbcSink> sinks = new ArrayList<>();

  private SinkEnvironment() {
    // PostgreSQL's initdb and Kafka's start each take seconds: overlap them.
    CompletableFuture<EmbeddedPostgresServer> postgres = CompletableFuture.supplyAsync(EmbeddedPostgresServer::start);
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    pg = postgres.join();
    client = SchemaRegistryClient.builder(registry.url()).build();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.LINGER_MS_CONFIG, 5),
        new AvroSerializer(AvroSerdeConfig.withClient(client), true),
        new AvroSerializer(AvroSerdeConfig.withClient(client), false));
  }

  static SinkEnvironment start() {
    return new SinkEnvironment();
  }

  static String unique(String prefix) {
    return prefix + "_" + NAMES.incrementAndGet() + "_" + System.nanoTime() % 100_000;
  }

  /** A new {@code migrated.customer...} topic with three partitions. */
  String customerTopic() {
    String topic = "migrated.customer." + unique("t");
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog(topic, 3));
    return topic;
  }

  /** A sink on a fresh consumer group, writing to {@code database} through its own pool. */
  JdbcSink.Builder sink(String database, String topic) {
    return sink(database, Fixtures.customerTable(topic));
  }

  JdbcSink.Builder sink(String database, EntityTable entity) {
    return JdbcSink.builder()
        .kafka(KafkaClients.of(kafka.bootstrapServers()))
        .groupId(unique("sink"))
        .registry(client)
        .jdbc(pg.jdbcUrl(database), pg.user(), "")
        .entity(entity)
        .dlqTopic(unique("tandem.dlq.sink"))
        .pollTimeout(Duration.ofMillis(100));
  }

  /** Starts the sink; it is closed with the environment if the test does not. */
  JdbcSink run(JdbcSink sink) {
    sinks.add(sink);
    sink.start();
    return sink;
  }

  /** An upsert (value non-null) or a delete (value null) with the data-model headers. */
  void send(String topic, long id, GenericRecord value, long position) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ChangeHeaders.POSITION, ChangeHeaders.longBytes(position));
    headers.add(ChangeHeaders.COMMIT_TS, ChangeHeaders.longBytes(System.currentTimeMillis()));
    headers.add(ChangeHeaders.OP, ChangeHeaders.utf8(value == null ? "d" : "u"));
    headers.add(ChangeHeaders.SOURCE, ChangeHeaders.utf8("legacy.public.customers"));
    producer.send(new ProducerRecord<>(topic, null, Fixtures.customerKey(id), value, headers));
  }

  /** Any key and value (null: a delete) with the data-model headers. */
  void send(String topic, GenericRecord key, GenericRecord value, long position) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ChangeHeaders.POSITION, ChangeHeaders.longBytes(position));
    headers.add(ChangeHeaders.COMMIT_TS, ChangeHeaders.longBytes(System.currentTimeMillis()));
    headers.add(ChangeHeaders.OP, ChangeHeaders.utf8(value == null ? "d" : "u"));
    producer.send(new ProducerRecord<>(topic, null, key, value, headers));
  }

  void flush() {
    producer.flush();
  }

  /** Raw bytes, for records the sink cannot decode. */
  void sendRaw(String topic, byte[] key, byte[] value, RecordHeaders headers) {
    try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      raw.send(new ProducerRecord<>(topic, null, key, value, headers));
    }
  }

  /** Serialized key bytes exactly as the Avro producer writes them. */
  byte[] keyBytes(String topic, long id) {
    return new AvroSerializer(AvroSerdeConfig.withClient(client), true).serialize(topic, Fixtures.customerKey(id));
  }

  /** Every record of a topic from the beginning, once at least {@code atLeast} are there. */
  List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int atLeast) {
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, unique("reader"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (records.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
      return records;
    }
  }

  void closeSinks() {
    sinks.forEach(JdbcSink::close);
    sinks.clear();
  }

  @Override
  public void close() {
    closeSinks();
    producer.close();
    registry.close();
    kafka.close();
    pg.close();
  }
}
