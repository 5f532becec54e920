package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.call;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicFollower;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cohort lifecycle events on a real broker and real HTTP: every change an operator makes is published once per
 * cohort it changes — by the replica that made it, not by every replica — on the events topic and to a webhook.
 */
class CohortEventsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  @Test
  void eachChangeIsAnnouncedOnceOnTheTopicAndToTheWebhook() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
        new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext("/events", exchange -> {
      received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    hook.start();
    String eventsTopic = "tandem.cohort.events." + UUID.randomUUID();
    RouterSettings base = RouterHarness.settings(kafka.bootstrapServers(), "tandem.routing." + UUID.randomUUID());
    RouterSettings settings = new RouterSettings(base.host(), base.port(), base.kafka(), base.topic(),
        base.replicationFactor(), base.entities(), base.tokens(), base.routes(), base.shadowSampleSize(), base.gates(),
        base.limits(), base.tls(), List.of(), new RouterSettings.Events(eventsTopic, List.of(new RouterSettings.Webhook(
            URI.create("http://127.0.0.1:" + hook.getAddress().getPort() + "/events"), Optional.empty()))));
    try (RouterServer a = RouterHarness.start(settings); RouterServer b = RouterHarness.start(settings)) {
      String cohorts = "/v1/entities/customer/cohorts";
      assertThat(post(a, cohorts, OPERATOR, "{\"name\":\"wave\",\"keys\":[\"7\",\"8\"],\"phase\":\"SHADOW\","
          + "\"reason\":\"first wave, mail sent\"}").status()).isEqualTo(201);
      assertThat(post(a, cohorts + "/wave/promote", OPERATOR, "{\"reason\":\"shadow clean\"}").status())
          .isEqualTo(200);
      assertThat(call(a, "DELETE", cohorts + "/wave?reason=done&rollback=true", OPERATOR, null).status())
          .isEqualTo(200);

      await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(received).hasSize(3));
      List<JsonNode> events = new CopyOnWriteArrayList<>();
      TopicFollower.readToEnd(KafkaClients.of(kafka.bootstrapServers()), List.of(eventsTopic), Duration.ofSeconds(20),
          record -> events.add(read(new String(record.value(), StandardCharsets.UTF_8))));
      assertThat(events).as("one event per change, though two replicas applied each").hasSize(3);
      assertThat(events).extracting(e -> e.path("type").asText())
          .containsExactly("cohort.created", "cohort.phase_changed", "cohort.deleted");
      JsonNode promoted = events.get(1);
      assertThat(promoted.path("entity").asText()).isEqualTo("customer");
      assertThat(promoted.path("cohort").asText()).isEqualTo("wave");
      assertThat(promoted.path("fromPhase").asText()).isEqualTo("SHADOW");
      assertThat(promoted.path("toPhase").asText()).isEqualTo("NEW_READS");
      assertThat(promoted.path("actor").asText()).isEqualTo("alice");
      assertThat(promoted.path("reason").asText()).isEqualTo("shadow clean");
      assertThat(promoted.path("selector").path("keys").asInt()).isEqualTo(2);
      assertThat(promoted.path("members").asText()).isEqualTo("tandem cohort members customer wave");
      assertThat(events.get(2).path("toPhase").isNull()).isTrue();
      assertThat(received.stream().map(CohortEventsIT::read).map(e -> e.path("type").asText()).toList())
          .containsExactly("cohort.created", "cohort.phase_changed", "cohort.deleted");
    } finally {
      hook.stop(0);
    }
  }

  @Test
  void theSignatureIsTheBodysHmacSha256() {
    // RFC 4231, test case 2
    assertThat(CohortEvents.hmac("Jefe", "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
