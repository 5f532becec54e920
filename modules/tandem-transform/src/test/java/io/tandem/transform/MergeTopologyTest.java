package io.tandem.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.model.MappedEntity;
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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
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

/** Shop A's customers + shop B's clients → one customer entity (schemas/examples/merger), without a broker. */
class MergeTopologyTest {
  static final Path MERGER = Path.of("../../schemas/examples/merger");
  static final Path AVRO = Path.of("../../schemas/avro");
  static final long B = 1_000_000_000L;
  static final Schema CUSTOMER = SchemaBuilder.record("Row").namespace("legacy.shop.public.customers").fields()
      .requiredLong("cust_id").optionalString("full_nm").optionalString("email_addr").optionalString("balance")
      .optionalString("status_cd")
      .name("created_local").type().optional().type(
          org.apache.avro.LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG)))
      .optionalString("updated_at").optionalString("legacy_flags").endRecord();
  static final Schema CLIENT = SchemaBuilder.record("Row").namespace("legacy.shop_b.public.clients").fields()
      .requiredLong("client_no").optionalString("display_name").optionalString("mail").optionalLong("credit_cents")
      .optionalString("state").optionalString("joined_at").optionalString("changed_at").endRecord();

  private final ObjectMapper json = new ObjectMapper();
  private EmbeddedSchemaRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> customers;
  private TestInputTopic<byte[], byte[]> clients;
  private TestOutputTopic<byte[], byte[]> output;
  private TestOutputTopic<byte[], byte[]> keyMap;
  private TestOutputTopic<byte[], byte[]> duplicates;
  private TestOutputTopic<byte[], byte[]> dlq;
  private AvroSerializer rawSerializer;
  private AvroDeserializer deserializer;
  /** What the sink would hold: the last applied version per key, applied only at a higher position. */
  private final Map<Long, Version> sink = new HashMap<>();
  private final Map<String, JsonNode> keys = new HashMap<>();

  private record Version(long id, Map<String, Object> value, long position) {}

  @BeforeEach
  void start() {
    start(MERGER.resolve("mappings"));
  }

  private void start(Path mappings) {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
    AvroSerdeConfig config = AvroSerdeConfig.withClient(client);
    List<MappedEntity> entities = MappedEntity.loadAll(mappings, AVRO);
    assertThat(entities).hasSize(1);
    MappedEntity entity = entities.get(0);
    EntityRoute route = new EntityRoute(entity.mapping(), entity.schema(), entity.members());
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "merge-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    driver = new TopologyTestDriver(TransformTopology.build(Map.of("legacy", "legacy.shop", "shop_b", "legacy.shop_b"),
        List.of(route), new AvroDeserializer(config), new AvroSerializer(config, true), new AvroSerializer(config, false),
        new TransformMetrics()), props);
    customers = driver.createInputTopic("legacy.shop.public.customers", new ByteArraySerializer(),
        new ByteArraySerializer());
    clients = driver.createInputTopic("legacy.shop_b.public.clients", new ByteArraySerializer(),
        new ByteArraySerializer());
    ByteArrayDeserializer bytes = new ByteArrayDeserializer();
    output = driver.createOutputTopic("migrated.customer", bytes, bytes);
    keyMap = driver.createOutputTopic(TransformTopology.keyMapTopic("customer"), bytes, bytes);
    duplicates = driver.createOutputTopic(TransformTopology.DUPLICATES_TOPIC, bytes, bytes);
    dlq = driver.createOutputTopic(TransformTopology.DEAD_LETTER_TOPIC, bytes, bytes);
    rawSerializer = new AvroSerializer(config, false);
    deserializer = new AvroDeserializer(config);
  }

  @AfterEach
  void stop() {
    driver.close();
    registry.close();
  }

  private static GenericRecord customer(long id, String name, String email) {
    GenericRecord row = new GenericData.Record(CUSTOMER);
    row.put("cust_id", id);
    row.put("full_nm", name);
    row.put("email_addr", email);
    row.put("balance", "10.00");
    row.put("status_cd", "A");
    row.put("created_local", LocalDateTime.of(2026, 1, 15, 9, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000L);
    row.put("updated_at", "2026-11-21T10:00:00Z");
    return row;
  }

  private static GenericRecord client(long id, String name, String email) {
    GenericRecord row = new GenericData.Record(CLIENT);
    row.put("client_no", id);
    row.put("display_name", name);
    row.put("mail", email);
    row.put("credit_cents", 250L);
    row.put("state", "blocked");
    row.put("joined_at", "2024-02-01T08:00:00Z");
    row.put("changed_at", "2026-11-20T08:00:00Z");
    return row;
  }

  private void send(TestInputTopic<byte[], byte[]> topic, String prefix, String table, Schema rowSchema,
      String keyColumn, String op, GenericRecord before, GenericRecord after, long position) {
    String topicName = prefix + ".public." + table;
    Schema change = SchemaBuilder.record("Change").namespace(topicName).fields()
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
    value.put("source", prefix + ".public." + table);
    Schema.Field keyField = rowSchema.getField(keyColumn);
    Schema keySchema = Schema.createRecord("Key", null, topicName, false,
        List.of(new Schema.Field(keyField.name(), keyField.schema())));
    GenericRecord key = new GenericData.Record(keySchema);
    key.put(keyColumn, (after != null ? after : before).get(keyColumn));
    topic.pipeInput(rawSerializer.serialize(topicName + "-key", key), rawSerializer.serialize(topicName, value));
  }

  private void a(String op, GenericRecord before, GenericRecord after, long position) {
    send(customers, "legacy.shop", "customers", CUSTOMER, "cust_id", op, before, after, position);
  }

  private void b(String op, GenericRecord before, GenericRecord after, long position) {
    send(clients, "legacy.shop_b", "clients", CLIENT, "client_no", op, before, after, position);
  }

  /** Applies what was emitted as the sink does (a key's version only at a higher position); returns it. */
  private List<Version> drain() {
    List<Version> versions = new ArrayList<>();
    for (TestRecord<byte[], byte[]> record : output.readRecordsToList()) {
      GenericRecord key = (GenericRecord) deserializer.deserialize("migrated.customer", record.key());
      Map<String, Object> value = null;
      if (record.value() != null) {
        GenericRecord row = (GenericRecord) deserializer.deserialize("migrated.customer", record.value());
        value = new LinkedHashMap<>();
        for (Schema.Field field : row.getSchema().getFields()) {
          Object v = row.get(field.pos());
          value.put(field.name(), v == null ? null : v instanceof CharSequence || v instanceof Enum<?>
              || v instanceof GenericData.EnumSymbol ? v.toString() : v);
        }
      }
      Version version = new Version((Long) key.get("id"), value,
          ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION));
      versions.add(version);
      Version held = sink.get(version.id());
      if (held == null || version.position() > held.position()) {
        sink.put(version.id(), version);
      }
    }
    for (TestRecord<byte[], byte[]> record : keyMap.readRecordsToList()) {
      String member = new String(record.key(), StandardCharsets.UTF_8);
      keys.put(member, record.value() == null ? null : read(record.value()));
    }
    return versions;
  }

  private JsonNode read(byte[] value) {
    try {
      return json.readTree(value);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The rows the sink holds (deleted keys left out), by key. */
  private Map<Long, Map<String, Object>> rows() {
    drain();
    Map<Long, Map<String, Object>> rows = new java.util.TreeMap<>();
    sink.forEach((id, v) -> {
      if (v.value() != null) {
        rows.put(id, v.value());
      }
    });
    return rows;
  }

  @Test
  void collidingIdsStaySeparateAndTheDuplicateCustomerIsMergedIntoTheSurvivor() {
    a("r", null, customer(1, "Ada Lovelace", "ada@example.com"), 100);
    a("r", null, customer(2, "Grace Hopper", null), 100);
    b("r", null, client(1, "Alan Turing", "alan@example.org"), 5_000);
    b("r", null, client(2, "Ada L.", "  ADA@example.com "), 5_000);

    Map<Long, Map<String, Object>> rows = rows();
    assertThat(dlq.readRecordsToList()).extracting(r -> ChangeHeaders.text(r.headers(), DeadLetter.REASON)).isEmpty();
    assertThat(rows.keySet()).containsExactly(1L, 2L, B + 1);
    assertThat(rows.get(1L)).containsEntry("name", "Ada Lovelace").containsEntry("balance_cents", 1000L)
        .containsEntry("country", "NL");
    assertThat(rows.get(B + 1)).containsEntry("name", "Alan Turing").containsEntry("status", "SUSPENDED")
        .containsEntry("country", "BE");
    assertThat(keys.get("shop_b:2").get("key").asText()).isEqualTo("1");
    assertThat(keys.get("shop_b:2").get("merged").asBoolean()).isTrue();
    assertThat(keys.get("shop_b:1").get("key").asText()).isEqualTo(Long.toString(B + 1));
    assertThat(keys.get("legacy:1").get("key").asText()).isEqualTo("1");
    assertThat(dlq.isEmpty()).isTrue();

    // The duplicate's e-mail changes: it is shop B's own customer again, and the survivor stays.
    b("u", client(2, "Ada L.", "  ADA@example.com "), client(2, "Ada L.", "ada.l@example.net"), 5_100);
    rows = rows();
    assertThat(rows.keySet()).containsExactly(1L, 2L, B + 1, B + 2);
    assertThat(rows.get(B + 2)).containsEntry("name", "Ada L.");
    assertThat(keys.get("shop_b:2").get("key").asText()).isEqualTo(Long.toString(B + 2));

    // ... and back: merged again; then the survivor is deleted in shop A, and shop B's row stands alone.
    b("u", client(2, "Ada L.", "ada.l@example.net"), client(2, "Ada L.", "ada@example.com"), 5_200);
    assertThat(rows().keySet()).containsExactly(1L, 2L, B + 1);
    a("d", customer(1, "Ada Lovelace", "ada@example.com"), null, 300);
    rows = rows();
    assertThat(rows.keySet()).containsExactly(2L, B + 1, B + 2);
    assertThat(rows.get(B + 2)).containsEntry("name", "Ada L.").containsEntry("country", "BE");
    assertThat(keys.get("legacy:1")).isNull();
    assertThat(dlq.isEmpty()).isTrue();
  }

  @Test
  void theSurvivorIsThePreferredSourcesRowWhicheverArrivesFirst() {
    b("r", null, client(7, "Edsger", "ed@example.nl"), 5_000);
    assertThat(rows().keySet()).containsExactly(B + 7);
    a("r", null, customer(7, "Edsger W. Dijkstra", "ED@example.nl"), 100);
    Map<Long, Map<String, Object>> rows = rows();
    assertThat(rows.keySet()).containsExactly(7L);
    assertThat(rows.get(7L)).containsEntry("name", "Edsger W. Dijkstra").containsEntry("email", "ED@example.nl");
    assertThat(sink.get(B + 7).value()).as("shop B's own key, deleted once absorbed").isNull();
    assertThat(keys.get("shop_b:7").get("key").asText()).isEqualTo("7");
  }

  @Test
  void aKeyTwoSourcesClaimIsDeadLetteredNotOverwritten() {
    a("r", null, customer(B + 3, "Shop A's big id", "big@example.com"), 100);
    b("r", null, client(3, "Shop B's client 3", "three@example.com"), 5_000);
    Map<Long, Map<String, Object>> rows = rows();
    assertThat(rows.get(B + 3)).containsEntry("name", "Shop A's big id");
    List<TestRecord<byte[], byte[]>> letters = dlq.readRecordsToList();
    assertThat(letters).hasSize(1);
    assertThat(ChangeHeaders.text(letters.get(0).headers(), DeadLetter.REASON)).contains("new key " + (B + 3) + " of shop_b:3")
        .contains("already held by legacy:" + (B + 3)).doesNotContain("three@example.com");
  }

  @Test
  void twoRowsOfOneSourceWithTheSameMatchAreReportedNotMergedAndTheReportClosesWhenResolved() {
    a("r", null, customer(1, "Twin one", "twin@example.com"), 100);
    a("r", null, customer(2, "Twin two", "twin@example.com"), 100);
    b("r", null, client(9, "Twin in B", "twin@example.com"), 5_000);
    assertThat(rows().keySet()).containsExactly(1L, 2L, B + 9);
    List<TestRecord<byte[], byte[]>> reports = duplicates.readRecordsToList();
    JsonNode open = read(reports.get(reports.size() - 1).value());
    assertThat(open.get("reason").asText()).contains("several rows of source 'legacy' match");
    assertThat(open.get("members")).hasSize(3);
    assertThat(open.toString()).doesNotContain("twin@example.com"); // the match value is personal data
    String reportKey = new String(reports.get(reports.size() - 1).key(), StandardCharsets.UTF_8);

    a("u", customer(2, "Twin two", "twin@example.com"), customer(2, "Twin two", "two@example.com"), 200);
    Map<Long, Map<String, Object>> rows = rows();
    assertThat(rows.keySet()).containsExactly(1L, 2L);
    assertThat(rows.get(1L)).containsEntry("name", "Twin one");
    List<TestRecord<byte[], byte[]>> closed = duplicates.readRecordsToList();
    assertThat(closed).anySatisfy(r -> {
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(reportKey);
      assertThat(r.value()).isNull();
    });
  }
}
