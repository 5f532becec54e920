package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.call;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.routing.RoutingState;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every bad request gets a 4xx problem body and changes nothing: no state, no log record. */
class RouterBadInputIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  record Bad(String what, String method, String path, String body, int status, String detailContains) {}

  @Test
  void badInputGetsAProblemAndChangesNothing() throws Exception {
    try (RouterServer server = RouterHarness.start(kafka.bootstrapServers(), "tandem.routing." + UUID.randomUUID())) {
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"vip\",\"keys\":[\"1\",\"2\"],\"reason\":\"vip\"}").status()).isEqualTo(201);
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":5,\"phase\":\"NEW_READS\",\"reason\":\"wave\"}").status()).isEqualTo(201);
      String cohorts = "/v1/entities/customer/cohorts";
      List<Bad> cases = List.of(
          new Bad("unknown entity", "POST", "/v1/entities/invoice/cohorts", "{\"name\":\"a\",\"percent\":1,\"reason\":\"r\"}", 404, "invoice"),
          new Bad("unknown cohort", "POST", cohorts + "/nope/promote", "{\"reason\":\"r\"}", 404, "nope"),
          new Bad("unknown entity in decision", "GET", "/v1/route/invoice/1", null, 404, "invoice"),
          new Bad("percentage above 100", "POST", cohorts, "{\"name\":\"a\",\"percent\":100.5,\"reason\":\"r\"}", 422, "100"),
          new Bad("negative percentage", "POST", cohorts + "/wave/percent", "{\"percent\":-1,\"reason\":\"r\"}", 422, "-1"),
          new Bad("percentage finer than a bucket", "POST", cohorts + "/wave/percent", "{\"percent\":5.005,\"reason\":\"r\"}", 422, "two decimals"),
          new Bad("percentage as text", "POST", cohorts + "/wave/percent", "{\"percent\":\"5\",\"reason\":\"r\"}", 422, "number"),
          new Bad("overlapping explicit lists", "POST", cohorts, "{\"name\":\"b\",\"keys\":[\"2\",\"3\"],\"reason\":\"r\"}", 422, "'2'"),
          new Bad("CEL that does not parse", "POST", cohorts, "{\"name\":\"eu\",\"rule\":\"region == \",\"reason\":\"r\"}", 422, "compile"),
          new Bad("CEL on an undeclared attribute", "POST", cohorts, "{\"name\":\"eu\",\"rule\":\"country == 'FR'\",\"reason\":\"r\"}", 422, "country"),
          new Bad("CEL that is not a boolean", "POST", cohorts, "{\"name\":\"eu\",\"rule\":\"region\",\"reason\":\"r\"}", 422, "compile"),
          new Bad("two selectors", "POST", cohorts, "{\"name\":\"x\",\"percent\":1,\"keys\":[\"9\"],\"reason\":\"r\"}", 422, "exactly one"),
          new Bad("bad cohort name", "POST", cohorts, "{\"name\":\"Not OK\",\"percent\":1,\"reason\":\"r\"}", 422, "name"),
          new Bad("duplicate cohort", "POST", cohorts, "{\"name\":\"wave\",\"percent\":1,\"reason\":\"r\"}", 409, "already exists"),
          new Bad("unknown phase", "POST", cohorts, "{\"name\":\"x\",\"percent\":1,\"phase\":\"HALF\",\"reason\":\"r\"}", 422, "HALF"),
          new Bad("malformed JSON", "POST", cohorts, "{\"name\":", 400, "JSON"),
          new Bad("JSON that is not an object", "POST", cohorts, "[1,2]", 400, "object"),
          new Bad("no body", "POST", cohorts + "/wave/promote", null, 400, "body"),
          new Bad("missing reason", "POST", cohorts + "/wave/promote", "{}", 422, "reason"),
          new Bad("blank reason", "POST", cohorts + "/wave/promote", "{\"reason\":\"  \"}", 422, "reason"),
          new Bad("wrong expected version", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"expectedVersion\":1}", 409, "expected version 1"),
          new Bad("force that is not a boolean", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"force\":\"true\"}", 422, "'force'"),
          new Bad("force by an operator", "POST", cohorts + "/wave/promote", "{\"reason\":\"r\",\"force\":true}", 403, "admin"),
          new Bad("lowering a new-reads cohort without rollback", "POST", cohorts + "/wave/percent", "{\"percent\":1,\"reason\":\"r\"}", 409, "rollback"),
          new Bad("set-percent on a key list", "POST", cohorts + "/vip/percent", "{\"percent\":1,\"reason\":\"r\"}", 422, "keys"),
          new Bad("demote below LEGACY", "POST", cohorts + "/vip/demote", "{\"reason\":\"r\"}", 409, "LEGACY"),
          new Bad("rollback to a version that does not exist", "POST", "/v1/rollback", "{\"version\":999,\"reason\":\"r\"}", 404, "999"),
          new Bad("audit limit out of range", "GET", "/v1/audit?limit=0", null, 400, "limit"));

      RoutingState before = server.log().state();
      int auditBefore = server.log().machine().audit().size();
      for (Bad bad : cases) {
        Response response = call(server, bad.method(), bad.path(), bad.method().equals("GET") ? VIEWER : OPERATOR,
            bad.body());
        assertThat(response.status()).as(bad.what() + ": " + response.raw()).isEqualTo(bad.status());
        assertThat(response.contentType()).as(bad.what()).startsWith("application/problem+json");
        assertThat(response.body().get("status").asInt()).isEqualTo(bad.status());
        assertThat(response.body().get("title").asText()).isNotBlank();
        assertThat(response.body().get("type").asText()).startsWith("https://tandem.dev/problems/");
        assertThat(response.body().get("detail").asText()).as(bad.what()).contains(bad.detailContains());
      }
      // Nothing was proposed: same state object, same version, no new log record.
      assertThat(server.log().state()).isSameAs(before);
      assertThat(server.log().machine().audit()).hasSize(auditBefore);
      assertThat(RouterHarness.get(server, "/v1/version", VIEWER).body().get("version").asLong())
          .isEqualTo(before.version());
    }
  }
}
