package io.tandem.bench;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.transform.EntityRoute;
import io.tandem.transform.TransformMetrics;
import io.tandem.transform.TransformTopology;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

/**
 * CPU per change of the N→1 join topology (schemas/examples/customer_profile.yaml: customers + addresses),
 * with its real state stores (RocksDB) and serdes, driven by {@code TopologyTestDriver}: no broker, so the
 * figure is the topology's own cost, to set beside the pipeline's per-change budget (docs/benchmarks.md).
 * Phases: an initial snapshot (customers, then three addresses each, all at one position), address updates,
 * re-parentings. Knobs: {@code bench.customers} (20000).
 */
public final class JoinTopologyBenchmark {
  private static final String PREFIX = "legacy.shop";

  private JoinTopologyBenchmark() {}

  public static void main(String[] args) throws Exception {
    int customers = Integer.getInteger("bench.customers", 20_000);
    Path example = schemas().resolve("examples");
    Mapping mapping = MappingLoader.load(example.resolve("customer_profile.yaml"));
    EntityRoute route = new EntityRoute(mapping, EntitySchema.load(example, mapping));
    Path state = Files.createTempDirectory("tandem-join-bench");
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start()) {
      SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
      AvroSerdeConfig config = AvroSerdeConfig.withClient(client);
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-bench");
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
      Raw raw = new Raw(new AvroSerializer(config, false));
      try (TopologyTestDriver driver = new TopologyTestDriver(TransformTopology.build(PREFIX, List.of(route),
          new AvroDeserializer(config), new AvroSerializer(config, true), new AvroSerializer(config, false),
          new TransformMetrics()), props)) {
        TestInputTopic<byte[], byte[]> customerTopic = driver.createInputTopic(PREFIX + ".public.customers",
            new ByteArraySerializer(), new ByteArraySerializer());
        TestInputTopic<byte[], byte[]> addressTopic = driver.createInputTopic(PREFIX + ".public.addresses",
            new ByteArraySerializer(), new ByteArraySerializer());
        TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("migrated.customer_profile",
            new ByteArrayDeserializer(), new ByteArrayDeserializer());

        List<byte[][]> snapshotCustomers = new ArrayList<>();
        List<byte[][]> snapshotAddresses = new ArrayList<>();
        for (int c = 1; c <= customers; c++) {
          snapshotCustomers.add(raw.customer("r", c, 1_000));
          for (int a = 0; a < 3; a++) {
            snapshotAddresses.add(raw.address("r", c * 3L + a, c, "City " + c + "/" + a, 1_000));
          }
        }
        List<byte[][]> updates = new ArrayList<>();
        long position = 10_000;
        for (int c = 1; c <= customers; c++) {
          updates.add(raw.address("u", c * 3L, c, "Moved " + c, position++));
        }
        List<byte[][]> reparented = new ArrayList<>();
        for (int c = 1; c <= customers; c++) {
          reparented.add(raw.address("u", c * 3L + 1, c % customers + 1, "City " + c + "/1", position++));
        }
        baseline(config, props, raw, customers);
        phase("snapshot: customers", driver, customerTopic, snapshotCustomers, out);
        phase("snapshot: addresses", driver, addressTopic, snapshotAddresses, out);
        phase("address updates", driver, addressTopic, updates, out);
        phase("re-parentings (two profiles each)", driver, addressTopic, reparented, out);
      }
    } finally {
      try (var files = Files.walk(state)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * The driver's own cost per change: a one-table mapping of the same customers (id and name, no state
   * store) through the same driver, in a topology of its own.
   */
  private static void baseline(AvroSerdeConfig config, Properties props, Raw raw, int customers) {
    Mapping plain = MappingLoader.parse("customer_name.yaml", """
        entity: customer_name
        source: public.customers
        key: [id]
        fields:
          id: cust_id
          name: full_nm
        """);
    Schema schema = SchemaBuilder.record("CustomerName").namespace("io.tandem.bench").fields()
        .requiredLong("id").requiredString("name").endRecord();
    EntityRoute route = new EntityRoute(plain, EntitySchema.of("customer_name.avsc", schema, plain));
    Properties own = new Properties();
    own.putAll(props);
    own.put(StreamsConfig.APPLICATION_ID_CONFIG, "join-bench-baseline");
    try (TopologyTestDriver driver = new TopologyTestDriver(TransformTopology.build(PREFIX, List.of(route),
        new AvroDeserializer(config), new AvroSerializer(config, true), new AvroSerializer(config, false),
        new TransformMetrics()), own)) {
      TestInputTopic<byte[], byte[]> topic = driver.createInputTopic(PREFIX + ".public.customers",
          new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<byte[], byte[]> out = driver.createOutputTopic("migrated.customer_name",
          new ByteArrayDeserializer(), new ByteArrayDeserializer());
      for (int round = 1; round <= 2; round++) { // the first round warms the JIT up
        List<byte[][]> changes = new ArrayList<>();
        for (int c = 1; c <= customers; c++) {
          changes.add(raw.customer("r", c, 1_000 + round));
        }
        phase("baseline, one-table mapping (" + round + ")", driver, topic, changes, out);
      }
    }
  }

  static void phase(String name, TopologyTestDriver driver, TestInputTopic<byte[], byte[]> topic,
      List<byte[][]> records, TestOutputTopic<byte[], byte[]> out) {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    for (byte[][] record : records) {
      topic.pipeInput(new TestRecord<>(record[0], record[1]));
    }
    long emitted = out.getQueueSize();
    out.readRecordsToList();
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
    System.out.printf("%-36s %,8d changes in %6.2f s = %,9.0f changes/s; %,8d profiles emitted;"
        + " JVM CPU %.2f s = %.1f µs per change%n", name, records.size(), seconds, records.size() / seconds, emitted,
        cpuSeconds, cpuSeconds * 1e6 / records.size());
  }

  /** Raw change records as capture writes them (Confluent wire format), built before the clock starts. */
  private static final class Raw {
    static final Schema CUSTOMER = SchemaBuilder.record("Row").namespace("legacy.shop.public.customers").fields()
        .requiredLong("cust_id").requiredString("full_nm").endRecord();
    static final Schema ADDRESS = SchemaBuilder.record("Row").namespace("legacy.shop.public.addresses").fields()
        .requiredLong("addr_id").requiredLong("cust_id").requiredString("line1").requiredString("city").endRecord();
    private final AvroSerializer serializer;

    Raw(AvroSerializer serializer) {
      this.serializer = serializer;
    }

    byte[][] customer(String op, long id, long position) {
      GenericRecord row = new GenericData.Record(CUSTOMER);
      row.put("cust_id", id);
      row.put("full_nm", "Customer " + id);
      return change("customers", CUSTOMER, "cust_id", op, row, position);
    }

    byte[][] address(String op, long id, long customer, String city, long position) {
      GenericRecord row = new GenericData.Record(ADDRESS);
      row.put("addr_id", id);
      row.put("cust_id", customer);
      row.put("line1", "Straat " + id);
      row.put("city", city);
      return change("addresses", ADDRESS, "addr_id", op, row, position);
    }

    private byte[][] change(String table, Schema rowSchema, String keyColumn, String op, GenericRecord after,
        long position) {
      Schema change = SchemaBuilder.record("Change").namespace("legacy.shop.public." + table).fields()
          .requiredString("op")
          .name("before").type().optional().type(rowSchema)
          .name("after").type().optional().type(rowSchema)
          .requiredLong("position").requiredLong("commit_ts").requiredBoolean("snapshot").requiredString("source")
          .endRecord();
      GenericRecord value = new GenericData.Record(change);
      value.put("op", op);
      value.put("after", after);
      value.put("position", position);
      value.put("commit_ts", 1_765_000_000_000L);
      value.put("snapshot", op.equals("r"));
      value.put("source", "shop.public." + table);
      Schema keySchema = SchemaBuilder.record("Key").namespace("legacy.shop.public." + table).fields()
          .requiredLong(keyColumn).endRecord();
      GenericRecord key = new GenericData.Record(keySchema);
      key.put(keyColumn, after.get(keyColumn));
      String topic = PREFIX + ".public." + table;
      return new byte[][] {serializer.serialize(topic + "-key", key), serializer.serialize(topic, value)};
    }
  }

  static Path schemas() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("schemas/examples"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("run from inside the repository: schemas/ not found");
    }
    return dir.resolve("schemas");
  }
}
