package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Placeholders, validation and secret masking of connector files, including the shipped one. */
class ConnectorConfigTest {
  private static final String PASSWORD = "pa55-w0rd-never-shown";

  @TempDir
  Path dir;

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "db.internal");
    env.put("LEGACY_DB_NAME", "shop");
    env.put("LEGACY_DB_USER", "capture");
    env.put("LEGACY_DB_PASSWORD", PASSWORD);
    env.put("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092");
    return env;
  }

  @Test
  void shippedFileResolvesWithDefaults() {
    ConnectorConfig config = ConnectorConfig.load(Fixtures.connectorFile(), env());

    assertThat(config.get("database.hostname")).isEqualTo("db.internal");
    assertThat(config.get("database.port")).isEqualTo("5432");
    assertThat(config.topicPrefix()).isEqualTo("legacy.shop");
    assertThat(config.slotName()).isEqualTo("tandem_legacy");
    assertThat(config.tableIncludeList()).containsExactly("public.customers", "public.tandem_signal",
        "public.tandem_origin", "public.tandem_write_fence");
    assertThat(config.signalTable()).contains(RowResnapshot.DEFAULT_SIGNAL_TABLE);
    assertThat(config.originTable()).contains("public.tandem_origin");
    assertThat(config.fenceTable()).contains("public.tandem_write_fence");
    assertThat(config.get("incremental.snapshot.chunk.size")).isEqualTo("1024");
    assertThat(config.get("offset.storage.replication.factor")).isEqualTo("-1");
    assertThat(config.get("plugin.name")).isEqualTo("pgoutput");
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/shop");
    assertThat(config.toProperties().getProperty("database.password")).isEqualTo(PASSWORD);
  }

  @Test
  void theMySqlFileIsTheMariaDbPathWithMySqlsConnector() {
    Map<String, String> env = env();
    env.put("LEGACY_TABLES", "shop.customers");
    ConnectorConfig config = ConnectorConfig.load(Fixtures.connectorFile().resolveSibling("legacy-mysql.properties"),
        env);
    assertThat(config.kind()).isEqualTo(SourceKind.MYSQL);
    assertThat(config.kind().binlog()).isTrue();
    assertThat(config.database()).isEqualTo("shop");
    assertThat(config.get("database.port")).isEqualTo("3306");
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:mariadb://db.internal:3306/shop?allowPublicKeyRetrieval=true");
    assertThat(config.signalTable()).contains("shop.tandem_signal");
    assertThat(config.originTable()).contains("shop.tandem_origin");
  }

  @Test
  void secretsAreMaskedInToStringAndMaskedView() {
    ConnectorConfig config = ConnectorConfig.load(Fixtures.connectorFile(), env());

    assertThat(config.toString()).doesNotContain(PASSWORD).contains("database.password=******");
    assertThat(config.masked()).containsEntry("database.password", "******").containsEntry("database.user", "capture");
  }

  @Test
  void unsetVariableNamesFileKeyAndVariableButNoSecret() {
    Map<String, String> env = env();
    env.remove("KAFKA_BOOTSTRAP_SERVERS");
    Path file = Fixtures.connectorFile();

    assertThatThrownBy(() -> ConnectorConfig.load(file, env))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo(file.toString());
          assertThat(e.key()).isEqualTo("bootstrap.servers");
          assertThat(e.getMessage()).contains(file.toString(), "bootstrap.servers", "KAFKA_BOOTSTRAP_SERVERS")
              .doesNotContain(PASSWORD);
        });
  }

  @Test
  void unsetPasswordVariableIsNamedWithoutAnyValue() throws IOException {
    Path file = write("database.password=${DB_SECRET}\n");

    assertThatThrownBy(() -> ConnectorConfig.load(file, Map.of("OTHER", PASSWORD)))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.password")
        .hasMessageContaining("DB_SECRET")
        .hasMessageNotContaining(PASSWORD);
  }

  @Test
  void defaultsFollowTheShell() throws IOException {
    Path file = write("database.port=${PORT:-6543}\nslot.name=${SLOT:-}x\ndatabase.password=${PW}\n");

    ConnectorConfig unset = ConnectorConfig.load(file, Map.of("PW", ""));
    ConnectorConfig empty = ConnectorConfig.load(file, Map.of("PORT", "", "PW", ""));
    ConnectorConfig set = ConnectorConfig.load(file, Map.of("PORT", "7000", "SLOT", "s", "PW", ""));

    assertThat(unset.get("database.port")).isEqualTo("6543");
    assertThat(empty.get("database.port")).isEqualTo("6543");
    assertThat(set.get("database.port")).isEqualTo("7000");
    assertThat(unset.get("slot.name")).isEqualTo("x");
    assertThat(set.get("slot.name")).isEqualTo("sx");
    assertThat(unset.get("database.password")).isEmpty();
  }

  @Test
  void malformedPlaceholdersAreRefused() throws IOException {
    assertThatThrownBy(() -> ConnectorConfig.load(write("slot.name=${SLOT\n"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("slot.name").hasMessageContaining("unterminated");
    assertThatThrownBy(() -> ConnectorConfig.load(write("slot.name=${1SLOT}\n"), Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("${VAR}");
  }

  @Test
  void badValuesNameTheKeyAndExpectation() throws IOException {
    Map<String, String> env = env();
    env.put("LEGACY_DB_PORT", "http");
    assertThatThrownBy(() -> ConnectorConfig.load(Fixtures.connectorFile(), env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("database.port")
        .hasMessageContaining("1 to 65535");

    Path precise = Files.writeString(dir.resolve("precise.properties"),
        Files.readString(Fixtures.connectorFile()).replace("decimal.handling.mode=string", "decimal.handling.mode=precise"));
    assertThatThrownBy(() -> ConnectorConfig.load(precise, env()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("decimal.handling.mode")
        .hasMessageContaining("data-model.md");
  }

  @Test
  void signalTableIsConfigurableAndAlwaysCaptured() {
    Map<String, String> env = env();
    env.put("LEGACY_TABLES", "public.customers,public.orders");
    env.put("LEGACY_SIGNAL_TABLE", "ops.debezium_signal");
    ConnectorConfig config = ConnectorConfig.load(Fixtures.connectorFile(), env);

    assertThat(config.signalTable()).contains("ops.debezium_signal");
    assertThat(config.tableIncludeList()).containsExactly("public.customers", "public.orders", "ops.debezium_signal",
        "public.tandem_origin", "public.tandem_write_fence");
  }

  @Test
  void originAndFenceTablesMustBeCapturedOrCaptureWouldSilentlyEchoAndNeverSeeAMarker() throws IOException {
    assertThatThrownBy(() -> ConnectorConfig.load(
        write("table.include.list=public.customers\ntandem.origin.table=public.tandem_origin\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("table.include.list");
          assertThat(e.getMessage()).contains("public.tandem_origin", "tandem.origin.table");
        });
    assertThatThrownBy(() -> ConnectorConfig.load(write("tandem.fence.table=fence\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("tandem.fence.table"));
    assertThatThrownBy(() -> ConnectorConfig.load(write("tandem.origin.tabel=public.o\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.getMessage()).contains("tandem.origin.table"));
    ConnectorConfig reverse = ConnectorConfig.load(Fixtures.connectorFile().resolveSibling("new-postgres.properties"), Map.of(
        "NEW_DB_HOST", "h", "NEW_DB_NAME", "shop_new", "NEW_DB_USER", "u", "NEW_DB_PASSWORD", "", "KAFKA_BOOTSTRAP_SERVERS", "k:9092"));
    assertThat(reverse.topicPrefix()).isEqualTo("new.shop_new");
    assertThat(reverse.get("snapshot.mode")).isEqualTo("no_data");
    assertThat(reverse.originTable()).contains("public.tandem_origin");
  }

  @Test
  void aFileWithoutSignalTableStillLoads() throws IOException {
    ConnectorConfig config = ConnectorConfig.load(write("table.include.list=public.customers\n"), Map.of());

    assertThat(config.signalTable()).isEmpty();
  }

  @Test
  void aSignalTableDebeziumWouldNotSeeIsRefused() throws IOException {
    assertThatThrownBy(() -> ConnectorConfig.load(
        write("table.include.list=public.customers\nsignal.data.collection=public.tandem_signal\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("table.include.list");
          assertThat(e.getMessage()).contains("public.tandem_signal", "signal.data.collection", "public.customers");
        });
    assertThatThrownBy(() -> ConnectorConfig.load(write("signal.data.collection=public.tandem_signal\n"
        + "table.exclude.list=public\\.tandem_.*\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("table.exclude.list"));
    assertThatThrownBy(() -> ConnectorConfig.load(write("signal.data.collection=tandem_signal\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("signal.data.collection");
          assertThat(e.getMessage()).contains("schema.table");
        });
    assertThatThrownBy(() -> ConnectorConfig.load(write("signal.data.collection=public.s\n"
        + "signal.enabled.channels=kafka\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("signal.enabled.channels"));
    assertThatThrownBy(() -> ConnectorConfig.load(write("signal.data.collection=public.s\n"
        + "incremental.snapshot.chunk.size=0\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e ->
            assertThat(e.key()).isEqualTo("incremental.snapshot.chunk.size"));
    // No include list captures every table, the signal table too.
    assertThat(ConnectorConfig.load(write("signal.data.collection=public.s\n"), Map.of()).signalTable())
        .contains("public.s");
  }

  @Test
  void replicaIdentityCheckRefusesByDefaultAndStaysOutOfDebeziumsSettings() throws IOException {
    ConnectorConfig shipped = ConnectorConfig.load(Fixtures.connectorFile(), env());
    assertThat(shipped.identityCheckWarnsOnly()).isFalse();
    assertThat(shipped.get("tandem.replica.identity.check")).isEqualTo("refuse");
    assertThat(shipped.toProperties()).doesNotContainKey("tandem.replica.identity.check");

    Map<String, String> env = env();
    env.put("LEGACY_REPLICA_IDENTITY_CHECK", "warn");
    assertThat(ConnectorConfig.load(Fixtures.connectorFile(), env).identityCheckWarnsOnly()).isTrue();
    env.put("LEGACY_REPLICA_IDENTITY_CHECK", "ignore");
    assertThatThrownBy(() -> ConnectorConfig.load(Fixtures.connectorFile(), env))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("tandem.replica.identity.check");
          assertThat(e.getMessage()).contains("refuse or warn", "ignore");
        });
    // A misspelt Tandem key would otherwise be dropped without a word.
    assertThatThrownBy(() -> ConnectorConfig.load(write("tandem.replica.identity.chek=warn\n"), Map.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("tandem.replica.identity.chek"));
  }

  @Test
  void missingFileIsAConfigError() {
    Path missing = dir.resolve("nope.properties");
    assertThatThrownBy(() -> ConnectorConfig.load(missing, env()))
        .isInstanceOf(ConfigException.class).hasMessageContaining(missing.toString());
  }

  private Path write(String extra) throws IOException {
    String base = """
        name=t
        connector.class=io.debezium.connector.postgresql.PostgresConnector
        database.hostname=h
        database.port=5432
        database.dbname=d
        database.user=u
        topic.prefix=legacy.d
        slot.name=s
        plugin.name=pgoutput
        decimal.handling.mode=string
        time.precision.mode=adaptive_time_microseconds
        offset.storage=org.apache.kafka.connect.storage.KafkaOffsetBackingStore
        offset.storage.topic=o
        offset.storage.partitions=1
        offset.storage.replication.factor=1
        """;
    return Files.writeString(Files.createTempFile(dir, "connector", ".properties"), base + extra);
  }
}
