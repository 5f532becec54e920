package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier maps legacy rows it reads over JDBC exactly as the topology maps the raw topic's rows, so each
 * MariaDB column must read as the value capture put on the raw topic. Here a table of every column type the
 * docs list, with edge values (unsigned maxima, trailing zeros in fractions, negative and long TIME, zero dates,
 * 4-byte text), is captured by the real MariaDB connector (snapshot, then binlog), and each row read through the
 * verifier's dialect is compared with the raw topic's latest record of its key, column by column.
 */
class MariaDbLegacyReadIT {
  private static final String URL = "jdbc:mariadb://127.0.0.1:3306/";
  private static EmbeddedKafkaBroker kafka;
  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient client;

  @BeforeAll
  static void start() {
    try (Connection ignored = DriverManager.getConnection(URL, "root", "")) {
      // reachable
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage()
          + "; .ci/run starts it and turns its binlog on");
    }
    kafka = EmbeddedKafkaBroker.start();
    registry = EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), "_schemas").start();
    client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      registry.close();
      kafka.close();
    }
  }

  @Test
  void everyColumnReadsAsTheRawTopicCarriesIt() throws Exception {
    String db = "tandem_vr_" + UUID.randomUUID().toString().substring(0, 8);
    String edge = "(%d, -128, 1, -32768, 8388607, -2147483648, 4294967295, -9223372036854775808,"
        + " 18446744073709551615, -12345678.1000, 1.5, -2.25e-300, b'1', 'ab ', 'Zoë 👩‍💻 it''s \\\\ end',"
        + " 'b', 'x,z', '2026-03-29', '2026-03-29 02:30:00', '1969-12-31 23:59:59.100000',"
        + " '2026-03-29 01:30:00', '2038-01-19 03:14:07.100', '1970-01-01 00:00:01.000001',"
        + " '-838:59:59.000000', 2026, x'00ff10', '{\"a\": [1, 2]}', 7)";
    sql("CREATE DATABASE " + db + " CHARACTER SET utf8mb4",
        "CREATE TABLE " + db + ".kinds (id bigint PRIMARY KEY, t_tiny tinyint, t_bool tinyint(1), t_small smallint,"
            + " t_medium mediumint, t_int int, t_int_u int unsigned, t_big bigint, t_big_u bigint unsigned,"
            + " t_dec decimal(12,4), t_float float, t_double double, t_bit bit(1), t_char char(3), t_text text,"
            + " t_enum enum('a','b'), t_set set('x','y','z'), t_date date, t_dt0 datetime, t_dt6 datetime(6),"
            + " t_ts0 timestamp NULL, t_ts3 timestamp(3) NULL, t_ts6 timestamp(6) NULL, t_time time(6), t_year year,"
            + " t_bin varbinary(8), t_json json, t_small_u smallint unsigned)",
        "INSERT INTO " + db + ".kinds VALUES " + edge.formatted(1) + ", (2" + ", NULL".repeat(27) + ")");
    sqlLax("INSERT INTO " + db + ".kinds (id, t_date, t_dt6, t_time) VALUES (3, '0000-00-00', '0000-00-00 00:00:00',"
        + " '00:00:00')");
    try (CaptureEngine engine = CaptureEngine.builder(config(db)).schemaRegistry(client).build()) {
      engine.start();
      String topic = "legacy." + db + "." + db + ".kinds";
      await().atMost(Duration.ofSeconds(60)).until(() -> latest(topic).size() == 3);
      // The same values again, now from the binlog, plus changed ones in a streamed update.
      sql("INSERT INTO " + db + ".kinds VALUES " + edge.formatted(4),
          "UPDATE " + db + ".kinds SET t_dt6 = '2026-10-25 02:30:00.5', t_ts6 = '2026-10-25 01:30:00.000010',"
              + " t_time = '838:59:59.999999', t_dec = 0, t_text = '' WHERE id = 2");
      await().atMost(Duration.ofSeconds(60)).until(() -> latest(topic).size() == 4
          && latest(topic).get(2L).get("t_dt6") != null);
      Map<Long, Map<String, Object>> wire = latest(topic);
      Map<Long, Map<String, Object>> read = readAsTheVerifier(db + ".kinds");
      assertThat(read.keySet()).containsExactly(1L, 2L, 3L, 4L);
      for (long id : read.keySet()) {
        assertThat(read.get(id)).as("row " + id).isEqualTo(wire.get(id));
      }
      assertThat(read.get(1L).get("t_big_u")).isEqualTo("18446744073709551615");
      assertThat(read.get(3L).get("t_date")).as("a nullable zero date is null on both").isNull();
    } finally {
      sql("DROP DATABASE " + db);
    }
  }

  /** Every column of every row, read as {@link EntityPlan} and {@link LegacyReader} read them. */
  private static Map<Long, Map<String, Object>> readAsTheVerifier(String table) throws SQLException {
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(URL, "root", "")) {
      LegacyDialect dialect = LegacyDialect.of(connection);
      assertThat(dialect).isEqualTo(LegacyDialect.MARIADB);
      assertThat(dialect.primaryKey(connection, table)).containsOnlyKeys("id");
      Map<String, LegacyValues.Wire> catalog = dialect.columns(connection, table);
      dialect.prepare(connection);
      try (Statement statement = connection.createStatement();
          ResultSet result = statement.executeQuery("SELECT * FROM " + dialect.qualified(table))) {
        ResultSetMetaData meta = result.getMetaData();
        while (result.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 1; i <= meta.getColumnCount(); i++) {
            row.put(meta.getColumnName(i), comparable(LegacyValues.read(result, i, dialect.wire(meta, i, catalog))));
          }
          rows.put((Long) row.get("id"), row);
        }
      }
    }
    return rows;
  }

  /** The latest raw-topic row of each key, its values in the same comparable form. */
  private static Map<Long, Map<String, Object>> latest(String topic) {
    Map<Long, Map<String, Object>> rows = new TreeMap<>();
    for (ConsumerRecord<Object, Object> record : all(topic)) {
      GenericRecord after = (GenericRecord) ((GenericRecord) record.value()).get("after");
      Map<String, Object> row = new LinkedHashMap<>();
      for (Schema.Field field : after.getSchema().getFields()) {
        row.put(field.name(), comparable(after.get(field.name())));
      }
      rows.put((Long) row.get("id"), row);
    }
    return rows;
  }

  private static Object comparable(Object value) {
    if (value instanceof Utf8 || value instanceof CharSequence) {
      return value.toString();
    }
    if (value instanceof ByteBuffer buffer) {
      byte[] bytes = new byte[buffer.remaining()];
      buffer.duplicate().get(bytes);
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    if (value instanceof byte[] bytes) {
      return "0x" + HexFormat.of().formatHex(bytes);
    }
    return value;
  }

  private static ConnectorConfig config(String db) {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_USER", "root");
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_DB_NAME", db);
    env.put("LEGACY_TABLES", db + ".kinds");
    env.put("LEGACY_SERVER_ID", Integer.toString(7000 + Math.abs(db.hashCode() % 100_000)));
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("TANDEM_OFFSET_TOPIC", "offsets_" + db);
    env.put("TANDEM_SCHEMA_HISTORY_TOPIC", "history_" + db);
    return ConnectorConfig.load(connectorFile(), env);
  }

  private static Path connectorFile() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("connectors/legacy-mariadb.properties"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("connectors/legacy-mariadb.properties not found above the working directory");
    }
    return dir.resolve("connectors/legacy-mariadb.properties");
  }

  private static List<ConsumerRecord<Object, Object>> all(String topic) {
    Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    AvroSerdeConfig serde = AvroSerdeConfig.withClient(client);
    List<ConsumerRecord<Object, Object>> records = new java.util.ArrayList<>();
    try (KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(props, new AvroDeserializer(serde),
        new AvroDeserializer(serde))) {
      if (consumer.partitionsFor(topic).isEmpty()) {
        return records;
      }
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      long end = consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.currentTimeMillis() + 20_000;
      while (records.size() < end && System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    records.sort(java.util.Comparator.comparingLong(ConsumerRecord::offset));
    return records;
  }

  private static void sql(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL, "root", "");
        Statement statement = connection.createStatement()) {
      for (String each : statements) {
        statement.execute(each);
      }
    }
  }

  /** Without strict mode: how zero dates get into legacy tables. */
  private static void sqlLax(String statement) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL, "root", "");
        Statement lax = connection.createStatement()) {
      lax.execute("SET SESSION sql_mode = ''");
      lax.execute(statement);
    }
  }
}
