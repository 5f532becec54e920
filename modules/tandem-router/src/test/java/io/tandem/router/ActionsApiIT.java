package io.tandem.router;

import static io.tandem.router.RouterHarness.ADMIN;
import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.call;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/actions}: an operator's action is recorded in the audit without touching the routing or
 * its version; anyone else, and every bad body, gets a problem and leaves no log record.
 */
class ActionsApiIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  record Bad(String what, String token, String body, int status, String detailContains) {}

  @Test
  void anOperatorsActionIsAuditedAndEveryoneElseIsRefused() throws Exception {
    try (RouterServer server = RouterHarness.start(kafka.bootstrapServers(), "tandem.routing." + UUID.randomUUID())) {
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":5,\"reason\":\"wave\"}").status()).isEqualTo(201);
      long version = get(server, "/v1/version", VIEWER).body().path("version").asLong();
      int auditSize = get(server, "/v1/audit", VIEWER).body().path("entries").size();

      String ok = "{\"action\":\"dlq-replay\",\"entity\":\"customer\",\"scope\":\"stage=transform\",\"count\":2,"
          + "\"reason\":\"mapping fixed\"}";
      List<Bad> cases = List.of(
          new Bad("a viewer", VIEWER, ok, 403, "needs operator"),
          new Bad("an operator revealing personal data", OPERATOR, "{\"action\":\"reveal-sensitive\",\"count\":0,"
              + "\"reason\":\"ticket 7\"}", 403, "needs admin"),
          new Bad("no token", null, ok, 401, "Bearer"),
          new Bad("unknown field", OPERATOR, "{\"action\":\"dlq-replay\",\"scope\":\"\",\"count\":1,\"reason\":\"r\","
              + "\"force\":true}", 422, "unknown field 'force'"),
          new Bad("trailing JSON", OPERATOR, ok + "{}", 400, "after its JSON object"),
          new Bad("duplicate field", OPERATOR, "{\"action\":\"a\",\"action\":\"b\",\"count\":1,\"reason\":\"r\"}", 400,
              "Duplicate field"),
          new Bad("malformed JSON", OPERATOR, "{\"action\":", 400, "JSON"),
          new Bad("not an object", OPERATOR, "[1]", 400, "object"),
          new Bad("no reason", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1}", 422, "'reason'"),
          new Bad("oversized reason", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1,\"reason\":\""
              + "r".repeat(1001) + "\"}", 413, "at most 1000"),
          new Bad("oversized scope", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1,\"reason\":\"r\",\"scope\":\""
              + "s".repeat(2001) + "\"}", 413, "at most 2000"),
          new Bad("oversized body", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1,\"reason\":\"r\",\"scope\":\""
              + "s".repeat(9000) + "\"}", 413, "8192 bytes"),
          new Bad("bad action name", OPERATOR, "{\"action\":\"DROP TABLE\",\"count\":1,\"reason\":\"r\"}", 422, "action"),
          new Bad("negative count", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":-1,\"reason\":\"r\"}", 422, "count"),
          new Bad("count as text", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":\"2\",\"reason\":\"r\"}", 422, "count"),
          new Bad("fractional count", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1.5,\"reason\":\"r\"}", 422, "count"),
          new Bad("bad entity name", OPERATOR, "{\"action\":\"dlq-replay\",\"entity\":\"Not OK\",\"count\":1,"
              + "\"reason\":\"r\"}", 422, "entity name"),
          new Bad("reason not text", OPERATOR, "{\"action\":\"dlq-replay\",\"count\":1,\"reason\":true}", 422, "reason"));
      for (Bad bad : cases) {
        Response response = call(server, "POST", "/v1/actions", bad.token(), bad.body());
        assertThat(response.status()).as(bad.what() + ": " + response.raw()).isEqualTo(bad.status());
        assertThat(response.contentType()).as(bad.what()).startsWith("application/problem+json");
        assertThat(response.body().path("detail").asText()).as(bad.what()).contains(bad.detailContains());
      }
      assertThat(get(server, "/v1/audit", VIEWER).body().path("entries").size()).as("nothing logged")
          .isEqualTo(auditSize);

      Response recorded = post(server, "/v1/actions", OPERATOR, ok);
      assertThat(recorded.status()).as(recorded.raw()).isEqualTo(201);
      assertThat(recorded.body().path("applied").asBoolean()).isTrue();
      assertThat(recorded.body().path("actor").asText()).isEqualTo("alice");
      assertThat(recorded.body().path("command").path("type").asText()).isEqualTo("record_action");
      assertThat(recorded.body().path("version").asLong()).isEqualTo(version);

      assertThat(get(server, "/v1/version", VIEWER).body().path("version").asLong()).as("no new version")
          .isEqualTo(version);
      var entries = get(server, "/v1/audit?entity=customer", VIEWER).body().path("entries");
      var last = entries.get(entries.size() - 1);
      assertThat(last.path("command").path("action").asText()).isEqualTo("dlq-replay");
      assertThat(last.path("command").path("count").asLong()).isEqualTo(2);
      assertThat(last.path("reason").asText()).isEqualTo("mapping fixed");
      Response revealed = post(server, "/v1/actions", ADMIN,
          "{\"action\":\"reveal-sensitive\",\"entity\":\"customer\",\"count\":0,\"reason\":\"ticket 7\"}");
      assertThat(revealed.status()).as(revealed.raw()).isEqualTo(201);
      assertThat(revealed.body().path("actor").asText()).isEqualTo("root");
      // A routing change expecting the version from before the action still applies.
      Response change = post(server, "/v1/entities/customer/cohorts/wave/percent", OPERATOR,
          "{\"percent\":6,\"reason\":\"grow\",\"expectedVersion\":" + version + "}");
      assertThat(change.status()).as(change.raw()).isEqualTo(200);
    }
  }
}
