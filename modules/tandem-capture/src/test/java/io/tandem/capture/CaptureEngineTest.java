package io.tandem.capture;

import io.tandem.core.lifecycle.State;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.kafka.KafkaClients;
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
    assertThat(engine.state()).isEqualTo(State.CREATED);

    engine.close();
    engine.close();

    assertThat(engine.state()).isEqualTo(State.STOPPED);
    assertThatThrownBy(engine::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("STOPPED");
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
    CaptureEngine engine = CaptureEngine.builder(config()).schemaRegistry(REGISTRY)
        .kafka(KafkaClients.of(ConnectorConfigTest.env().get("KAFKA_BOOTSTRAP_SERVERS"),
            Map.of("acks", "1", "enable.idempotence", "false", "linger.ms", "50")))
        .build();
    assertThat(engine.producerConfig()).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
        .containsEntry("linger.ms", "50"); // tuning is the deployment's to change
    assertThatThrownBy(() -> CaptureEngine.builder(config()).stopTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void offsetsOnAnotherClusterAreRefusedNamingTheConnectorFile() {
    assertThatThrownBy(() -> CaptureEngine.builder(config()).schemaRegistry(REGISTRY)
        .kafka(KafkaClients.of("elsewhere:9092")).build())
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("bootstrap.servers");
          assertThat(e.getMessage()).contains("elsewhere:9092", "offsets must live next to the raw topics");
        });
  }

  @Test
  void embeddedSettingsAreCheckedWhenTheFileIsRead() throws Exception {
    Path file = Files.writeString(dir.resolve("no-offsets.properties"),
        Files.readString(Fixtures.connectorFile()).replaceAll("(?m)^offset\\.storage\\.partitions=.*$", ""));

    assertThatThrownBy(() -> ConnectorConfig.load(file, ConnectorConfigTest.env()))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo(file.toString());
          assertThat(e.key()).isEqualTo("offset.storage.partitions");
        });
  }
}
