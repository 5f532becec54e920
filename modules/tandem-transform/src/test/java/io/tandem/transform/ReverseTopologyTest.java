package io.tandem.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.model.MappedEntity;
import io.tandem.core.model.ReverseEntity;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

/** The reverse topology with the repository's customer mapping: new rows as capture delivers them → legacy rows. */
class ReverseTopologyTest {
  static final Path SCHEMAS = Path.of("../../schemas");
  // The new database's customer table as Debezium sees it (docs/data-model.md): timestamptz as text.
  static final Schema ROW = SchemaBuilder.record("Row").namespace("new.app.public.customer").fields()
      .requiredLong("id")
      .optionalString("name")
      .optionalString("email")
      .optionalLong("balance_cents")
      .optionalString("status")
      .optionalString("created_at")
      .optionalString("updated_at")
      .optionalString("country")
      .optionalLong("_tandem_position")
      .optionalString("_tandem_commit_ts")
      .endRecord();
  static final Schema CHANGE = SchemaBuilder.record("Change").namespace("new.app.public.customer").fields()
      .requiredString("op")
      .name("before").type().optional().type(ROW)
      .name("after").type().optional().type(ROW)
      .requiredLong("position")
      .requiredLong("commit_ts")
      .optionalLong("tx_id")
      .requiredBoolean("snapshot")
      .requiredString("source")
      .endRecord();

  private EmbeddedSchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> dlq;
  private AvroSerializer rawSerializer;
  private AvroDeserializer deserializer;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
    AvroSerdeConfig config = AvroSerdeConfig.withClient(client);
    MappedEntity customer = MappedEntity.loadAll(SCHEMAS.resolve("mappings"), SCHEMAS.resolve("avro")).stream()
        .filter(e -> e.name().equals("customer")).findFirst().orElseThrow();
    ReverseEntity reverse = ReverseEntity.of(customer);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reverse-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    driver = new TopologyTestDriver(ReverseTopology.build("new.app", List.of(reverse), new AvroDeserializer(config),
        new AvroSerializer(config, true), new AvroSerializer(config, false), new TransformMetrics()), props);
    input = driver.createInputTopic("new.app.public.customer", new ByteArraySerializer(), new ByteArraySerializer());
    output = driver.createOutputTopic("reverse.customer", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    dlq = driver.createOutputTopic(ReverseTopology.DEAD_LETTER_TOPIC, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    rawSerializer = new AvroSerializer(config, false);
    deserializer = new AvroDeserializer(config);
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
  }

  private static GenericRecord row(long id, String status) {
    GenericRecord row = new GenericData.Record(ROW);
    row.put("id", id);
    row.put("name", "Customer " + id);
    row.put("email", null);
    row.put("balance_cents", 1230L);
    row.put("status", status);
    row.put("created_at", "2026-07-01T10:00:00Z");
    row.put("updated_at", "2026-07-01T10:00:00.5Z");
    row.put("country", "DE");
    row.put("_tandem_position", null); // written by an application on new, not by the sink
    return row;
  }

  private void send(String op, GenericRecord before, GenericRecord after, long position) {
    GenericRecord change = new GenericData.Record(CHANGE);
    change.put("op", op);
    change.put("before", before);
    change.put("after", after);
    change.put("position", position);
    change.put("commit_ts", 1_782_900_000_000L);
    change.put("snapshot", false);
    change.put("source", "app.public.customer");
    input.pipeInput(new byte[] {1}, rawSerializer.serialize("new.app.public.customer", change));
  }

  @Test
  void anApplicationsRowOnNewBecomesTheLegacyRow() {
    send("c", null, row(7, "SUSPENDED"), 500);
    TestRecord<byte[], byte[]> record = output.readRecord();
    GenericRecord key = (GenericRecord) deserializer.deserialize("reverse.customer", record.key());
    GenericRecord value = (GenericRecord) deserializer.deserialize("reverse.customer", record.value());
    assertThat(key.get("cust_id")).isEqualTo(7L);
    assertThat(value.get("full_nm").toString()).isEqualTo("Customer 7");
    assertThat(value.get("email_addr")).isNull();
    assertThat(value.get("balance").toString()).isEqualTo("12.30");
    assertThat(value.get("status_cd").toString()).isEqualTo("S");
    assertThat(value.get("created_local").toString()).isEqualTo("2026-07-01T12:00:00+02:00");
    assertThat(value.getSchema().getField("country")).as("a constant, ignored on the way back").isNull();
    assertThat(ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION)).isEqualTo(500L);
    assertThat(new String(record.headers().lastHeader(ChangeHeaders.OP).value(), StandardCharsets.UTF_8))
        .isEqualTo("c");
    assertThat(ChangeHeaders.text(record.headers(), ChangeHeaders.ROUTING_KEY)).as("the entity key").isEqualTo("7");
  }

  @Test
  void aDeleteIsATombstoneOfTheLegacyKey() {
    send("d", row(8, "ACTIVE"), null, 600);
    TestRecord<byte[], byte[]> record = output.readRecord();
    assertThat(((GenericRecord) deserializer.deserialize("reverse.customer", record.key())).get("cust_id")).isEqualTo(8L);
    assertThat(record.value()).isNull();
    assertThat(ChangeHeaders.text(record.headers(), ChangeHeaders.ROUTING_KEY)).isEqualTo("8");
  }

  @Test
  void aRowWithNoLegacyFormIsDeadLetteredWithTheReason() {
    GenericRecord bad = row(9, "ARCHIVED");
    send("u", row(9, "ACTIVE"), bad, 700);
    assertThat(output.isEmpty()).isTrue();
    TestRecord<byte[], byte[]> letter = dlq.readRecord();
    String reason = new String(letter.headers().lastHeader(DeadLetter.REASON).value(), StandardCharsets.UTF_8);
    assertThat(reason).contains("status").contains("ARCHIVED");
    send("u", row(9, "ACTIVE"), row(9, "CLOSED"), 701);
    assertThat(output.readRecord().value()).as("later changes keep flowing").isNotNull();
  }
}
