package io.tandem.routing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.Cohort;
import io.tandem.routing.Decision;
import io.tandem.routing.Phase;
import io.tandem.routing.RoutingState;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.AuditPage;
import io.tandem.routing.api.AuditRecord;
import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.api.RoutingHistory;
import io.tandem.routing.api.RoutingSnapshot;
import io.tandem.routing.http.TestRouter.Request;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The typed client against a real HTTP server that answers as the router writes: values, requests, encoding. */
class RouterHttpClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "op-token-5e1f9";

  private final RoutingStateMachine machine = RoutingHistory.applied();
  private final RoutingState state = machine.state();
  private final Cohort canary = state.entity("customer").orElseThrow().cohort("canary").orElseThrow();
  private TestRouter router;
  private RouterHttpClient client;

  @BeforeEach
  void start() throws Exception {
    router = new TestRouter();
    client = RouterHttpClient.builder(URI.create(router.url())).token(" " + TOKEN + " ").build();
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private static String json(JsonNode node) throws Exception {
    return JSON.writeValueAsString(node);
  }

  private static Request change(String method, String target, String body) {
    return new Request(method, target, "HTTP/1.1", "Bearer " + TOKEN, "application/json", null, body);
  }

  @Test
  void readsAreTheValuesTheRouterWrote() throws Exception {
    Decision decision = state.decide("customer", "7");
    router.answer("GET", "/v1/entities", 200, json(ApiCodec.routing(state)))
        .answer("GET", "/v1/entities/customer/cohorts", 200,
            json(ApiCodec.entityCohorts(state.entity("customer").orElseThrow(), state.version())))
        .answer("GET", "/v1/route/customer/7", 200, json(ApiCodec.decision(decision)))
        .answer("GET", "/v1/audit", 200, json(ApiCodec.auditPage(state.version(), machine.audit())));

    Answer<RoutingSnapshot> entities = client.entities();

    assertThat(entities.value()).isEqualTo(new RoutingSnapshot(state.version(), List.copyOf(state.entities().values())));
    assertThat(entities.json()).isEqualTo(JSON.readTree(json(ApiCodec.routing(state))));
    assertThat(client.cohorts("customer").value().entities()).containsExactly(state.entity("customer").orElseThrow());
    assertThat(client.route("customer", "7", Map.of()).value()).isEqualTo(decision);
    assertThat(client.audit(100, null).value())
        .isEqualTo(new AuditPage(state.version(), machine.audit().stream().map(AuditRecord::of).toList()));
    assertThat(router.requests()).extracting(Request::method, Request::target, Request::protocol, Request::upgrade,
        Request::authorization).containsExactly(
            tuple("GET", "/v1/entities", "HTTP/1.1", null, "Bearer " + TOKEN),
            tuple("GET", "/v1/entities/customer/cohorts", "HTTP/1.1", null, "Bearer " + TOKEN),
            tuple("GET", "/v1/route/customer/7", "HTTP/1.1", null, "Bearer " + TOKEN),
            tuple("GET", "/v1/audit?limit=100", "HTTP/1.1", null, "Bearer " + TOKEN));
  }

  @Test
  void changesSendTheirFieldsThenWhyAndReadTheNewVersion() throws Exception {
    String changed = json(ApiCodec.change(new ChangeResult(8, canary, null)));
    router.answer("POST", "/v1/entities/customer/cohorts", 201, changed)
        .answer("POST", "/v1/entities/customer/cohorts/canary/percent", 200, changed)
        .answer("PUT", "/v1/entities/customer/cohorts/canary/selector", 200, changed)
        .answer("POST", "/v1/entities/customer/cohorts/canary/promote", 200, changed)
        .answer("POST", "/v1/entities/customer/cohorts/canary/demote", 200, changed)
        .answer("DELETE", "/v1/entities/customer/cohorts/canary", 200, "{\"version\":9}")
        .answer("POST", "/v1/rollback", 200, "{\"version\":10,\"restored\":4}");
    ChangeOptions why = ChangeOptions.because("first 1.5%");

    assertThat(client.createCohort("customer", new NewCohort("canary", SelectorRequest.percent(new BigDecimal("1.50")),
        Phase.SHADOW, 0), why.atVersion(7)).value()).isEqualTo(new ChangeResult(8, canary, null));
    client.createCohort("customer", new NewCohort("vip", SelectorRequest.keys(List.of("2", "1"))), why.forced());
    client.createCohort("customer", new NewCohort("eu", SelectorRequest.rule("region == \"EU\"")), why);
    client.setPercent("customer", "canary", new BigDecimal("1E+2"), false, why.atVersion(8));
    client.replaceSelector("customer", "canary", SelectorRequest.percent(new BigDecimal("0.50")), true, why);
    client.promote("customer", "canary", why.forced());
    client.demote("customer", "canary", why);
    assertThat(client.deleteCohort("customer", "canary", true, why).value()).isEqualTo(new ChangeResult(9, null, null));
    assertThat(client.rollback(4, why.atVersion(9).forced()).value()).isEqualTo(new ChangeResult(10, null, 4L));

    String cohorts = "/v1/entities/customer/cohorts";
    assertThat(router.requests()).containsExactly(
        change("POST", cohorts, "{\"name\":\"canary\",\"percent\":1.5,\"phase\":\"SHADOW\",\"position\":0,"
            + "\"reason\":\"first 1.5%\",\"expectedVersion\":7}"),
        change("POST", cohorts, "{\"name\":\"vip\",\"keys\":[\"2\",\"1\"],\"reason\":\"first 1.5%\",\"force\":true}"),
        change("POST", cohorts, "{\"name\":\"eu\",\"rule\":\"region == \\\"EU\\\"\",\"reason\":\"first 1.5%\"}"),
        change("POST", cohorts + "/canary/percent",
            "{\"percent\":100,\"reason\":\"first 1.5%\",\"rollback\":false,\"expectedVersion\":8}"),
        change("PUT", cohorts + "/canary/selector", "{\"percent\":0.5,\"reason\":\"first 1.5%\",\"rollback\":true}"),
        change("POST", cohorts + "/canary/promote", "{\"reason\":\"first 1.5%\",\"force\":true}"),
        change("POST", cohorts + "/canary/demote", "{\"reason\":\"first 1.5%\"}"),
        change("DELETE", cohorts + "/canary", "{\"reason\":\"first 1.5%\",\"rollback\":true}"),
        change("POST", "/v1/rollback", "{\"version\":4,\"reason\":\"first 1.5%\",\"expectedVersion\":9,\"force\":true}"));
  }

  @Test
  void pathSegmentsAndQueryPartsArePercentEncoded() throws Exception {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("region", "EU");
    attributes.put("tier", "gold plus&more");
    router.answer("GET", "/v1/route/customer/a%2Fb%20c%3F", 200, json(ApiCodec.decision(state.decide("customer", "a/b c?"))))
        .answer("GET", "/v1/route/customer/%2E%2E", 200, json(ApiCodec.decision(state.decide("customer", ".."))))
        .answer("GET", "/v1/route/customer/%2E", 200, json(ApiCodec.decision(state.decide("customer", "."))))
        .answer("GET", "/v1/audit", 200, "{\"version\":1,\"entries\":[]}");

    assertThat(client.route("customer", "a/b c?", attributes).value().key()).isEqualTo("a/b c?");
    assertThat(client.route("customer", "..", Map.of()).value().key()).isEqualTo("..");
    assertThat(client.route("customer", ".", Map.of()).value().key()).isEqualTo(".");
    assertThat(client.audit(50, "eu customer").value()).isEqualTo(new AuditPage(1L, List.of()));

    assertThat(router.requests()).extracting(Request::target).containsExactly(
        "/v1/route/customer/a%2Fb%20c%3F?region=EU&tier=gold%20plus%26more",
        "/v1/route/customer/%2E%2E",
        "/v1/route/customer/%2E",
        "/v1/audit?limit=50&entity=eu%20customer");
  }

  @Test
  void aBaseUriWithAPathPrefixesEveryRequestAndItsUserInfoIsNeverShown() throws Exception {
    URI base = URI.create(router.url().replace("http://", "http://ops:hunter2@") + "/router/");
    RouterHttpClient behindProxy = RouterHttpClient.builder(base).build();
    router.answer("GET", "/router/v1/entities", 200, "{\"version\":0,\"entities\":[]}");

    assertThat(behindProxy.entities().value()).isEqualTo(new RoutingSnapshot(0, List.of()));
    assertThat(router.requests()).extracting(Request::target, Request::authorization)
        .containsExactly(tuple("/router/v1/entities", null));
    assertThat(behindProxy.describe()).isEqualTo(router.url() + "/router");
    assertThat(behindProxy.toString()).doesNotContain("hunter2");
    assertThat(client.toString()).doesNotContain(TOKEN);
  }

  @Test
  void theBuilderRefusesWhatCannotWork() {
    assertThatThrownBy(() -> RouterHttpClient.builder(URI.create("localhost:8088")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s) URL");
    assertThatThrownBy(() -> RouterHttpClient.builder(URI.create("ftp://ops:hunter2@router")))
        .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("hunter2");
    assertThatThrownBy(() -> RouterHttpClient.builder(URI.create(router.url())).timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> ChangeOptions.because(" ")).isInstanceOf(IllegalArgumentException.class);
  }
}
