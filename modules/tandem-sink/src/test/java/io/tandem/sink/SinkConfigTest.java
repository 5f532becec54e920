package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinkConfigTest {
  private static final String SOURCE = "tandem.yaml (sink)";

  @TempDir
  Path schemas;
  private Map<String, Object> settings;

  @BeforeEach
  void validSettings() throws IOException {
    Files.writeString(schemas.resolve("customer.avsc"), Fixtures.CUSTOMER.toString());
    settings = new HashMap<>(Map.of(
        "bootstrap.servers", "kafka:9092",
        "schema.registry.url", "http://registry:8081",
        "jdbc.url", "jdbc:postgresql://db/app",
        "jdbc.user", "tandem",
        "jdbc.password", "s3cret",
        "entities", "customer",
        "entity.customer.key", "id",
        "schemas.dir", schemas.toString()));
  }

  @Test
  void readsSettingsWithDefaults() {
    settings.put("entity.customer.table", "app.customer");
    settings.put("consumer.fetch.min.bytes", "1024");
    settings.put("max.poll.records", "500");
    SinkConfig config = SinkConfig.from(SOURCE, settings);

    assertThat(config.groupId()).isEqualTo("tandem-sink");
    assertThat(config.dlqTopic()).isEqualTo("tandem.dlq.sink");
    assertThat(config.maxPollRecords()).isEqualTo(500);
    assertThat(config.pollTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.retry().maxAttempts()).isEqualTo(10);
    assertThat(config.consumerOverrides()).containsEntry("fetch.min.bytes", "1024");
    assertThat(config.entities()).singleElement().satisfies(entity -> {
      assertThat(entity.topic()).isEqualTo("migrated.customer");
      assertThat(entity.table()).isEqualTo("app.customer");
      assertThat(entity.keyColumns()).containsExactly("id");
    });
    assertThat(config.toString()).doesNotContain("s3cret");
    try (JdbcSink sink = JdbcSink.builder().config(config).build()) {
      assertThat(sink.state()).isEqualTo(JdbcSink.State.CREATED);
    }
  }

  @Test
  void badValuesNameTheSourceTheKeyAndTheExpectation() {
    assertError(Map.of("bootstrap.servers", ""), "bootstrap.servers", "host:port");
    assertError(Map.of("jdbc.url", "jdbc:mysql://db/app"), "jdbc.url", "PostgreSQL JDBC URL");
    assertError(Map.of("schema.registry.url", "registry:8081"), "schema.registry.url", "http(s) URLs");
    assertError(Map.of("max.poll.records", "0"), "max.poll.records", "an integer from 1 to 100000");
    assertError(Map.of("poll.timeout.ms", "0"), "poll.timeout.ms", "positive");
    assertError(Map.of("retry.initial.backoff.ms", "500", "retry.max.backoff.ms", "100"), "retry.max.backoff.ms",
        "at least retry.initial.backoff.ms");
    assertError(Map.of("entities", "customer,Customer"), "entities", "distinct entity names");
    assertError(Map.of("entities", "customer,order"), "schemas.dir", "order.avsc");
    assertError(Map.of("entity.customer.key", "customer_id"), "entity.customer.key", "not a field");
    assertError(Map.of("entity.custmer.key", "id"), "entity.custmer.key", "entity.<one of [customer]>");
    assertError(Map.of("max.pol.records", "10"), "max.pol.records", "a known sink setting");
    assertError(Map.of("consumer.enable.auto.commit", "true"), "consumer.enable.auto.commit", "the sink manages");
    assertError(Map.of("producer.value.serializer", "x"), "producer.value.serializer", "the sink manages");
  }

  @Test
  void aMissingRequiredKeyIsNamed() {
    settings.remove("entity.customer.key");
    assertThatThrownBy(() -> SinkConfig.from(SOURCE, settings))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(SOURCE + ": key 'entity.customer.key': expected the entity's key columns")
        .hasMessageEndingWith("got nothing");
  }

  private void assertError(Map<String, String> overrides, String key, String expected) {
    Map<String, Object> bad = new HashMap<>(settings);
    bad.putAll(overrides);
    assertThatThrownBy(() -> SinkConfig.from(SOURCE, bad))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(SOURCE + ": key '" + key + "': expected")
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
  }
}
