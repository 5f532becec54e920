package io.tandem.router;

import static io.tandem.router.RouterHarness.ADMIN;
import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.call;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.routing.Command;
import io.tandem.routing.Proposal;
import io.tandem.routing.RoutingState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator API under hostile or sloppy input, over real HTTP on a real broker: strict JSON, the configured
 * limits, a problem document on every error status, and rollbacks that never erase the entity declarations.
 */
class RouterHardeningIT {
  /** Small limits, so the tests stay small; the defaults are the same checks with larger numbers. */
  private static final RouterSettings.Limits LIMITS = new RouterSettings.Limits(64 * 1024, 50, 32, 200, 20, 300, 4);
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static String topic() {
    return "tandem.routing." + UUID.randomUUID();
  }

  private static RouterServer start(java.util.function.Consumer<io.vertx.ext.web.Router> extra) {
    return start(topic(), extra);
  }

  private static RouterServer start(String topic, java.util.function.Consumer<io.vertx.ext.web.Router> extra) {
    return RouterServer.start(RouterHarness.settings(kafka.bootstrapServers(), topic).withLimits(LIMITS),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), extra);
  }

  record Bad(String what, String method, String path, String token, String contentType, String body, int status,
      String detailContains) {
    static Bad json(String what, String method, String path, String body, int status, String detailContains) {
      return new Bad(what, method, path, OPERATOR, "application/json", body, status, detailContains);
    }
  }

  @Test
  void strictInputAndLimitsRefusedWithAProblemAndNothingChanged() throws Exception {
    try (RouterServer server = start(router -> { })) {
      String cohorts = "/v1/entities/customer/cohorts";
      assertThat(post(server, cohorts, OPERATOR, "{\"name\":\"wave\",\"percent\":5,\"reason\":\"r\"}").status())
          .isEqualTo(201);
      assertThat(post(server, cohorts, OPERATOR, "{\"name\":\"vip\",\"keys\":[\"1\"],\"reason\":\"r\"}").status())
          .isEqualTo(201);
      String tooManyKeys = IntStream.range(0, 51).mapToObj(i -> "\"k" + i + "\"").collect(Collectors.joining(","));
      String longRule = "region == \"" + "E".repeat(200) + "\"";
      String complexRule = IntStream.range(0, 8).mapToObj(i -> "key == \"" + i + "\"").collect(Collectors.joining(" || "));
      String hugeBody = "{\"reason\":\"" + "x".repeat(70 * 1024) + "\"}";
      List<Bad> cases = List.of(
          // exact percentages: one that a double would round to 5 is refused, not silently rounded
          Bad.json("percent finer than a double holds", "POST", cohorts + "/wave/percent",
              "{\"percent\":5.0000000000000000001,\"reason\":\"r\"}", 422, "two decimals"),
          Bad.json("percent with three decimals", "POST", cohorts + "/wave/percent",
              "{\"percent\":33.333,\"reason\":\"r\"}", 422, "two decimals"),
          // booleans only where booleans are meant
          Bad.json("force as \"yes\"", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"force\":\"yes\"}", 422, "'force'"),
          Bad.json("force as 1", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"force\":1}", 422, "'force'"),
          Bad.json("force as \"true\"", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"force\":\"true\"}", 422, "'force'"),
          Bad.json("rollback as \"true\"", "POST", cohorts + "/wave/percent",
              "{\"percent\":1,\"reason\":\"r\",\"rollback\":\"true\"}", 422, "'rollback'"),
          Bad.json("rollback as 1", "PUT", cohorts + "/wave/selector",
              "{\"percent\":1,\"reason\":\"r\",\"rollback\":1}", 422, "'rollback'"),
          new Bad("rollback=yes on a DELETE's query", "DELETE", cohorts + "/wave?reason=r&rollback=yes", OPERATOR, null,
              null, 422, "'rollback'"),
          // exactly one JSON document
          Bad.json("trailing JSON after the document", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\"} x", 400, "JSON"),
          Bad.json("a second document", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\"}{\"force\":true}", 400, "JSON"),
          Bad.json("a member twice", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"reason\":\"s\"}", 400, "reason"),
          // fields that are not the endpoint's are not ignored
          Bad.json("misspelt force", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"forse\":true}", 422, "'forse'"),
          Bad.json("salt on a selector replacement", "PUT", cohorts + "/wave/selector",
              "{\"percent\":6,\"salt\":\"other\",\"reason\":\"r\"}", 422, "'salt'"),
          Bad.json("phase as a number", "POST", cohorts, "{\"name\":\"x\",\"percent\":1,\"phase\":2,\"reason\":\"r\"}", 422, "phase"),
          Bad.json("keys as numbers", "POST", cohorts, "{\"name\":\"x\",\"keys\":[1,2],\"reason\":\"r\"}", 422, "strings"),
          Bad.json("rollback version as text", "POST", "/v1/rollback", "{\"version\":\"0\",\"reason\":\"r\"}", 422, "'version'"),
          Bad.json("rollback version negative", "POST", "/v1/rollback", "{\"version\":-1,\"reason\":\"r\"}", 422, "'version'"),
          Bad.json("rollback without version", "POST", "/v1/rollback", "{\"reason\":\"r\"}", 422, "'version'"),
          // limits, each named by its configuration key
          Bad.json("more keys than maxKeysPerCohort", "POST", cohorts,
              "{\"name\":\"big\",\"keys\":[" + tooManyKeys + "],\"reason\":\"r\"}", 422, "router.limits.maxKeysPerCohort"),
          Bad.json("a key longer than maxKeyLength", "PUT", cohorts + "/vip/selector",
              "{\"keys\":[\"" + "k".repeat(33) + "\"],\"reason\":\"r\"}", 422, "router.limits.maxKeyLength"),
          Bad.json("a rule longer than maxRuleLength", "POST", cohorts,
              "{\"name\":\"eu\",\"rule\":\"" + longRule.replace("\"", "\\\"") + "\",\"reason\":\"r\"}", 422,
              "router.limits.maxRuleLength"),
          Bad.json("a rule more complex than maxRuleNodes", "POST", cohorts,
              "{\"name\":\"eu\",\"rule\":\"" + complexRule.replace("\"", "\\\"") + "\",\"reason\":\"r\"}", 422,
              "router.limits.maxRuleNodes"),
          Bad.json("a reason longer than maxReasonLength", "POST", cohorts + "/wave/promote",
              "{\"reason\":\"" + "r".repeat(301) + "\"}", 422, "router.limits.maxReasonLength"),
          Bad.json("a body larger than maxBodyBytes", "POST", cohorts + "/wave/promote", hugeBody, 413, "larger"),
          // media type, paths, methods, tokens
          new Bad("a body that is not JSON", "POST", cohorts + "/wave/promote", OPERATOR,
              "application/x-www-form-urlencoded", "reason=r", 415, "application/json"),
          new Bad("JSON sent as text/plain", "POST", cohorts + "/wave/promote", OPERATOR, "text/plain", "{\"reason\":\"r\"}",
              415, "text/plain"),
          new Bad("unknown path", "GET", "/v1/nothing-here", VIEWER, null, null, 404, "/v1/nothing-here"),
          new Bad("unknown path outside the API", "GET", "/wp-admin.php", null, null, null, 404, "/wp-admin.php"),
          new Bad("wrong method", "DELETE", "/v1/audit", OPERATOR, null, null, 405, "/v1/audit"),
          new Bad("GET on a change endpoint", "GET", "/v1/rollback", OPERATOR, null, null, 405, "/v1/rollback"),
          new Bad("no token", "POST", cohorts + "/wave/promote", null, "application/json", "{\"reason\":\"r\"}", 401, "Bearer"),
          new Bad("viewer changing", "POST", cohorts + "/wave/promote", VIEWER, "application/json", "{\"reason\":\"r\"}",
              403, "operator"),
          new Bad("URI longer than the codec accepts", "GET", "/v1/route/customer/" + "k".repeat(5000), VIEWER, null,
              null, 414, "request line"));

      RoutingState before = server.log().state();
      int auditBefore = server.log().machine().audit().size();
      for (Bad bad : cases) {
        Response response = call(server, bad.method(), bad.path(), bad.token(), bad.contentType(), bad.body());
        assertThat(response.status()).as(bad.what() + ": " + response.raw()).isEqualTo(bad.status());
        assertProblem(response, bad.status(), bad.what());
        assertThat(response.body().get("detail").asText()).as(bad.what()).contains(bad.detailContains());
      }
      assertThat(server.log().state()).isSameAs(before);
      assertThat(server.log().machine().audit()).hasSize(auditBefore);

      // At the limits exactly: accepted.
      String fiftyKeys = IntStream.range(0, 50).mapToObj(i -> "\"k" + i + "\"").collect(Collectors.joining(","));
      Response atLimit = post(server, cohorts, OPERATOR, "{\"name\":\"fifty\",\"keys\":[" + fiftyKeys
          + "],\"reason\":\"" + "r".repeat(300) + "\"}");
      assertThat(atLimit.status()).as(atLimit.raw()).isEqualTo(201);
      // A DELETE's query flags as true/false are read as booleans, expectedVersion as a number.
      Response deleted = call(server, "DELETE", cohorts + "/fifty?reason=done&rollback=false&expectedVersion="
          + atLimit.body().get("version").asLong(), OPERATOR, null, null);
      assertThat(deleted.status()).as(deleted.raw()).isEqualTo(200);
    }
  }

  @Test
  void anUnexpectedFailureIsA500ProblemThatNamesNoExceptionOrMessage() throws Exception {
    try (RouterServer server = start(router -> router.get("/v1/explode").handler(ctx -> {
      throw new IllegalStateException("secret internals at db-7.internal:5432");
    }))) {
      Response response = get(server, "/v1/explode", VIEWER);
      assertThat(response.status()).isEqualTo(500);
      assertProblem(response, 500, "failure");
      assertThat(response.raw()).doesNotContain("IllegalStateException", "secret", "db-7", "java.", "\tat ");
      assertThat(response.body().get("detail").asText()).contains("incident");
    }
  }

  @Test
  void rollbackToVersionZeroKeepsTheEntitiesDeclaredAndDecisionsAnswered() throws Exception {
    try (RouterServer server = start(router -> { })) {
      Response created = post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":100,\"phase\":\"SHADOW\",\"reason\":\"r\"}");
      assertThat(created.status()).as(created.raw()).isEqualTo(201);
      assertThat(get(server, "/v1/route/customer/42", VIEWER).body().get("cohort").asText()).isEqualTo("wave");

      Response rolledBack = post(server, "/v1/rollback", OPERATOR, "{\"version\":0,\"reason\":\"back to the start\"}");
      assertThat(rolledBack.status()).as(rolledBack.raw()).isEqualTo(200);

      // The cohorts of version 0 (none), the declarations of now: every decision still answers.
      Response decision = get(server, "/v1/route/customer/42", VIEWER);
      assertThat(decision.status()).as(decision.raw()).isEqualTo(200);
      assertThat(decision.body().get("cohort").isNull()).isTrue();
      assertThat(decision.body().get("read").asText()).isEqualTo("LEGACY");
      assertThat(get(server, "/v1/route/order/7", VIEWER).status()).isEqualTo(200);
      assertThat(server.log().state().entity("customer").orElseThrow().attributes())
          .containsExactly("region", "tier");
      Response health = get(server, "/health", null);
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body().get("status").asText()).isEqualTo("UP");
    }
  }

  @Test
  void healthIsDownWhileAConfiguredEntityIsNotDeclaredInTheRouting() throws Exception {
    String topic = topic();
    try (RouterServer server = start(topic, router -> { })) {
      assertThat(get(server, "/health", null).status()).isEqualTo(200);
      // A rollback record as routers wrote them before declarations were kept: it drops every entity.
      try (RoutingLogWriter writer = new RoutingLogWriter(java.util.Map.of("bootstrap.servers",
          kafka.bootstrapServers()), topic, server.log())) {
        Proposal old = new Proposal(UUID.randomUUID().toString(), server.log().state().version(), "old-router",
            "written by an older router", Instant.now(), true, new Command.RollbackTo(0, false));
        assertThat(writer.propose(old).get(10, java.util.concurrent.TimeUnit.SECONDS).applied()).isTrue();
      }
      assertThat(get(server, "/v1/route/customer/1", VIEWER).status()).isEqualTo(404);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Response health = get(server, "/health", null);
        assertThat(health.status()).isEqualTo(503);
        assertThat(health.body().get("status").asText()).isEqualTo("DOWN");
        assertThat(health.body().get("detail").asText()).contains("customer", "order", "not declared");
      });
    }
  }

  @Test
  void anAdminForceStillNeedsAJsonBoolean() throws Exception {
    try (RouterServer server = start(router -> { })) {
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":5,\"reason\":\"r\"}").status()).isEqualTo(201);
      Response response = post(server, "/v1/entities/customer/cohorts/wave/promote", ADMIN,
          "{\"reason\":\"r\",\"force\":\"false\"}");
      assertThat(response.status()).as(response.raw()).isEqualTo(422);
      assertProblem(response, 422, "force as text");
      assertThat(post(server, "/v1/entities/customer/cohorts/wave/promote", ADMIN,
          "{\"reason\":\"r\",\"force\":false}").status()).isEqualTo(200);
    }
  }

  private static void assertProblem(Response response, int status, String what) {
    assertThat(response.contentType()).as(what + ": " + response.raw()).startsWith("application/problem+json");
    assertThat(response.body()).as(what + ": " + response.raw()).isNotNull();
    assertThat(response.body().get("status").asInt()).as(what).isEqualTo(status);
    assertThat(response.body().get("title").asText()).as(what).isNotBlank();
    assertThat(response.body().get("type").asText()).as(what).startsWith("https://tandem.dev/problems/");
    assertThat(response.body().get("detail").asText()).as(what).isNotBlank();
  }
}
