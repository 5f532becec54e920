package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.registry.client.SchemaRegistryClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder validation and the lifecycle without running Debezium. */
class CaptureEngineTest {
  private static final SchemaRegistryClient REGISTRY = SchemaRegistryClient.builder(URI.create("http://127.0.0.1:1")).build();

  @TempDir
  Path dir;

  private static ConnectorConfig config() {
    return ConnectorConfig.load(Fixtures.connectorFile(), ConnectorConfigTest.env());
  }

  @Test
  void closeBeforeRunStopsAndRunIsThenRefused() {
    CaptureEngine engine = CaptureEngine.builder(config()).schemaRegistry(REGISTRY).build();
    assertThat(engine.state()).isEqualTo(CaptureEngine.State.CREATED);

    engine.close();
    engine.close();

    assertThat(engine.state()).isEqualTo(CaptureEngine.State.STOPPED);
    assertThatThrownBy(engine::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("STOPPED");
    assertThat(engine.stats().events()).isZero();
    assertThat(engine.snapshotProgress()).isEmpty();
  }

  @Test
  void aRegistryIsRequired() {
    assertThatThrownBy(() -> CaptureEngine.builder(config()).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("schemaRegistry");
  }

  @Test
  void deliveryGuaranteesCannotBeLoosened() {
    CaptureEngine.Builder builder = CaptureEngine.builder(config());
    assertThatThrownBy(() -> builder.producerConfig(Map.of("acks", "1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acks");
    assertThatThrownBy(() -> builder.producerConfig(Map.of("enable.idempotence", false)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> builder.stopTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void embeddedSettingsAreCheckedAtBuild() throws Exception {
    Path file = Files.writeString(dir.resolve("no-offsets.properties"),
        Files.readString(Fixtures.connectorFile()).replaceAll("(?m)^offset\\.storage\\.partitions=.*$", ""));
    ConnectorConfig config = ConnectorConfig.load(file, ConnectorConfigTest.env());

    assertThatThrownBy(() -> CaptureEngine.builder(config).schemaRegistry(REGISTRY).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo(file.toString());
          assertThat(e.key()).isEqualTo("offset.storage.partitions");
        });
  }
}
