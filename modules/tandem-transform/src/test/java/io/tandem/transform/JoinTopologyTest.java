package io.tandem.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/**
 * customers + addresses → customer_profile (schemas/examples), through the join topology, driven without a
 * broker.
 */
class JoinTopologyTest {
  static final java.nio.file.Path EXAMPLE = java.nio.file.Path.of("../../schemas/examples");
  static final Schema CUSTOMER = SchemaBuilder.record("Row").namespace("legacy.shop.public.customers").fields()
      .requiredLong("cust_id").optionalString("full_nm").endRecord();
  static final Schema ADDRESS = SchemaBuilder.record("Row").namespace("legacy.shop.public.addresses").fields()
      .requiredInt("addr_id").optionalLong("cust_id").optionalString("city").optionalBoolean("is_primary").endRecord();

  private EmbeddedSchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> customers;
  private TestInputTopic<byte[], byte[]> addresses;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> dlq;
  private AvroSerializer rawSerializer;
  private AvroDeserializer deserializer;
  private EntityRoute route;
  private AvroSerdeConfig config;

  @BeforeEach
  void start() {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
    config = AvroSerdeConfig.withClient(client);
    Mapping mapping = MappingLoader.load(EXAMPLE.resolve("customer_profile.yaml"));
    route = new EntityRoute(mapping, EntitySchema.load(EXAMPLE, mapping));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(TransformTopology.build("legacy.shop", List.of(route), new AvroDeserializer(config),
        new AvroSerializer(config, true), new AvroSerializer(config, false), new TransformMetrics()), props);
    customers = driver.createInputTopic("legacy.shop.public.customers", new ByteArraySerializer(),
        new ByteArraySerializer());
    addresses = driver.createInputTopic("legacy.shop.public.addresses", new ByteArraySerializer(),
        new ByteArraySerializer());
    output = driver.createOutputTopic("migrated.customer_profile", new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    dlq = driver.createOutputTopic(TransformTopology.DEAD_LETTER_TOPIC, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    rawSerializer = new AvroSerializer(config, false);
    deserializer = new AvroDeserializer(config);
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
  }

  private static GenericRecord customer(long id, String name) {
    GenericRecord row = new GenericData.Record(CUSTOMER);
    row.put("cust_id", id);
    row.put("full_nm", name);
    return row;
  }

  private static GenericRecord address(int id, Long customer, String city, boolean primary) {
    GenericRecord row = new GenericData.Record(ADDRESS);
    row.put("addr_id", id);
    row.put("cust_id", customer);
    row.put("city", city);
    row.put("is_primary", primary);
    return row;
  }

  private void send(TestInputTopic<byte[], byte[]> topic, String table, Schema rowSchema, String keyColumn, String op,
      GenericRecord before, GenericRecord after, long position) {
    Schema change = SchemaBuilder.record("Change").namespace("legacy.shop.public." + table).fields()
        .requiredString("op")
        .name("before").type().optional().type(rowSchema)
        .name("after").type().optional().type(rowSchema)
        .requiredLong("position").requiredLong("commit_ts").requiredBoolean("snapshot").requiredString("source")
        .endRecord();
    GenericRecord value = new GenericData.Record(change);
    value.put("op", op);
    value.put("before", before);
    value.put("after", after);
    value.put("position", position);
    value.put("commit_ts", 1_763_719_200_000L + position);
    value.put("snapshot", false);
    value.put("source", "shop.public." + table);
    Schema.Field keyField = rowSchema.getField(keyColumn);
    Schema keySchema = Schema.createRecord("Key", null, "legacy.shop.public." + table, false,
        List.of(new Schema.Field(keyField.name(), keyField.schema())));
    GenericRecord key = new GenericData.Record(keySchema);
    key.put(keyColumn, (after != null ? after : before).get(keyColumn));
    String topicName = "legacy.shop.public." + table;
    topic.pipeInput(rawSerializer.serialize(topicName + "-key", key), rawSerializer.serialize(topicName, value));
  }

  private void customerChange(String op, GenericRecord before, GenericRecord after, long position) {
    send(customers, "customers", CUSTOMER, "cust_id", op, before, after, position);
  }

  private void addressChange(String op, GenericRecord before, GenericRecord after, long position) {
    send(addresses, "addresses", ADDRESS, "addr_id", op, before, after, position);
  }

  /** One emitted version: key id, value fields (null = delete), position header. */
  private record Version(long id, Map<String, Object> value, long position) {}

  private List<Version> emitted() {
    List<Version> versions = new ArrayList<>();
    for (TestRecord<byte[], byte[]> record : output.readRecordsToList()) {
      GenericRecord key = (GenericRecord) deserializer.deserialize("migrated.customer_profile", record.key());
      Map<String, Object> value = null;
      if (record.value() != null) {
        GenericRecord row = (GenericRecord) deserializer.deserialize("migrated.customer_profile", record.value());
        value = new LinkedHashMap<>();
        for (Schema.Field field : row.getSchema().getFields()) {
          Object v = row.get(field.pos());
          value.put(field.name(), v == null ? null : v instanceof CharSequence ? v.toString() : v);
        }
      }
      versions.add(new Version((Long) key.get("id"), value,
          ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION)));
    }
    return versions;
  }

  private static Version last(List<Version> versions, long id) {
    return versions.stream().filter(v -> v.id() == id).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void childrenJoinLeaveAndMoveWithTheirParentsPositionedAtTheLatestChange() {
    customerChange("c", null, customer(1, "Ada"), 100);
    customerChange("c", null, customer(2, "Grace"), 110);
    Version first = last(emitted(), 1);
    assertThat(first.value()).containsEntry("name", "Ada").containsEntry("address_count", 0L)
        .containsEntry("first_city", null);
    assertThat(first.position()).isEqualTo(100);

    addressChange("c", null, address(10, 1L, "Delft", true), 200);
    addressChange("c", null, address(11, 1L, "Leiden", false), 210);
    Version two = last(emitted(), 1);
    assertThat(two.value()).containsEntry("address_count", 2L).containsEntry("first_city", "Delft")
        .containsEntry("cities", "Delft|Leiden");
    assertThat(two.position()).isEqualTo(210);

    // re-parenting: address 11 moves from customer 1 to customer 2; both are emitted again
    addressChange("u", address(11, 1L, "Leiden", false), address(11, 2L, "Leiden", true), 300);
    List<Version> moved = emitted();
    assertThat(last(moved, 1).value()).containsEntry("address_count", 1L).containsEntry("cities", "Delft");
    assertThat(last(moved, 1).position()).isEqualTo(300);
    assertThat(last(moved, 2).value()).containsEntry("address_count", 1L).containsEntry("first_city", "Leiden");
    assertThat(last(moved, 2).position()).isEqualTo(300);

    // a child's delete moves its parent's position on, so the sink applies the version without it
    addressChange("d", address(10, 1L, "Delft", true), null, 400);
    Version deleted = last(emitted(), 1);
    assertThat(deleted.value()).containsEntry("address_count", 0L).containsEntry("first_city", null);
    assertThat(deleted.position()).isEqualTo(400);

    // a parent update keeps its children
    customerChange("u", customer(2, "Grace"), customer(2, "Grace H."), 500);
    Version renamed = last(emitted(), 2);
    assertThat(renamed.value()).containsEntry("name", "Grace H.").containsEntry("address_count", 1L);
    assertThat(renamed.position()).isEqualTo(500);

    // the parent's delete deletes the entity at the delete's position
    customerChange("d", customer(1, "Ada"), null, 600);
    Version gone = last(emitted(), 1);
    assertThat(gone.value()).isNull();
    assertThat(gone.position()).isEqualTo(600);
  }

  @Test
  void childrenThatArriveBeforeTheirParentAreJoinedWhenItComes() {
    addressChange("r", null, address(20, 3L, "Utrecht", true), 50);
    assertThat(emitted()).isEmpty();
    customerChange("r", null, customer(3, "Edsger"), 60);
    Version joined = last(emitted(), 3);
    assertThat(joined.value()).containsEntry("address_count", 1L).containsEntry("first_city", "Utrecht");
    assertThat(joined.position()).isEqualTo(60);
  }

  @Test
  void versionsOfAKeyAtTheSamePositionGetRisingPositionsSoTheSinkAppliesEachInTurn() {
    // every initial-snapshot row carries the same position
    customerChange("r", null, customer(5, "Barbara"), 1000);
    addressChange("r", null, address(30, 5L, "Haarlem", true), 1000);
    addressChange("r", null, address(31, 5L, "Breda", false), 1000);
    List<Version> versions = emitted();
    assertThat(versions).extracting(Version::position).containsExactly(1000L, 1001L, 1002L);
    assertThat(versions.get(2).value()).containsEntry("address_count", 2L);
    // a later change keeps its own, higher position
    addressChange("u", address(31, 5L, "Breda", false), address(31, 5L, "Tilburg", false), 5000);
    assertThat(last(emitted(), 5).position()).isEqualTo(5000);
  }

  @Test
  void aFailingJoinedRowIsDeadLetteredWithItsParentKeyAndAnUndecodableChangeWithItsBytes() {
    customerChange("c", null, customer(4, null), 70); // name is required: the mapping refuses it
    assertThat(emitted()).isEmpty();
    List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("4");
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.REASON)).contains("joined row 4");

    addresses.pipeInput("junk".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
    dead = dlq.readRecordsToList();
    assertThat(dead).hasSize(1);
    assertThat(dead.get(0).value()).isEqualTo("not avro".getBytes(StandardCharsets.UTF_8));
    assertThat(ChangeHeaders.text(dead.get(0).headers(), DeadLetter.REASON)).contains("cannot decode");
  }

  @Test
  void aTableAJoinReadsCannotAlsoFeedAOneTableMapping() {
    Mapping plain = MappingLoader.parse("plain.yaml", """
        entity: address
        source: public.addresses
        key: [id]
        fields:
          id: { from: addr_id, cast: long }
        """);
    Schema schema = SchemaBuilder.record("Address").namespace("test").fields().requiredLong("id").endRecord();
    EntityRoute other = new EntityRoute(plain, EntitySchema.of("a.avsc", schema, plain));
    assertThatThrownBy(() -> TransformTopology.build("legacy.shop", List.of(route, other),
        new AvroDeserializer(config), new AvroSerializer(config, true), new AvroSerializer(config, false),
        new TransformMetrics())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("joins legacy table public.addresses, which a one-table mapping reads too");
  }
}
