package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Write switches through the router's API on a real broker over real HTTP: a promotion into NEW is accepted
 * as a fenced switch, fenced writes get 503 + Retry-After, and an operator can abort it.
 */
class RouterSwitchIT {
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
  void promotingIntoNewIsAFencedSwitchThatRefusesWritesRetryablyUntilItEnds() throws Exception {
    try (RouterServer router = RouterHarness.start(kafka.bootstrapServers(), "tandem.routing." + UUID.randomUUID())) {
      assertThat(post(router, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"pilot\",\"keys\":[\"42\"],\"phase\":\"NEW_READS\",\"reason\":\"pilot\"}").status()).isEqualTo(201);
      assertThat(post(router, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"second\",\"keys\":[\"43\"],\"phase\":\"NEW_READS\",\"reason\":\"second\"}").status())
          .isEqualTo(201);

      Response promoted = post(router, "/v1/entities/customer/cohorts/pilot/promote", OPERATOR,
          "{\"reason\":\"writes to new\"}");
      assertThat(promoted.status()).as(promoted.raw()).isEqualTo(202);
      assertThat(promoted.body().at("/cohort/phase").asText()).as("unchanged until the switch completes")
          .isEqualTo("NEW_READS");
      String id = promoted.body().at("/switch/id").asText();
      assertThat(id).startsWith("sw-");
      assertThat(promoted.body().at("/switch/change/phase").asText()).isEqualTo("NEW");
      assertThat(promoted.body().at("/switch/fencedSides/0").asText()).isEqualTo("LEGACY");

      Response decision = get(router, "/v1/route/customer/42", VIEWER);
      assertThat(decision.body().get("writeFenced").asBoolean()).isTrue();
      assertThat(decision.body().get("write").asText()).isEqualTo("LEGACY");
      assertThat(get(router, "/v1/route/customer/42?op=read", VIEWER).status()).isEqualTo(200);
      HttpResponse<String> write = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + router.port() + "/v1/route/customer/42?op=write"))
          .header("Authorization", "Bearer " + VIEWER).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(write.statusCode()).isEqualTo(503);
      assertThat(write.headers().firstValue("Retry-After")).contains("1");
      assertThat(write.body()).contains("write-fenced", id);
      assertThat(get(router, "/v1/route/customer/43?op=write", VIEWER).status()).as("a key not moved").isEqualTo(200);

      assertThat(get(router, "/v1/switches", VIEWER).body().at("/pending/id").asText()).isEqualTo(id);
      Response second = post(router, "/v1/entities/customer/cohorts/second/promote", OPERATOR, "{\"reason\":\"too\"}");
      assertThat(second.status()).as(second.raw()).isEqualTo(409);
      assertThat(second.body().get("type").asText()).endsWith("switch-in-progress");
      assertThat(post(router, "/v1/switches/" + id + "/abort", VIEWER, "{\"reason\":\"no\"}").status()).isEqualTo(403);

      Response aborted = post(router, "/v1/switches/" + id + "/abort", OPERATOR, "{\"reason\":\"not tonight\"}");
      assertThat(aborted.status()).as(aborted.raw()).isEqualTo(200);
      Response after = get(router, "/v1/route/customer/42?op=write", VIEWER);
      assertThat(after.status()).isEqualTo(200);
      assertThat(after.body().get("writeFenced").asBoolean()).isFalse();
      assertThat(after.body().get("phase").asText()).isEqualTo("NEW_READS");
      assertThat(get(router, "/v1/switches", VIEWER).body().get("pending").isNull()).isTrue();
      assertThat(post(router, "/v1/switches/" + id + "/abort", OPERATOR, "{\"reason\":\"again\"}").status())
          .isEqualTo(404);
    }
  }
}
