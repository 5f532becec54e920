package io.tandem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  @Test
  void theDeploymentOverridesDefaultsAndFixedSettingsOverrideTheDeployment() {
    KafkaClients clients = KafkaClients.of("broker:9092", Map.of("linger.ms", "50", "acks", "1",
        "security.protocol", "SASL_SSL"));

    Map<String, Object> config = clients.config(Map.of("linger.ms", "5", "compression.type", "lz4"),
        Map.of("acks", "all"));

    assertThat(config).containsEntry("linger.ms", "50") // the deployment's tuning wins over the default
        .containsEntry("compression.type", "lz4") // a default the deployment leaves alone
        .containsEntry("acks", "all") // a guarantee the deployment cannot loosen
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "broker:9092");
  }

  @Test
  void bootstrapServersAlwaysNameThisCluster() {
    KafkaClients clients = KafkaClients.fromConfig(Map.of("bootstrap.servers", "a:1", "client.rack", "r1"));

    assertThat(clients.properties()).containsOnlyKeys("client.rack");
    assertThat(clients.config(Map.of("bootstrap.servers", "other:2"), Map.of("bootstrap.servers", "other:3")))
        .containsEntry("bootstrap.servers", "a:1");
    assertThatThrownBy(() -> KafkaClients.fromConfig(Map.of("client.rack", "r1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap.servers");
  }

  @Test
  void secretsAreMaskedWhenPrinted() {
    KafkaClients clients = KafkaClients.of("b:1", Map.of("sasl.jaas.config", "PlainLoginModule password=\"x1\"",
        "ssl.truststore.password", "x2"));

    assertThat(clients.toString()).doesNotContain("x1", "x2").contains("sasl.jaas.config", "b:1");
  }
}
