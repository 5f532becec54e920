package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.Phase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReadProxyFallbackTest {
  private ProxyFixture fixture;
  private TestUpstream legacy;

  @BeforeEach
  void start() {
    fixture = new ProxyFixture();
    legacy = TestUpstream.json(fixture.vertx, 200, "{\"from\":\"legacy\"}");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private double fallbacks() {
    return fixture.count(ProxyMetrics.FALLBACKS, "entity", "customer", "cohort", "canary");
  }

  private static void assertServedByLegacyAfterFallback(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"from\":\"legacy\"}");
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue("legacy");
    assertThat(response.headers().firstValue("X-Tandem-Fallback")).hasValue("true");
  }

  @ParameterizedTest
  @EnumSource(value = Phase.class, names = {"NEW_READS", "NEW"})
  void aReadNewAnswersWith500IsServedFromLegacy(Phase phase) {
    fixture.entity("customer").cohort("customer", "canary", phase, "42");
    TestUpstream neu = TestUpstream.json(fixture.vertx, 500, "{\"error\":\"boom\"}");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), true));

    assertServedByLegacyAfterFallback(fixture.get("/api/customers/42"));
    assertThat(fallbacks()).isEqualTo(1);
  }

  @Test
  void aReadNewIsDownForIsServedFromLegacy() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), TestUpstream.down(fixture.vertx), true));

    assertServedByLegacyAfterFallback(fixture.get("/api/customers/42"));
    assertThat(fallbacks()).isEqualTo(1);
  }

  @Test
  void aReadNewDoesNotAnswerInTimeIsServedFromLegacy() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    TestUpstream silent = fixture.upstream(request -> { }); // never answers
    fixture.start(new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"), legacy.uri(),
        silent.uri(), List.of(), true, Duration.ofMillis(200)));

    assertServedByLegacyAfterFallback(fixture.get("/api/customers/42"));
    assertThat(fallbacks()).isEqualTo(1);
  }

  @Test
  void aNewAnswerBelow500IsNotAFailure() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    TestUpstream neu = TestUpstream.json(fixture.vertx, 404, "{\"error\":\"no such customer\"}");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), true));

    HttpResponse<String> response = fixture.get("/api/customers/42");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue("new");
    assertThat(fallbacks()).isZero();
  }

  @Test
  void withoutFallbackAFailedReadIsABadGatewayProblem() throws Exception {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42", "43");
    TestUpstream failing = TestUpstream.json(fixture.vertx, 503, "{}");
    URI down = TestUpstream.down(fixture.vertx);
    fixture.start(ProxyFixture.customers(legacy.uri(), failing.uri(), false),
        new ProxyRoute("/api/down/{id}", "customer", KeySource.parse("path:id"), legacy.uri(), down, List.of(),
            false, Duration.ofSeconds(5)));

    HttpResponse<String> answered503 = fixture.get("/api/customers/42");
    HttpResponse<String> unreachable = fixture.get("/api/down/43");

    for (HttpResponse<String> response : List.of(answered503, unreachable)) {
      assertThat(response.statusCode()).isEqualTo(502);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      assertThat(response.headers().firstValue("X-Tandem-Cohort")).hasValue("canary");
      JsonNode problem = new ObjectMapper().readTree(response.body());
      assertThat(problem.path("type").asText()).isEqualTo(Problems.type(Problems.BAD_GATEWAY));
      assertThat(problem.path("title").asText()).isEqualTo("Upstream failed");
      assertThat(problem.path("status").asInt()).isEqualTo(502);
    }
    assertThat(new ObjectMapper().readTree(answered503.body()).path("detail").asText())
        .isEqualTo("new upstream answered 503");
    assertThat(fallbacks()).isZero();
    assertThat(legacy.received).isEmpty();
  }

  @Test
  void aWriteIsNeverSentToLegacyInstead() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), TestUpstream.down(fixture.vertx), true));

    HttpResponse<String> response = fixture.send("POST", "/api/customers/42", "{}");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(legacy.received).isEmpty();
    assertThat(fallbacks()).isZero();
  }
}
