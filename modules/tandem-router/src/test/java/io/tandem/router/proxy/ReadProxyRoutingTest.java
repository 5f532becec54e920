package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Timer;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Selector;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReadProxyRoutingTest {
  private ProxyFixture fixture;
  private TestUpstream legacy;
  private TestUpstream neu;

  @BeforeEach
  void start() {
    fixture = new ProxyFixture();
    legacy = fixture.upstream(answering("legacy"));
    neu = fixture.upstream(answering("new"));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  /** Reads {"from": side} (HEAD: its length); writes 201 with a Location. */
  private static TestUpstream.Responder answering(String side) {
    return request -> {
      String body = "{\"from\":\"" + side + "\"}";
      if (request.method().name().equals("GET")) {
        request.response().putHeader("Content-Type", "application/json").putHeader("ETag", "\"" + side + "\"")
            .end(body);
      } else if (request.method().name().equals("HEAD")) {
        request.response().putHeader("Content-Type", "application/json").putHeader("ETag", "\"" + side + "\"")
            .putHeader("Content-Length", Integer.toString(body.length())).end();
      } else {
        request.response().setStatusCode(201).putHeader("Location", "/api/customers/42")
            .putHeader("Content-Type", "application/json").end("{\"written\":\"" + side + "\"}");
      }
    };
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void readsGoToThePhasesReadTarget(Phase phase) {
    fixture.entity("customer").cohort("customer", "canary", phase, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    HttpResponse<String> response = fixture.get("/api/customers/42");

    String expected = phase == Phase.NEW_READS || phase == Phase.NEW ? "new" : "legacy";
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"from\":\"" + expected + "\"}");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(response.headers().firstValue("ETag")).hasValue("\"" + expected + "\"");
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue(expected);
    assertThat(response.headers().firstValue("X-Tandem-Cohort")).hasValue("canary");
    assertThat(response.headers().firstValue("X-Tandem-Routing-Version")).hasValue("2");
    assertThat(fixture.count(ProxyMetrics.DECISIONS, "entity", "customer", "cohort", "canary", "target", expected))
        .isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Phase.class)
  void writesGoToThePhasesWriteTarget(Phase phase) throws Exception {
    fixture.entity("customer").cohort("customer", "canary", phase, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    HttpResponse<String> response = fixture.send("PUT", "/api/customers/42", "{\"name\":\"Ada\"}",
        "Content-Type", "application/json");

    boolean toNew = phase == Phase.NEW;
    TestUpstream writeTarget = toNew ? neu : legacy;
    assertThat(response.statusCode()).isEqualTo(201);
    assertThat(response.body()).isEqualTo("{\"written\":\"" + (toNew ? "new" : "legacy") + "\"}");
    assertThat(response.headers().firstValue("Location")).hasValue("/api/customers/42");
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue(toNew ? "new" : "legacy");
    TestUpstream.Received received = writeTarget.next();
    assertThat(received.method()).isEqualTo("PUT");
    assertThat(received.body()).isEqualTo("{\"name\":\"Ada\"}");
    assertThat(received.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat((toNew ? legacy : neu).received).isEmpty();
  }

  @Test
  void aWriteDuringAWriteSwitchIsRefusedRetryablyAndReachesNeitherSide() throws Exception {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42")
        .apply(new Command.BeginSwitch("s1", new Command.SetPhase("customer", "canary", Phase.NEW)));
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    HttpResponse<String> write = fixture.send("PUT", "/api/customers/42", "{\"name\":\"Ada\"}",
        "Content-Type", "application/json");
    HttpResponse<String> read = fixture.get("/api/customers/42");

    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.headers().firstValue("Retry-After")).hasValue("1");
    assertThat(write.body()).contains("write-fenced");
    assertThat(legacy.received).isEmpty();
    assertThat(neu.received).as("the read only").hasSize(1);
    assertThat(read.statusCode()).as("reads go on while writes are fenced").isEqualTo(200);
  }

  @Test
  void aKeyNoCohortHoldsStaysOnLegacy() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    HttpResponse<String> response = fixture.get("/api/customers/7");

    assertThat(response.body()).isEqualTo("{\"from\":\"legacy\"}");
    assertThat(response.headers().firstValue("X-Tandem-Cohort")).isEmpty();
    assertThat(fixture.count(ProxyMetrics.DECISIONS, "entity", "customer", "cohort", "none", "target", "legacy"))
        .isEqualTo(1);
    Timer latency = fixture.meters.find(ProxyMetrics.LATENCY).tags("entity", "customer", "upstream", "legacy").timer();
    assertThat(latency).isNotNull();
    assertThat(latency.count()).isEqualTo(1);
  }

  @Test
  void forwardsPathQueryAndHeadersBelowTheUpstreamsBasePath() throws Exception {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    fixture.start(ProxyFixture.customers(URI.create(legacy.uri() + "/legacy/"), URI.create(neu.uri() + "/v2"),
        false));

    fixture.get("/api/customers/42?expand=orders&x=a%20b", "Accept", "application/json", "Authorization",
        "Bearer t0ken", "X-Tandem-Attr-Region", "EU", "X-Tandem-Shadow", "true");
    fixture.get("/api/customers/7", "Accept", "application/json");

    TestUpstream.Received toNew = neu.next();
    assertThat(toNew.uri()).isEqualTo("/v2/api/customers/42?expand=orders&x=a%20b");
    assertThat(toNew.headers().get("Accept")).isEqualTo("application/json");
    assertThat(toNew.headers().get("Authorization")).isEqualTo("Bearer t0ken");
    assertThat(toNew.headers().get("X-Tandem-Attr-Region")).isNull();
    assertThat(toNew.headers().get("X-Tandem-Shadow")).isNull(); // the router's own headers are not forgeable
    assertThat(legacy.next().uri()).isEqualTo("/legacy/api/customers/7");
  }

  @Test
  void headAsksTheReadTarget() {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    HttpResponse<String> response = fixture.send("HEAD", "/api/customers/42", null);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEmpty();
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue("new");
    assertThat(response.headers().firstValue("ETag")).hasValue("\"new\"");
    assertThat(response.headers().firstValue("Content-Length")).hasValue("14"); // of {"from":"new"}
  }

  @Test
  void keyFromAHeader() throws Exception {
    fixture.entity("customer").cohort("customer", "canary", Phase.NEW_READS, "42");
    fixture.start(new ProxyRoute("/api/me", "customer", KeySource.parse("header:X-Customer-Id"), legacy.uri(),
        neu.uri(), List.of(), false, Duration.ofSeconds(5)));

    assertThat(fixture.get("/api/me", "X-Customer-Id", "42").body()).isEqualTo("{\"from\":\"new\"}");
    assertThat(fixture.get("/api/me", "X-Customer-Id", "7").body()).isEqualTo("{\"from\":\"legacy\"}");
    assertThat(neu.next().headers().get("X-Customer-Id")).isEqualTo("42");
  }

  @Test
  void keyFromTheQueryAndTheOtherParametersAsRuleAttributes() throws Exception {
    fixture.entity("customer", "region")
        .apply(new Command.CreateCohort("customer", "eu", new Selector.Rule("region == \"EU\""), Phase.NEW_READS, -1));
    fixture.start(new ProxyRoute("/api/orders", "customer", KeySource.parse("query:customer"), legacy.uri(),
        neu.uri(), List.of(), false, Duration.ofSeconds(5)));

    HttpResponse<String> eu = fixture.get("/api/orders?customer=7&region=EU");
    HttpResponse<String> us = fixture.get("/api/orders?customer=7&region=US");
    HttpResponse<String> byHeader = fixture.get("/api/orders?customer=8", "X-Tandem-Attr-Region", "EU");

    assertThat(eu.body()).isEqualTo("{\"from\":\"new\"}");
    assertThat(eu.headers().firstValue("X-Tandem-Cohort")).hasValue("eu");
    assertThat(us.body()).isEqualTo("{\"from\":\"legacy\"}");
    assertThat(byHeader.body()).isEqualTo("{\"from\":\"new\"}");
    assertThat(neu.next().uri()).isEqualTo("/api/orders?customer=7&region=EU");
  }

  @Test
  void aMissingKeyIsABadRequestProblem() throws Exception {
    fixture.entity("customer");
    fixture.start(new ProxyRoute("/api/me", "customer", KeySource.parse("header:X-Customer-Id"), legacy.uri(),
        neu.uri(), List.of(), false, Duration.ofSeconds(5)),
        new ProxyRoute("/api/orders", "customer", KeySource.parse("query:customer"), legacy.uri(),
            neu.uri(), List.of(), false, Duration.ofSeconds(5)));

    for (HttpResponse<String> response : List.of(fixture.get("/api/me"), fixture.get("/api/orders?customer="))) {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      JsonNode problem = new ObjectMapper().readTree(response.body());
      assertThat(problem.path("type").asText()).isEqualTo(Problems.type(Problems.MISSING_KEY));
      assertThat(problem.path("title").asText()).isEqualTo("Missing routing key");
      assertThat(problem.path("status").asInt()).isEqualTo(400);
      assertThat(problem.path("detail").asText()).contains("customer");
    }
    JsonNode header = new ObjectMapper().readTree(fixture.get("/api/me").body());
    assertThat(header.path("detail").asText()).contains("header X-Customer-Id");
    assertThat(legacy.received).isEmpty();
    assertThat(neu.received).isEmpty();
  }
}
