package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.capture.LegacySettings;
import io.tandem.core.config.ConfigException;
import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.KafkaSettings;
import io.tandem.kafka.TopicSpec;
import io.tandem.registry.RegistrySettings;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MigrationModel#load}: every file read and checked once for the chosen components, nothing started. */
class MigrationModelTest {
  static final Path CONNECTOR = ROOT.resolve("connectors/legacy-postgres.properties");

  @TempDir
  Path dir;

  private static Map<String, String> legacyEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "legacy-db");
    env.put("LEGACY_DB_NAME", "shop");
    env.put("LEGACY_DB_USER", "tandem");
    env.put("LEGACY_DB_PASSWORD", "legacy-s3cret");
    return env;
  }

  /** The configuration a tandem.yaml with these values would give. */
  private static TandemConfig config(Path connector, Optional<String> topicPrefix, String bootstrap) {
    return new TandemConfig(Path.of("tandem.yaml"), new KafkaSettings(bootstrap, 3, Map.of("security.protocol", "SSL")),
        Optional.of(RegistrySettings.external(URI.create("http://registry:8081"))),
        new LegacySettings(connector, legacyEnv(), topicPrefix),
        Optional.of(new TargetSettings("jdbc:postgresql://db/shop_new", "tandem", "target-s3cret")),
        new SchemasSettings(ROOT.resolve("schemas")), TransformSettings.defaults(), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", 0), VerifySettings.defaults());
  }

  @Test
  void allStagesReadTheConnectorMappingsAndSchemasOnce() {
    MigrationModel model = MigrationModel.load(config(CONNECTOR, Optional.empty(), "kafka:9092"), ComponentName.STAGES,
        Map.of());

    assertThat(model.topicPrefix()).isEqualTo("legacy.shop");
    assertThat(model.connector()).isPresent();
    assertThat(model.entities()).extracting(MappedEntity::name).containsExactly("address", "customer", "customer_order");
    assertThat(model.entities()).extracting(MappedEntity::topic)
        .containsExactly("migrated.address", "migrated.customer", "migrated.customer_order");
    assertThat(model.sinkTables()).hasSize(3);
    assertThat(model.topics(ComponentName.STAGES, 3)).extracting(TopicSpec::name).containsExactly(
        "legacy.shop.public.addresses", "legacy.shop.public.customers", "legacy.shop.public.orders",
        "migrated.address", "migrated.customer", "migrated.customer_order",
        "tandem.dlq.capture", "tandem.dlq.transform", "tandem.dlq.sink");
  }

  /** The merger example: shop A under legacy, shop B under merge.sources.shop_b (same connector file, own env). */
  private static TandemConfig merger(Path legacyConnector) {
    Map<String, String> shopB = new HashMap<>(legacyEnv());
    shopB.put("LEGACY_DB_NAME", "shop_b");
    shopB.put("LEGACY_TABLES", "public.clients");
    return config(legacyConnector, Optional.empty(), "kafka:9092")
        .withSchemas(new SchemasSettings(ROOT.resolve("schemas"), Optional.of(ROOT.resolve(
            "schemas/examples/merger/mappings"))))
        .withMerge(new MergeSettings(List.of(new MergeSettings.Source("shop_b", CONNECTOR, shopB))));
  }

  @Test
  void aMergedEntityReadsEverySourceAndEachSourceCanBeCapturedByADeploymentOfItsOwn() {
    MigrationModel all = MigrationModel.load(merger(CONNECTOR), ComponentName.STAGES, Map.of());
    assertThat(all.entities()).singleElement().satisfies(e -> assertThat(e.merge()).isPresent());
    assertThat(all.captured()).containsExactly("legacy", "shop_b");
    assertThat(all.otherPrefixes()).containsEntry("shop_b", "legacy.shop_b");
    assertThat(all.topics(ComponentName.STAGES, 3)).extracting(TopicSpec::name).contains(
        "legacy.shop.public.customers", "legacy.shop_b.public.clients", "tandem.keymap.customer",
        "tandem.merge.duplicates");

    // Shop B's capture deployment: shop A's connector file is not read (here it does not even exist).
    Set<ComponentName> capture = Set.of(ComponentName.CAPTURE);
    MigrationModel shopB = MigrationModel.load(merger(dir.resolve("missing.properties")), capture, Map.of(),
        Set.of("shop_b"));
    assertThat(shopB.connector()).isEmpty();
    assertThat(shopB.captured()).containsExactly("shop_b");
    assertThat(shopB.topics(capture, 3)).extracting(TopicSpec::name)
        .containsExactly("legacy.shop_b.public.clients", "tandem.dlq.capture");

    assertThatThrownBy(() -> MigrationModel.load(merger(CONNECTOR), capture, Map.of(), Set.of("shop_c")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("--capture-sources")
        .hasMessageContaining("[legacy, shop_b]");
    assertThatThrownBy(() -> MigrationModel.load(merger(CONNECTOR).withMerge(MergeSettings.none()),
        ComponentName.STAGES, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("customer_shop_b.yaml").hasMessageContaining("merge.sources");
  }

  @Test
  void sinkAloneAndTransformWithATopicPrefixDoNotReadTheConnectorFile() {
    Path missing = dir.resolve("missing.properties");

    MigrationModel sink = MigrationModel.load(config(missing, Optional.empty(), "kafka:9092"),
        Set.of(ComponentName.SINK), Map.of());
    assertThat(sink.connector()).isEmpty();
    assertThat(sink.topicPrefix()).isNull();
    assertThat(sink.entities()).hasSize(3);
    assertThat(sink.topics(Set.of(ComponentName.SINK), 3)).extracting(TopicSpec::name)
        .containsExactly("migrated.address", "migrated.customer", "migrated.customer_order", "tandem.dlq.sink");

    MigrationModel transform = MigrationModel.load(config(missing, Optional.of("legacy.shop"), "kafka:9092"),
        Set.of(ComponentName.TRANSFORM), Map.of());
    assertThat(transform.connector()).isEmpty();
    assertThat(transform.topicPrefix()).isEqualTo("legacy.shop");
  }

  @Test
  void theConnectorFileMustAgreeWithTheConfiguration() throws IOException {
    assertThatThrownBy(() -> MigrationModel.load(config(CONNECTOR, Optional.of("legacy.other"), "kafka:9092"),
        Set.of(ComponentName.CAPTURE), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(CONNECTOR + ": key 'topic.prefix': expected the configured topic prefix 'legacy.other', got "
            + "'legacy.shop'");
    // Debezium's offsets must live next to the raw topics: a file that hard-codes another cluster is refused.
    Path elsewhere = dir.resolve("elsewhere.properties");
    Files.writeString(elsewhere, Files.readString(CONNECTOR)
        .replace("bootstrap.servers=${KAFKA_BOOTSTRAP_SERVERS}", "bootstrap.servers=elsewhere:9092"));
    assertThatThrownBy(() -> MigrationModel.load(config(elsewhere, Optional.empty(), "kafka:9092"),
        Set.of(ComponentName.CAPTURE), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(elsewhere + ": key 'bootstrap.servers': expected the Kafka cluster the pipeline uses "
            + "(kafka:9092)");
  }

  @Test
  void embeddedOnlyConnectorSettingsAreCheckedBeforeAnythingStarts() throws IOException {
    Path connector = dir.resolve("legacy.properties");
    Files.writeString(connector, Files.readString(CONNECTOR).replace("offset.storage.partitions=1\n", ""));

    assertThatThrownBy(() -> MigrationModel.load(config(connector, Optional.empty(), "kafka:9092"),
        Set.of(ComponentName.CAPTURE), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(connector + ": key 'offset.storage.partitions': expected an integer");
  }

  @Test
  void theConfigurationNeverPrintsPasswords() {
    String text = config(CONNECTOR, Optional.empty(), "kafka:9092").toString();

    assertThat(text).doesNotContain("s3cret").contains("password=******");
  }
}
