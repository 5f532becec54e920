package io.tandem.registry.serde;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.registry.Compatibility;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericArray;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interop with a third-party client stack: node's {@code kafkajs} and {@code @kafkajs/confluent-schema-registry}
 * (Avro via avsc), driven through {@code interop/node/interop.mjs}. Node registers and writes, Tandem's
 * {@link AvroDeserializer} reads; Tandem's {@link AvroSerializer} registers and writes, node reads. Both talk to
 * Tandem's embedded registry (Kafka-backed) on a real embedded broker.
 *
 * <p>Skipped when {@code node} is not installed. Runs {@code npm ci} in {@code interop/node} first when its
 * {@code node_modules} is missing (which needs the npm registry); a failing {@code npm ci} fails the test.
 */
class NodeInteropIT {
  private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
  /** The node script's own watchdog; the process gets a little longer before it is killed. */
  private static final Duration NODE_SCRIPT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration NODE_PROCESS_TIMEOUT = NODE_SCRIPT_TIMEOUT.plusSeconds(20);
  private static final Duration CONSUME_TIMEOUT = Duration.ofSeconds(30);
  private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase().startsWith("windows");

  /** What interop.mjs registers; must match CUSTOMER_SCHEMA there. */
  private static final Schema CUSTOMER = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"interop","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string"},
        {"name":"email","type":["null","string"],"default":null},
        {"name":"balanceCents","type":"long"},
        {"name":"tags","type":{"type":"array","items":"string"}}]}""");

  private static final Schema ORDER = new Schema.Parser().parse("""
      {"type":"record","name":"Order","namespace":"interop","fields":[
        {"name":"orderId","type":"long"},
        {"name":"customerId","type":"long"},
        {"name":"amount","type":"double"},
        {"name":"ratio","type":"float"},
        {"name":"quantity","type":"int"},
        {"name":"express","type":"boolean"},
        {"name":"currency","type":{"type":"enum","name":"Currency","symbols":["EUR","USD","GBP"]}},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"discountCents","type":["null","long"],"default":null},
        {"name":"checksum","type":"bytes"},
        {"name":"lines","type":{"type":"array","items":{"type":"record","name":"OrderLine","fields":[
          {"name":"sku","type":"string"},{"name":"units","type":"int"}]}}},
        {"name":"attributes","type":{"type":"map","values":"string"}}]}""");

  /** Integers as Long (never Integer), so node's JSON compares directly with Avro longs. */
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_LONG_FOR_INTS);

  private static Path nodeDir;
  private static EmbeddedKafkaBroker kafka;
  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient client;

  private static boolean nodeInstalled;

  @BeforeAll
  static void start() {
    nodeInstalled = nodeInstalled();
    if (!nodeInstalled) {
      return; // each test reports the skip: failsafe shows no reason for a class-level one
    }
    nodeDir = findNodeDir();
    installNodeModules();
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas_interop").start();
    client = SchemaRegistryClient.builder(registry.url()).build();
  }

  @BeforeEach
  void requireNode() {
    Assumptions.assumeTrue(nodeInstalled, "node is not installed: interop with @kafkajs/confluent-schema-registry not checked");
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void nodeRegistersAndProducesTandemDeserializes() {
    String topic = "interop-customers-" + UUID.randomUUID();
    String subject = topic + "-value";
    int count = 12;
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog(topic, 2));

    NodeRun run = node("produce", "--brokers", kafka.bootstrapServers(), "--registry", registry.url().toString(),
        "--topic", topic, "--count", String.valueOf(count), "--timeout-ms", String.valueOf(NODE_SCRIPT_TIMEOUT.toMillis()));
    assertThat(run.jsonLines()).as("node produce stdout%s", run).hasSize(1);
    Map<String, Object> summary = run.jsonLines().get(0);
    assertThat(summary).as("node produce summary%s", run).containsEntry("produced", (long) count).containsEntry("subject", subject);
    int schemaId = ((Number) summary.get("schemaId")).intValue();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> sent = (List<Map<String, Object>>) summary.get("records");
    assertThat(sent).as("records node reports as sent%s", run).hasSize(count);

    // What node registered, as Tandem sees it. Node's client also set the subject's level on first registration.
    assertThat(client.schemaById(schemaId)).isEqualTo(CUSTOMER);
    assertThat(client.latest(subject).id()).isEqualTo(schemaId);
    assertThat(client.latest(subject).version()).isEqualTo(1);
    assertThat(client.compatibility(subject)).contains(Compatibility.BACKWARD);

    Map<String, Map<String, Object>> sentById = new LinkedHashMap<>();
    sent.forEach(record -> sentById.put(String.valueOf(record.get("id")), record));
    AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client));
    List<ConsumerRecord<byte[], byte[]>> records = consumeAll(topic, 2, count);
    List<Map<String, Object>> decoded = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      byte[] payload = record.value();
      String where = topic + "/" + record.partition() + "@" + record.offset();
      assertThat(payload.length).as("payload length of %s", where).isGreaterThan(WireFormat.HEADER_SIZE);
      assertThat(payload[0]).as("magic byte of %s", where).isEqualTo((byte) 0);
      assertThat(ByteBuffer.wrap(payload, 1, 4).getInt()).as("big-endian schema id of %s", where).isEqualTo(schemaId);
      assertThat(WireFormat.schemaId(payload)).isEqualTo(schemaId);

      GenericRecord value = (GenericRecord) deserializer.deserialize(topic, payload);
      assertThat(value.getSchema()).isEqualTo(CUSTOMER);
      String key = new String(record.key(), StandardCharsets.UTF_8);
      assertThat(key).as("key of %s", where).isEqualTo(String.valueOf(value.get("id")));
      Map<String, Object> plain = plain(value);
      assertThat(plain).as("%s as Tandem decodes it, against what node sent%s", where, run).isEqualTo(sentById.get(key));
      decoded.add(plain);
    }
    assertThat(decoded).extracting(r -> r.get("id")).doesNotHaveDuplicates().hasSize(count);
    // The edge cases interop.mjs is meant to cover did go over the wire.
    assertThat(decoded).extracting(r -> r.get("balanceCents")).contains(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, (1L << 53) + 1);
    assertThat(decoded).extracting(r -> r.get("id")).allMatch(id -> (Long) id > (1L << 53));
    assertThat(decoded).extracting(r -> r.get("email")).containsNull().contains("customer1@example.com");
    assertThat(decoded).extracting(r -> r.get("tags")).contains(List.of(), List.of("tag-3-0", "tag-3-1", "tag-3-2"));
    assertThat(decoded).extracting(r -> r.get("name")).contains("Zoë Ñandú 😀 #0", "Grace \"Hopper\" \\ \n tab\t #3");
  }

  @Test
  void tandemRegistersAndProducesNodeDecodes() throws Exception {
    String topic = "interop-orders-" + UUID.randomUUID();
    String subject = topic + "-value";
    int count = 8;
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog(topic, 1));

    List<GenericRecord> orders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      orders.add(order(i));
    }
    try (KafkaProducer<String, Object> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new AvroSerializer(AvroSerdeConfig.withClient(client), false))) {
      List<Future<?>> sends = new ArrayList<>();
      for (GenericRecord order : orders) {
        sends.add(producer.send(new ProducerRecord<>(topic, String.valueOf(order.get("orderId")), order)));
      }
      for (Future<?> send : sends) {
        send.get(30, TimeUnit.SECONDS);
      }
    }
    int schemaId = client.latest(subject).id();
    assertThat(client.schemaById(schemaId)).isEqualTo(ORDER);

    NodeRun run = node("consume", "--brokers", kafka.bootstrapServers(), "--registry", registry.url().toString(),
        "--topic", topic, "--count", String.valueOf(count), "--timeout-ms", String.valueOf(NODE_SCRIPT_TIMEOUT.toMillis()));
    List<Map<String, Object>> lines = run.jsonLines();
    assertThat(lines).as("node consume stdout: %d records and a summary%s", count, run).hasSize(count + 1);

    // Node fetched Tandem's schema by id to decode, and finds it as the subject's latest version too.
    Map<String, Object> summary = lines.get(count);
    assertThat(summary).as("node consume summary%s", run)
        .containsEntry("consumed", (long) count)
        .containsEntry("schemaIds", List.of((long) schemaId))
        .containsEntry("latestSchemaId", (long) schemaId)
        .containsEntry("latestSchemaName", "interop.Order");

    for (int i = 0; i < count; i++) {
      Map<String, Object> line = lines.get(i);
      GenericRecord sent = orders.get(i);
      assertThat(line).as("record %d as node decodes it%s", i, run)
          .containsEntry("offset", String.valueOf(i))
          .containsEntry("key", String.valueOf(sent.get("orderId")))
          .containsEntry("magicByte", 0L)
          .containsEntry("schemaId", (long) schemaId);
      @SuppressWarnings("unchecked")
      Map<String, Object> value = (Map<String, Object>) line.get("value");
      assertOrder(value, sent, "record " + i + " as node decodes it" + run);
    }
  }

  @Test
  void nodeDecodesASchemaThatReferencesAnotherSubject() throws Exception {
    String topic = "interop-shipments-" + UUID.randomUUID();
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog(topic, 1));
    String address = """
        {"type":"record","name":"Address","namespace":"interop","fields":[{"name":"city","type":"string"}]}""";
    String shipment = """
        {"type":"record","name":"Shipment","namespace":"interop","fields":[
          {"name":"id","type":"long"},{"name":"to","type":"interop.Address"}]}""";
    client.register(topic + "-address", new Schema.Parser().parse(address));
    int schemaId = client.register(topic + "-value", shipment, "AVRO",
        List.of(new io.tandem.registry.SchemaReference("interop.Address", topic + "-address", 1))).id();
    Schema resolved = client.schemaById(schemaId);
    GenericRecord to = new GenericData.Record(resolved.getField("to").schema());
    to.put("city", "Utrecht");
    GenericRecord record = new GenericData.Record(resolved);
    record.put("id", 42L);
    record.put("to", to);
    // Like Confluent's serializer, schemas with references are framed with the subject's latest id.
    AvroSerdeConfig config = AvroSerdeConfig.withClient(client).withAutoRegister(false).withUseLatestVersion(true);
    try (KafkaProducer<String, Object> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
        new StringSerializer(), new AvroSerializer(config, false))) {
      producer.send(new ProducerRecord<>(topic, "42", record)).get(30, TimeUnit.SECONDS);
    }

    NodeRun run = node("consume", "--brokers", kafka.bootstrapServers(), "--registry", registry.url().toString(),
        "--topic", topic, "--count", "1", "--timeout-ms", String.valueOf(NODE_SCRIPT_TIMEOUT.toMillis()));
    List<Map<String, Object>> lines = run.jsonLines();

    assertThat(lines).as("node consume stdout%s", run).hasSize(2);
    assertThat(lines.get(0)).as("record as node decodes it%s", run).containsEntry("schemaId", (long) schemaId);
    assertThat(lines.get(0).get("value")).as("value%s", run)
        .isEqualTo(Map.of("id", 42L, "to", Map.of("city", "Utrecht")));
    assertThat(lines.get(1)).as("summary%s", run).containsEntry("latestSchemaName", "interop.Shipment");
  }

  // ---- Orders written by Tandem ----

  private static GenericRecord order(int i) {
    Schema lineSchema = ORDER.getField("lines").schema().getElementType();
    GenericRecord order = new GenericData.Record(ORDER);
    order.put("orderId", Long.MAX_VALUE - i);
    order.put("customerId", Long.MIN_VALUE + i);
    double[] amounts = {Double.MAX_VALUE, Double.MIN_VALUE, -1234.5678, 0.1 + 0.2, 100.0, -0.5};
    order.put("amount", i < amounts.length ? amounts[i] : i * 1.25);
    float[] ratios = {Float.MAX_VALUE, Float.MIN_VALUE, 0.1f, -3.75f};
    order.put("ratio", i < ratios.length ? ratios[i] : i / 3f);
    int[] quantities = {Integer.MAX_VALUE, Integer.MIN_VALUE, 0, -1};
    order.put("quantity", i < quantities.length ? quantities[i] : i * 1000);
    order.put("express", i % 2 == 0);
    order.put("currency", new GenericData.EnumSymbol(ORDER.getField("currency").schema(), List.of("EUR", "USD", "GBP").get(i % 3)));
    order.put("note", i % 2 == 0 ? null : "Ünïcode 🚀 note \"" + i + "\"\n");
    order.put("discountCents", i % 3 == 0 ? null : i % 3 == 1 ? (1L << 53) + i : -i);
    byte[] checksum = new byte[i % 5 * 3];
    for (int b = 0; b < checksum.length; b++) {
      checksum[b] = (byte) (b * 85 + i - 1); // includes 0x00 and bytes >= 0x80
    }
    order.put("checksum", ByteBuffer.wrap(checksum));
    List<GenericRecord> lines = new ArrayList<>();
    for (int l = 0; l < i % 3; l++) {
      GenericRecord line = new GenericData.Record(lineSchema);
      line.put("sku", "SKU-" + i + "-" + l);
      line.put("units", l + 1);
      lines.add(line);
    }
    order.put("lines", lines);
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int a = 0; a < i % 4; a++) {
      attributes.put("k" + a, "v" + a + (a == 1 ? " ✓" : ""));
    }
    order.put("attributes", attributes);
    return order;
  }

  /** Field by field: JSON cannot tell 100.0 from 100, so doubles compare as numbers. */
  private static void assertOrder(Map<String, Object> value, GenericRecord sent, String what) {
    assertThat(value).as(what).isNotNull();
    assertThat(value.keySet()).as(what).containsExactlyInAnyOrder(
        ORDER.getFields().stream().map(Schema.Field::name).toArray(String[]::new));
    assertThat(value.get("orderId")).as("orderId of %s", what).isEqualTo(sent.get("orderId"));
    assertThat(value.get("customerId")).as("customerId of %s", what).isEqualTo(sent.get("customerId"));
    assertThat(((Number) value.get("amount")).doubleValue()).as("amount of %s", what).isEqualTo((double) sent.get("amount"));
    assertThat(((Number) value.get("ratio")).doubleValue()).as("ratio of %s", what).isEqualTo((double) (float) sent.get("ratio"));
    assertThat(value.get("quantity")).as("quantity of %s", what).isEqualTo((long) (int) sent.get("quantity"));
    assertThat(value.get("express")).as("express of %s", what).isEqualTo(sent.get("express"));
    assertThat(value.get("currency")).as("currency of %s", what).isEqualTo(sent.get("currency").toString());
    assertThat(value.get("note")).as("note of %s", what).isEqualTo(sent.get("note"));
    assertThat(value.get("discountCents")).as("discountCents of %s", what).isEqualTo(sent.get("discountCents"));
    ByteBuffer checksum = ((ByteBuffer) sent.get("checksum")).duplicate();
    byte[] bytes = new byte[checksum.remaining()];
    checksum.get(bytes);
    assertThat(value.get("checksum")).as("checksum (hex) of %s", what).isEqualTo(HexFormat.of().formatHex(bytes));
    List<Map<String, Object>> lines = new ArrayList<>();
    for (Object line : (List<?>) sent.get("lines")) {
      GenericRecord record = (GenericRecord) line;
      lines.add(Map.of("sku", record.get("sku"), "units", (long) (int) record.get("units")));
    }
    assertThat(value.get("lines")).as("lines of %s", what).isEqualTo(lines);
    assertThat(value.get("attributes")).as("attributes of %s", what).isEqualTo(sent.get("attributes"));
  }

  // ---- Customers written by node ----

  private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic, int partitions, int count) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> assigned = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        assigned.add(new TopicPartition(topic, p));
      }
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      long deadline = System.nanoTime() + CONSUME_TIMEOUT.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    assertThat(records).as("records in %s after %s", topic, CONSUME_TIMEOUT).hasSize(count);
    return records;
  }

  /** A record as plain Java values, the shape node's JSON parses to: Long, String, List, Map, null. */
  private static Map<String, Object> plain(GenericRecord record) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      out.put(field.name(), plainValue(record.get(field.pos())));
    }
    return out;
  }

  private static Object plainValue(Object value) {
    if (value instanceof Utf8 || value instanceof GenericData.EnumSymbol) {
      return value.toString();
    }
    if (value instanceof Integer number) {
      return number.longValue();
    }
    if (value instanceof GenericArray<?> || value instanceof List<?>) {
      List<Object> out = new ArrayList<>();
      ((List<?>) value).forEach(item -> out.add(plainValue(item)));
      return out;
    }
    if (value instanceof GenericRecord nested) {
      return plain(nested);
    }
    return value;
  }

  // ---- node and npm ----

  private static boolean nodeInstalled() {
    try {
      Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return false;
      }
      return process.exitValue() == 0;
    } catch (IOException e) {
      return false; // not on PATH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running node --version", e);
    }
  }

  /** {@code interop/node} of this checkout: failsafe runs in the module dir, an IDE perhaps in the root. */
  private static Path findNodeDir() {
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("interop").resolve("node");
      if (Files.isRegularFile(candidate.resolve("package.json"))) {
        return candidate;
      }
    }
    return fail("no interop/node/package.json in %s or any parent directory", start);
  }

  private static void installNodeModules() {
    if (Files.isDirectory(nodeDir.resolve("node_modules"))) {
      return;
    }
    NodeRun run = exec(NPM_CI_TIMEOUT, WINDOWS ? "npm.cmd" : "npm", "ci", "--no-audit", "--no-fund");
    if (run.exitCode() != 0) {
      fail("npm ci in %s failed with exit code %d%s", nodeDir, run.exitCode(), run);
    }
  }

  /** Runs interop.mjs and fails the test unless it exits 0 in time. */
  private static NodeRun node(String... args) {
    List<String> command = new ArrayList<>(List.of("node", "interop.mjs"));
    command.addAll(List.of(args));
    NodeRun run = exec(NODE_PROCESS_TIMEOUT, command.toArray(String[]::new));
    if (run.exitCode() != 0) {
      fail("node interop.mjs %s exited with %d%s", args[0], run.exitCode(), run);
    }
    return run;
  }

  /** Runs a command in the node dir with output to files (no pipe can fill up), killing it on timeout. */
  private static NodeRun exec(Duration timeout, String... command) {
    Path stdout = null;
    Path stderr = null;
    Process process = null;
    try {
      stdout = Files.createTempFile("tandem-interop-", ".out");
      stderr = Files.createTempFile("tandem-interop-", ".err");
      process = new ProcessBuilder(command).directory(nodeDir.toFile())
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      process.getOutputStream().close();
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      NodeRun run = new NodeRun(String.join(" ", command), exited ? process.exitValue() : -1,
          Files.readString(stdout), Files.readString(stderr));
      if (!exited) {
        fail("%s did not finish within %s and was killed%s", run.command(), timeout, run);
      }
      return run;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command) + " in " + nodeDir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
    } finally {
      deleteQuietly(stdout);
      deleteQuietly(stderr);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file
      }
    }
  }

  /** A finished process; its toString is the output for failure messages. */
  private record NodeRun(String command, int exitCode, String stdout, String stderr) {
    List<Map<String, Object>> jsonLines() {
      List<Map<String, Object>> lines = new ArrayList<>();
      for (String line : stdout.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        try {
          @SuppressWarnings("unchecked")
          Map<String, Object> parsed = JSON.readValue(line, Map.class);
          lines.add(parsed);
        } catch (JsonProcessingException e) {
          fail("%s printed a line that is not a JSON object: %s (%s)%s", command, line, e.getOriginalMessage(), this);
        }
      }
      return lines;
    }

    @Override
    public String toString() {
      return "%n--- %s: exit %d%n--- stdout:%n%s%n--- stderr:%n%s".formatted(command, exitCode, stdout, stderr);
    }
  }
}
