package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A merged entity's cohort moves customers of both legacy sources: the router routes a source's own key by the
 * new key its row became, through the key map the merge topology writes (real broker, real HTTP).
 */
class RouterKeyMapIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static void keyMap(String member, String key) {
    Properties props = new Properties();
    props.put("bootstrap.servers", kafka.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      byte[] value = key == null ? null : ("{\"entity\":\"customer\",\"source\":\"" + member.split(":")[0]
          + "\",\"legacyKey\":\"" + member.split(":")[1] + "\",\"key\":\"" + key + "\",\"merged\":false}")
          .getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(io.tandem.core.mapping.MergeRule.keyMapTopic("customer"), member.getBytes(StandardCharsets.UTF_8),
          value));
    }
  }

  @Test
  void aSourcesKeyIsRoutedByTheNewKeyItsRowBecame() throws Exception {
    keyMap("legacy:1", "1");
    keyMap("shop_b:1", "1000000001");
    keyMap("shop_b:2", "1"); // merged into shop A's customer 1
    keyMap("shop_b:3", "1000000003");
    RouterSettings base = RouterHarness.settings(kafka.bootstrapServers(), "tandem.routing." + UUID.randomUUID());
    RouterSettings settings = new RouterSettings(base.host(), base.port(), base.kafka(), base.topic(),
        base.replicationFactor(), base.entities(), base.tokens(), base.routes(), base.shadowSampleSize(), base.gates(),
        base.limits(), base.tls(), List.of("customer"));
    try (RouterServer server = RouterHarness.start(settings)) {
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"pilot\",\"keys\":[\"1\",\"1000000001\"],\"phase\":\"SHADOW\",\"reason\":\"merged pilot\"}")
          .status()).isEqualTo(201);

      assertThat(phase(server, "/v1/route/customer/1?source=legacy")).isEqualTo("SHADOW");
      assertThat(phase(server, "/v1/route/customer/1?source=shop_b")).isEqualTo("SHADOW");
      Response merged = get(server, "/v1/route/customer/2?source=shop_b&op=read", VIEWER);
      assertThat(merged.status()).as(merged.raw()).isEqualTo(200);
      assertThat(merged.body().get("phase").asText()).isEqualTo("SHADOW");
      assertThat(merged.body().get("key").asText()).as("decided for the survivor's key").isEqualTo("1");
      assertThat(phase(server, "/v1/route/customer/3?source=shop_b")).isEqualTo("LEGACY");

      Response unknown = get(server, "/v1/route/customer/99?source=shop_b", VIEWER);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.body().get("detail").asText()).contains("shop_b").contains("on legacy");
      Response notMerged = get(server, "/v1/route/order/7?source=shop_b", VIEWER);
      assertThat(notMerged.status()).isEqualTo(400);
      assertThat(notMerged.body().get("detail").asText()).contains("not merged");

      // The key map follows the topology: shop B's client 3 merged later into shop A's customer 1.
      keyMap("shop_b:3", "1");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(phase(server, "/v1/route/customer/3?source=shop_b")).isEqualTo("SHADOW"));
      keyMap("shop_b:2", null); // deleted in shop B
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(get(server, "/v1/route/customer/2?source=shop_b", VIEWER).status()).isEqualTo(404));
      assertThat(get(server, "/metrics", null).raw()).contains("tandem_router_keymap_members");
    }
  }

  private static String phase(RouterServer server, String path) throws Exception {
    Response response = get(server, path, VIEWER);
    assertThat(response.status()).as(path + ": " + response.raw()).isEqualTo(200);
    return response.body().get("phase").asText();
  }
}
