package io.tandem.bench;

import io.tandem.core.model.MappedEntity;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.transform.EntityRoute;
import io.tandem.transform.TransformMetrics;
import io.tandem.transform.TransformTopology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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

/**
 * CPU per change of the merge topology (schemas/examples/merger: shop A's customers + shop B's clients → one
 * customer entity), with its real state stores (RocksDB) and serdes, driven by {@code TopologyTestDriver}: the
 * topology's own cost, beside the same customers through the one-table customer mapping (the baseline).
 * Phases: shop A's snapshot, shop B's snapshot (a fifth as many clients, every tenth a duplicate of a shop A
 * customer), shop B renames, e-mail changes that split a duplicate off. Knob: {@code bench.customers} (20000).
 */
public final class MergeTopologyBenchmark {
  private MergeTopologyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int customers = Integer.getInteger("bench.customers", 20_000);
    int clients = customers / 5;
    Path schemas = JoinTopologyBenchmark.schemas();
    Path state = Files.createTempDirectory("tandem-merge-bench");
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start()) {
      SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
      AvroSerdeConfig config = AvroSerdeConfig.withClient(client);
      Properties props = new Properties();
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
      Raw raw = new Raw(new AvroSerializer(config, false));

      MappedEntity plain = MappedEntity.loadAll(schemas.resolve("mappings"), schemas.resolve("avro")).stream()
          .filter(e -> e.name().equals("customer")).findFirst().orElseThrow();
      Properties baseline = new Properties();
      baseline.putAll(props);
      baseline.put(StreamsConfig.APPLICATION_ID_CONFIG, "merge-bench-baseline");
      try (TopologyTestDriver driver = new TopologyTestDriver(TransformTopology.build("legacy.shop",
          List.of(new EntityRoute(plain.mapping(), plain.schema())), new AvroDeserializer(config),
          new AvroSerializer(config, true), new AvroSerializer(config, false), new TransformMetrics()), baseline)) {
        TestInputTopic<byte[], byte[]> topic = input(driver, "legacy.shop.public.customers");
        TestOutputTopic<byte[], byte[]> out = output(driver);
        for (int round = 1; round <= 2; round++) { // the first round warms the JIT up
          List<byte[][]> changes = new ArrayList<>();
          for (int c = 1; c <= customers; c++) {
            changes.add(raw.customer(c, "customer" + c + "@example.com", 1_000 + round));
          }
          JoinTopologyBenchmark.phase("baseline, one-table customer (" + round + ")", driver, topic, changes, out);
        }
      }

      MappedEntity merged = MappedEntity.loadAll(schemas.resolve("examples/merger/mappings"), schemas.resolve("avro"))
          .get(0);
      Properties own = new Properties();
      own.putAll(props);
      own.put(StreamsConfig.APPLICATION_ID_CONFIG, "merge-bench");
      try (TopologyTestDriver driver = new TopologyTestDriver(TransformTopology.build(Map.of("legacy", "legacy.shop",
          "shop_b", "legacy.shop_b"), List.of(new EntityRoute(merged.mapping(), merged.schema(), merged.members())),
          new AvroDeserializer(config), new AvroSerializer(config, true), new AvroSerializer(config, false),
          new TransformMetrics()), own)) {
        TestInputTopic<byte[], byte[]> shopA = input(driver, "legacy.shop.public.customers");
        TestInputTopic<byte[], byte[]> shopB = input(driver, "legacy.shop_b.public.clients");
        TestOutputTopic<byte[], byte[]> out = output(driver);
        List<byte[][]> snapshotA = new ArrayList<>();
        for (int c = 1; c <= customers; c++) {
          snapshotA.add(raw.customer(c, "customer" + c + "@example.com", 1_000));
        }
        List<byte[][]> snapshotB = new ArrayList<>();
        List<byte[][]> renames = new ArrayList<>();
        List<byte[][]> splits = new ArrayList<>();
        for (int c = 1; c <= clients; c++) {
          String mail = c % 10 == 0 ? "CUSTOMER" + c + "@example.com" : "client" + c + "@shop-b.example";
          snapshotB.add(raw.client(c, "Client " + c, mail, 5_000));
          renames.add(raw.client(c, "Client " + c + " renamed", mail, 6_000 + c));
          splits.add(raw.client(c, "Client " + c + " renamed", "split" + c + "@shop-b.example", 7_000_000 + c));
        }
        JoinTopologyBenchmark.phase("snapshot: shop A customers", driver, shopA, snapshotA, out);
        JoinTopologyBenchmark.phase("snapshot: shop B (1/10 duplicates)", driver, shopB, snapshotB, out);
        JoinTopologyBenchmark.phase("shop B renames", driver, shopB, renames, out);
        JoinTopologyBenchmark.phase("shop B e-mail changes (split off)", driver, shopB, splits, out);
      }
    } finally {
      try (var files = Files.walk(state)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static TestInputTopic<byte[], byte[]> input(TopologyTestDriver driver, String topic) {
    return driver.createInputTopic(topic, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static TestOutputTopic<byte[], byte[]> output(TopologyTestDriver driver) {
    return driver.createOutputTopic("migrated.customer", new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /** Raw change records as capture writes them (Confluent wire format), built before the clock starts. */
  private static final class Raw {
    static final Schema CUSTOMER = SchemaBuilder.record("Row").namespace("legacy.shop.public.customers").fields()
        .requiredLong("cust_id").requiredString("full_nm").optionalString("email_addr").requiredString("balance")
        .requiredString("status_cd")
        .name("created_local").type(org.apache.avro.LogicalTypes.localTimestampMicros()
            .addToSchema(Schema.create(Schema.Type.LONG))).noDefault()
        .requiredString("updated_at").optionalString("legacy_flags").endRecord();
    static final Schema CLIENT = SchemaBuilder.record("Row").namespace("legacy.shop_b.public.clients").fields()
        .requiredLong("client_no").requiredString("display_name").optionalString("mail").requiredLong("credit_cents")
        .requiredString("state").requiredString("joined_at").requiredString("changed_at").endRecord();
    private final AvroSerializer serializer;

    Raw(AvroSerializer serializer) {
      this.serializer = serializer;
    }

    byte[][] customer(long id, String email, long position) {
      GenericRecord row = new GenericData.Record(CUSTOMER);
      row.put("cust_id", id);
      row.put("full_nm", "Customer " + id);
      row.put("email_addr", email);
      row.put("balance", "12.50");
      row.put("status_cd", "A");
      row.put("created_local", LocalDateTime.of(2026, 1, 15, 9, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000L);
      row.put("updated_at", "2026-11-21T10:00:00Z");
      return change("legacy.shop", "customers", CUSTOMER, "cust_id", row, position);
    }

    byte[][] client(long id, String name, String mail, long position) {
      GenericRecord row = new GenericData.Record(CLIENT);
      row.put("client_no", id);
      row.put("display_name", name);
      row.put("mail", mail);
      row.put("credit_cents", 250L);
      row.put("state", "active");
      row.put("joined_at", "2024-02-01T08:00:00Z");
      row.put("changed_at", "2026-11-20T08:00:00Z");
      return change("legacy.shop_b", "clients", CLIENT, "client_no", row, position);
    }

    private byte[][] change(String prefix, String table, Schema rowSchema, String keyColumn, GenericRecord after,
        long position) {
      String topic = prefix + ".public." + table;
      Schema change = SchemaBuilder.record("Change").namespace(topic).fields()
          .requiredString("op")
          .name("before").type().optional().type(rowSchema)
          .name("after").type().optional().type(rowSchema)
          .requiredLong("position").requiredLong("commit_ts").requiredBoolean("snapshot").requiredString("source")
          .endRecord();
      GenericRecord value = new GenericData.Record(change);
      value.put("op", "u");
      value.put("after", after);
      value.put("position", position);
      value.put("commit_ts", 1_765_000_000_000L + position);
      value.put("snapshot", false);
      value.put("source", topic);
      Schema keySchema = SchemaBuilder.record("Key").namespace(topic).fields().requiredLong(keyColumn).endRecord();
      GenericRecord key = new GenericData.Record(keySchema);
      key.put(keyColumn, after.get(keyColumn));
      return new byte[][] {serializer.serialize(topic + "-key", key), serializer.serialize(topic, value)};
    }
  }
}
