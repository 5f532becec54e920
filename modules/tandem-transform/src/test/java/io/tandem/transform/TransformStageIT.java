package io.tandem.transform;

import io.tandem.core.lifecycle.State;
import io.tandem.core.model.MappedEntity;
import io.tandem.core.model.EntitySchema;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage on a real broker and registry: schemas registered at start, records flow, bad schemas refused. */
class TransformStageIT {
  static EmbeddedKafkaBroker kafka;
  static EmbeddedSchemaRegistry registry;
  static SchemaRegistryClient client;
  static final Mapping CUSTOMER = MappingLoader.load(TransformTopologyTest.SCHEMAS.resolve("mappings/customer.yaml"));
  static final List<MappedEntity> ENTITIES = List.of(new MappedEntity(CUSTOMER,
      EntitySchema.load(TransformTopologyTest.SCHEMAS.resolve("avro"), CUSTOMER)));

  @TempDir
  Path stateDir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    client = SchemaRegistryClient.builder(registry.url()).build();
  }

  @AfterAll
  static void stop() {
    registry.close();
    kafka.close();
  }

  private TransformStage stage(String db, String appId) {
    return TransformStage.builder().kafka(KafkaClients.of(kafka.bootstrapServers()))
        .settings(new TransformSettings(appId, 1, stateDir)).topicPrefix("legacy." + db).entities(ENTITIES)
        .registryClient(client).build();
  }

  private static TransformStage started(TransformStage stage) {
    stage.start();
    return stage;
  }

  @Test
  void migratesRecordsFromARealBroker() {
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog("legacy.itshop.public.customers", 2));
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog("migrated.customer", 2));
    try (TransformStage stage = started(stage("itshop", "transform-it"));
        KafkaProducer<Object, Object> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new AvroSerializer(AvroSerdeConfig.withClient(client), true),
            new AvroSerializer(AvroSerdeConfig.withClient(client), false))) {
      assertThat(client.subjects()).contains("migrated.customer-key", "migrated.customer-value");
      for (long id = 1; id <= 20; id++) {
        GenericRecord change = new GenericData.Record(TransformTopologyTest.CHANGE);
        change.put("op", "c");
        GenericRecord row = new GenericData.Record(TransformTopologyTest.ROW);
        row.put("cust_id", id);
        row.put("full_nm", "C" + id);
        row.put("balance", id + ".00");
        row.put("status_cd", "A");
        row.put("created_local", 0L);
        row.put("updated_at", "2026-11-21T10:00:00Z");
        change.put("after", row);
        change.put("position", 1000 + id);
        change.put("commit_ts", 1L);
        change.put("snapshot", false);
        change.put("source", "itshop.public.customers");
        GenericRecord key = new GenericData.Record(TransformTopologyTest.KEY);
        key.put("cust_id", id);
        producer.send(new ProducerRecord<>("legacy.itshop.public.customers", key, change));
      }
      producer.flush();

      List<GenericRecord> migrated = new ArrayList<>();
      AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client));
      try (KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
          ConsumerConfig.GROUP_ID_CONFIG, "transform-it-reader",
          ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), deserializer, deserializer)) {
        consumer.subscribe(List.of("migrated.customer"));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
          for (ConsumerRecord<Object, Object> record : consumer.poll(Duration.ofMillis(200))) {
            migrated.add((GenericRecord) record.value());
          }
          return migrated.size() >= 20;
        });
      }
      assertThat(migrated).extracting(r -> (Long) r.get("balance_cents"))
          .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, 20).map(i -> i * 100).boxed().toList());
      assertThat(stage.metrics().migratedByEntity()).containsEntry("customer", 20L);
    }
  }

  @Test
  void aStreamThreadThatDiesLeavesTheStageFailedWithItsCause() {
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog("legacy.failshop.public.customers", 1));
    // A producer limit no migrated record fits: Kafka Streams' default production handler fails the thread.
    try (TransformStage stage = started(TransformStage.builder()
        .kafka(KafkaClients.of(kafka.bootstrapServers(), Map.of("producer.max.request.size", 64)))
        .settings(new TransformSettings("transform-fail", 1, stateDir)).topicPrefix("legacy.failshop")
        .entities(ENTITIES).registryClient(client).build());
        KafkaProducer<Object, Object> producer = new KafkaProducer<>(
            Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
            new AvroSerializer(AvroSerdeConfig.withClient(client), true),
            new AvroSerializer(AvroSerdeConfig.withClient(client), false))) {
      assertThat(stage.failure()).isEmpty();
      GenericRecord change = new GenericData.Record(TransformTopologyTest.CHANGE);
      change.put("op", "c");
      GenericRecord row = new GenericData.Record(TransformTopologyTest.ROW);
      row.put("cust_id", 1L);
      row.put("full_nm", "C1");
      row.put("balance", "1.00");
      row.put("status_cd", "A");
      row.put("created_local", 0L);
      row.put("updated_at", "2026-11-21T10:00:00Z");
      change.put("after", row);
      change.put("position", 1001L);
      change.put("commit_ts", 1L);
      change.put("snapshot", false);
      change.put("source", "failshop.public.customers");
      GenericRecord key = new GenericData.Record(TransformTopologyTest.KEY);
      key.put("cust_id", 1L);
      producer.send(new ProducerRecord<>("legacy.failshop.public.customers", key, change));
      producer.flush();
      await().atMost(Duration.ofSeconds(60)).until(() -> stage.state() == State.FAILED);
      assertThat(stage.failure()).get().satisfies(e -> {
        Throwable root = e;
        while (root.getCause() != null) {
          root = root.getCause();
        }
        assertThat(root).isInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
      });
    }
  }

  @Test
  void refusesToStartWhenTheEntitySchemaIsIncompatibleWithTheRegisteredOne() {
    Schema other = new Schema.Parser().parse("""
        {"type":"record","name":"Customer","namespace":"migrated","fields":[{"name":"id","type":"string"}]}""");
    String subject = "migrated.customer-value";
    // A registry of its own, so the other test's registration of the real schema does not interfere.
    try (EmbeddedSchemaRegistry fresh = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas_refuse")
        .start()) {
      SchemaRegistryClient freshClient = SchemaRegistryClient.builder(fresh.url()).build();
      freshClient.register(subject, other);
      TransformStage stage = TransformStage.builder().kafka(KafkaClients.of(kafka.bootstrapServers()))
          .settings(new TransformSettings("refuse", 1, stateDir)).topicPrefix("legacy.x").entities(ENTITIES)
          .registryClient(freshClient).build();

      assertThatThrownBy(stage::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("entity 'customer' refused by the registry")
          .hasMessageContaining("incompatible");
      assertThat(stage.state()).isEqualTo(State.FAILED);
      assertThat(freshClient.versions(subject)).containsExactly(1);
    }
  }

  @Test
  void refusesToStartWhenAnExpressionDoesNotFitTheRawSchemaNamingTheField() throws Exception {
    Path file = TransformTopologyTest.SCHEMAS.resolve("mappings/customer.yaml");
    Mapping computed = MappingLoader.parse(file.toString(), java.nio.file.Files.readString(file)
        .replace("name: full_nm", "name: { expr: \"full_nm + ' (' + status_cd + ')'\" }"));
    List<MappedEntity> entities = List.of(new MappedEntity(computed,
        EntitySchema.load(TransformTopologyTest.SCHEMAS.resolve("avro"), computed)));
    // Capture registered the raw schema with full_nm as a number: the expression adds text to it.
    Schema row = org.apache.avro.SchemaBuilder.record("Row").namespace("legacy.typed.public.customers").fields()
        .requiredLong("cust_id").optionalLong("full_nm").optionalString("status_cd").endRecord();
    Schema change = org.apache.avro.SchemaBuilder.record("Change").namespace("legacy.typed.public.customers").fields()
        .requiredString("op").name("before").type().optional().type(row).name("after").type().optional().type(row)
        .endRecord();
    client.register("legacy.typed.public.customers-value", change);
    TransformStage stage = TransformStage.builder().kafka(KafkaClients.of(kafka.bootstrapServers()))
        .settings(new TransformSettings("typed", 1, stateDir)).topicPrefix("legacy.typed").entities(entities)
        .registryClient(client).build();

    assertThatThrownBy(stage::start).isInstanceOf(io.tandem.core.config.ConfigException.class)
        .hasMessageContaining("customer.yaml").hasMessageContaining("fields.name.expr")
        .hasMessageContaining("no matching overload");
    assertThat(stage.state()).isEqualTo(State.FAILED);
  }
}
