package io.tandem.app;

import static io.tandem.app.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.transform.EntitySchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Pipeline#plan}: every file read and checked for the chosen components, nothing started. */
class PipelinePlanTest {
  static final Path CONNECTOR = ROOT.resolve("connectors/legacy-postgres.properties");

  @TempDir
  Path dir;

  private static Map<String, String> legacyEnv(String bootstrap) {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "legacy-db");
    env.put("LEGACY_DB_NAME", "shop");
    env.put("LEGACY_DB_USER", "tandem");
    env.put("LEGACY_DB_PASSWORD", "legacy-s3cret");
    env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
    return env;
  }

  private static Pipeline.Settings settings(Set<Component> components, Path connector, Map<String, String> env,
      String topicPrefix) {
    return new Pipeline.Settings(components, connector, env, topicPrefix, ROOT.resolve("schemas"), "kafka:9092",
        Map.of("security.protocol", "SSL"), 3, null, "jdbc:postgresql://db/shop_new?password=url-s3cret", "tandem",
        "target-s3cret", "tandem-transform", 1, Path.of("/tmp/streams"), "tandem-sink", 2000);
  }

  @Test
  void allComponentsReadTheConnectorMappingsAndSchemas() {
    Pipeline.Plan plan = Pipeline.plan(settings(Component.STAGES, CONNECTOR, legacyEnv("kafka:9092"), null));

    assertThat(plan.topicPrefix()).isEqualTo("legacy.shop");
    assertThat(plan.connector()).isPresent();
    assertThat(plan.mappings()).extracting(m -> m.entity()).containsExactly("address", "customer", "customer_order");
    assertThat(plan.entities()).extracting(EntitySchema::topic)
        .containsExactly("migrated.address", "migrated.customer", "migrated.customer_order");
  }

  @Test
  void sinkAloneAndTransformWithATopicPrefixDoNotReadTheConnectorFile() {
    Path missing = dir.resolve("missing.properties");

    Pipeline.Plan sink = Pipeline.plan(settings(Set.of(Component.SINK), missing, Map.of(), null));
    assertThat(sink.connector()).isEmpty();
    assertThat(sink.topicPrefix()).isNull();
    assertThat(sink.entities()).hasSize(3);

    Pipeline.Plan transform = Pipeline.plan(settings(Set.of(Component.TRANSFORM), missing, Map.of(), "legacy.shop"));
    assertThat(transform.connector()).isEmpty();
    assertThat(transform.topicPrefix()).isEqualTo("legacy.shop");
  }

  @Test
  void captureAloneNeedsNoEntitySchemas() {
    Pipeline.Plan plan = Pipeline.plan(settings(Set.of(Component.CAPTURE), CONNECTOR, legacyEnv("kafka:9092"), null));

    assertThat(plan.entities()).isEmpty();
    assertThat(plan.mappings()).hasSize(3);
  }

  @Test
  void theConnectorFileMustAgreeWithThePipeline() {
    assertThatThrownBy(() -> Pipeline.plan(settings(Set.of(Component.CAPTURE), CONNECTOR, legacyEnv("kafka:9092"),
        "legacy.other")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(CONNECTOR + ": key 'topic.prefix': expected the configured topic prefix 'legacy.other', got "
            + "'legacy.shop'");
    assertThatThrownBy(() -> Pipeline.plan(settings(Set.of(Component.CAPTURE), CONNECTOR, legacyEnv("elsewhere:9092"),
        null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(CONNECTOR + ": key 'bootstrap.servers': expected the Kafka cluster the pipeline uses "
            + "(kafka:9092)");
  }

  @Test
  void embeddedOnlyConnectorSettingsAreCheckedBeforeAnythingStarts() throws IOException {
    Path connector = dir.resolve("legacy.properties");
    Files.writeString(connector, Files.readString(CONNECTOR).replace("offset.storage.partitions=1\n", ""));

    assertThatThrownBy(() -> Pipeline.plan(settings(Set.of(Component.CAPTURE), connector, legacyEnv("kafka:9092"), null)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(connector + ": key 'offset.storage.partitions': expected an integer");
  }

  @Test
  void settingsNeverPrintPasswords() {
    String text = settings(Component.STAGES, CONNECTOR, legacyEnv("kafka:9092"), null).toString();

    assertThat(text).doesNotContain("s3cret").contains("newDbPassword=******").contains("password=******");
  }

  @Test
  void theDemosSettingsRunEverythingWithDefaults() {
    Pipeline.Settings demo = new Pipeline.Settings(CONNECTOR, Map.of(), ROOT.resolve("schemas"), "k:9092", null,
        "jdbc:postgresql://db/x", "u", "", Path.of("/tmp"), 2);

    assertThat(demo.components()).isEqualTo(Component.STAGES);
    assertThat(demo.transformApplicationId()).isEqualTo("tandem-transform");
    assertThat(demo.sinkGroupId()).isEqualTo("tandem-sink");
    assertThat(demo.sinkMaxPollRecords()).isEqualTo(2000);
    assertThat(demo.kafkaProperties()).isEmpty();
    assertThat(demo.topicPrefix()).isNull();
  }
}
