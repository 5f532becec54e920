package io.tandem.transform;

import io.tandem.core.model.EntitySchema;
import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.ChangeHeaders;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The topology with the repository's real mappings and schemas, driven without a broker. */
class TransformTopologyTest {
  static final Path SCHEMAS = Path.of("../../schemas");
  static final Schema ROW = SchemaBuilder.record("Row").namespace("legacy.shop.public.customers").fields()
      .requiredLong("cust_id")
      .optionalString("full_nm")
      .optionalString("email_addr")
      .optionalString("balance")
      .optionalString("status_cd")
      .name("created_local").type().optional().type(
          org.apache.avro.LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
      .optionalString("updated_at")
      .optionalString("legacy_flags")
      .endRecord();
  static final Schema CHANGE = SchemaBuilder.record("Change").namespace("legacy.shop.public.customers").fields()
      .requiredString("op")
      .name("before").type().optional().type(ROW)
      .name("after").type().optional().type(ROW)
      .requiredLong("position")
      .requiredLong("commit_ts")
      .optionalLong("tx_id")
      .requiredBoolean("snapshot")
      .requiredString("source")
      .endRecord();
  static final Schema KEY = SchemaBuilder.record("Key").namespace("legacy.shop.public.customers").fields()
      .requiredLong("cust_id").endRecord();

  private EmbeddedSchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> dlq;
  private AvroSerializer rawSerializer;
  private AvroDeserializer migratedDeserializer;
  private TransformMetrics metrics;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
    AvroSerdeConfig config = AvroSerdeConfig.withClient(client);
    Mapping mapping = MappingLoader.load(SCHEMAS.resolve("mappings/customer.yaml"));
    EntityRoute route = new EntityRoute(mapping, EntitySchema.load(SCHEMAS.resolve("avro"), mapping));
    metrics = new TransformMetrics();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "transform-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(TransformTopology.build("legacy.shop", List.of(route), new AvroDeserializer(config),
        new AvroSerializer(config, true), new AvroSerializer(config, false), metrics), props);
    input = driver.createInputTopic("legacy.shop.public.customers", new ByteArraySerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic("migrated.customer", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    dlq = driver.createOutputTopic(TransformTopology.DEAD_LETTER_TOPIC, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    rawSerializer = new AvroSerializer(config, false);
    migratedDeserializer = new AvroDeserializer(config);
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
  }

  private static GenericRecord row(long id, String status, String balance) {
    GenericRecord row = new GenericData.Record(ROW);
    row.put("cust_id", id);
    row.put("full_nm", "Customer " + id);
    row.put("email_addr", "c" + id + "@example.com");
    row.put("balance", balance);
    row.put("status_cd", status);
    row.put("created_local", LocalDateTime.of(2026, 1, 15, 9, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000L);
    row.put("updated_at", "2026-11-21T10:00:00.123456Z");
    row.put("legacy_flags", "zz");
    return row;
  }

  private void send(String op, GenericRecord before, GenericRecord after, long position) {
    GenericRecord change = new GenericData.Record(CHANGE);
    change.put("op", op);
    change.put("before", before);
    change.put("after", after);
    change.put("position", position);
    change.put("commit_ts", 1_763_719_200_000L);
    change.put("snapshot", op.equals("r"));
    change.put("source", "shop.public.customers");
    GenericRecord key = new GenericData.Record(KEY);
    key.put("cust_id", (after != null ? after : before).get("cust_id"));
    input.pipeInput(rawSerializer.serialize("legacy.shop.public.customers-key", key),
        rawSerializer.serialize("legacy.shop.public.customers", change));
  }

  @Test
  void mapsInsertsUpdatesAndDeletesWithPositionHeaders() {
    send("r", null, row(1, "A", "12.30"), 100);
    send("u", row(1, "A", "12.30"), row(1, "S", "0.05"), 200);
    send("d", row(1, "S", "0.05"), null, 300);

    List<TestRecord<byte[], byte[]>> records = output.readRecordsToList();
    assertThat(records).hasSize(3);
    GenericRecord first = (GenericRecord) migratedDeserializer.deserialize("migrated.customer", records.get(0).value());
    assertThat(first.get("id")).isEqualTo(1L);
    assertThat(first.get("name")).hasToString("Customer 1");
    assertThat(first.get("balance_cents")).isEqualTo(1230L);
    assertThat(first.get("status")).hasToString("ACTIVE");
    assertThat(first.get("created_at")).isEqualTo(Instant.parse("2026-01-15T08:30:00Z").toEpochMilli()); // CET = UTC+1
    assertThat(first.get("updated_at")).isEqualTo(Instant.parse("2026-11-21T10:00:00.123Z").toEpochMilli());
    assertThat(first.get("country")).hasToString("NL");
    GenericRecord key = (GenericRecord) migratedDeserializer.deserialize("migrated.customer", records.get(0).key());
    assertThat(key.getSchema().getFullName()).isEqualTo("migrated.CustomerKey");
    assertThat(key.get("id")).isEqualTo(1L);
    GenericRecord second = (GenericRecord) migratedDeserializer.deserialize("migrated.customer", records.get(1).value());
    assertThat(second.get("status")).hasToString("SUSPENDED");
    assertThat(second.get("balance_cents")).isEqualTo(5L);
    assertThat(records.get(2).value()).isNull();
    assertThat(records).extracting(r -> ChangeHeaders.longValue(r.headers(), ChangeHeaders.POSITION, -1))
        .containsExactly(100L, 200L, 300L);
    assertThat(records).extracting(r -> ChangeHeaders.text(r.headers(), ChangeHeaders.OP)).containsExactly("r", "u", "d");
    assertThat(ChangeHeaders.longValue(records.get(0).headers(), ChangeHeaders.COMMIT_TS, -1)).isEqualTo(1_763_719_200_000L);
    assertThat(dlq.isEmpty()).isTrue();
    assertThat(metrics.migratedByEntity()).containsEntry("customer", 3L);
  }

  @Test
  void aRowThatLeavesTheFilterBecomesADelete() {
    send("c", null, row(2, "A", "1.00"), 100);
    send("u", row(2, "A", "1.00"), row(2, "X", "1.00"), 200);

    List<TestRecord<byte[], byte[]>> records = output.readRecordsToList();
    assertThat(records).hasSize(2);
    assertThat(records.get(1).value()).isNull();
    assertThat(ChangeHeaders.text(records.get(1).headers(), ChangeHeaders.OP)).isEqualTo("d");
  }

  @Test
  void unmappableAndUndecodableRecordsGoToTheDeadLetterTopicWithTheReason() {
    send("c", null, row(3, "Q", "1.00"), 100);
    input.pipeInput("k".getBytes(StandardCharsets.UTF_8), new byte[] {9, 9, 9});
    send("c", null, row(4, "A", "2.50"), 300);

    List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.REASON))
        .contains("customer.yaml", "status", "unknown code 'Q'");
    assertThat(ChangeHeaders.longValue(dead.get(0).headers(), ChangeHeaders.POSITION, -1)).isEqualTo(100L);
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.SOURCE_TOPIC)).isEqualTo("legacy.shop.public.customers");
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.SOURCE_OFFSET)).isEqualTo("0");
    assertThat(ChangeHeaders.text(dead.get(1).headers(), DeadLetter.REASON)).contains("cannot decode", "too short");
    assertThat(dead.get(1).value()).containsExactly(9, 9, 9);
    // Later records keep flowing.
    assertThat(output.readRecordsToList()).hasSize(1);
    assertThat(metrics.deadLettered()).isEqualTo(2);
  }

  @Test
  void aColumnPostgresDidNotSendIsNeverMigratedAsPlaceholderText() {
    GenericRecord after = row(5, "A", "1.00");
    after.put("full_nm", TransformProcessor.UNAVAILABLE);
    send("u", null, after, 500);

    assertThat(output.isEmpty()).isTrue();
    List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.REASON))
        .contains("full_nm", "REPLICA IDENTITY FULL");
  }

  @Test
  void allRepositoryMappingsMatchTheirEntitySchemas() {
    for (Mapping mapping : MappingLoader.loadAll(SCHEMAS.resolve("mappings"))) {
      EntitySchema schema = EntitySchema.load(SCHEMAS.resolve("avro"), mapping);
      assertThat(schema.keySchema().getFields()).extracting(Schema.Field::name).containsExactlyElementsOf(mapping.keyFields());
    }
  }
}
