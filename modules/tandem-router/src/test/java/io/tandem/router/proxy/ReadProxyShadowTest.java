package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.routing.Phase;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadProxyShadowTest {
  private static final String LEGACY_BODY = "{\"id\":\"42\",\"name\":\"Ada\",\"updatedAt\":\"2024-01-01T00:00:00Z\","
      + "\"meta\":{\"etag\":\"a1\",\"kind\":\"customer\"},"
      + "\"orders\":[{\"id\":1,\"total\":10.0,\"updatedAt\":\"x\"},{\"id\":2,\"total\":20,\"updatedAt\":\"y\"}]}";

  private ProxyFixture fixture;

  @BeforeEach
  void start() {
    fixture = new ProxyFixture();
    fixture.entity("customer").cohort("customer", "canary", Phase.SHADOW, "42", "43", "44");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private double comparisons(String result) {
    return fixture.count(ProxyMetrics.SHADOW_COMPARISONS, "entity", "customer", "cohort", "canary", "result", result);
  }

  @Test
  void aDifferenceGoneWhenBothSidesAreReadAgainIsLagNotAMismatch() throws Exception {
    TestUpstream legacy = TestUpstream.json(fixture.vertx, 200, LEGACY_BODY);
    java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
    // New has not applied legacy's latest change at the first read; it has by the re-check.
    TestUpstream neu = fixture.upstream(request -> request.response().putHeader("Content-Type", "application/json")
        .end(asked.incrementAndGet() == 1 ? LEGACY_BODY.replace("Ada", "Ada (before)") : LEGACY_BODY));
    ReadProxy proxy = fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    assertThat(fixture.get("/api/customers/42").statusCode()).isEqualTo(200);

    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("lagged") == 1);
    assertThat(comparisons("mismatch")).isZero();
    assertThat(proxy.mismatches()).isEmpty();
    assertThat(asked.get()).as("new read twice: the shadow read and the re-check").isEqualTo(2);
  }

  @Test
  void aMismatchIsCountedAndSampledWhileTheCallerGetsLegacyWithoutWaitingForNew() throws Exception {
    TestUpstream legacy = TestUpstream.json(fixture.vertx, 200, LEGACY_BODY);
    // New answers only when the test says so: the caller's answer can then only have come without it.
    CompletableFuture<Void> releaseNew = new CompletableFuture<>();
    String newBody = LEGACY_BODY.replace("Ada", "Ada L.").replace("20,", "21,");
    TestUpstream neu = fixture.upstream(request -> {
      Context context = Vertx.currentContext();
      releaseNew.thenRun(() -> context.runOnContext(v -> request.response()
          .putHeader("Content-Type", "application/json").end(newBody)));
    });
    // New's timeout outlasts the caller's (10 s): a proxy waiting for new would fail the call below.
    ReadProxy proxy = fixture.start(new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"),
        legacy.uri(), neu.uri(), List.of(), false, Duration.ofSeconds(60)));

    HttpResponse<String> response = fixture.get("/api/customers/42?view=full");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(LEGACY_BODY);
    assertThat(response.headers().firstValue("X-Tandem-Target")).hasValue("legacy");
    TestUpstream.Received shadowed = neu.next(); // new was asked, at the same time, and has not answered
    assertThat(shadowed.uri()).isEqualTo("/api/customers/42?view=full");
    assertThat(shadowed.headers().get("X-Tandem-Shadow")).isEqualTo("true");
    assertThat(releaseNew).isNotDone();
    assertThat(proxy.mismatches()).isEmpty();
    assertThat(comparisons("mismatch") + comparisons("match") + comparisons("error")).isZero();

    releaseNew.complete(null);

    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("mismatch") == 1);
    assertThat(proxy.mismatches()).singleElement().satisfies(mismatch -> {
      assertThat(mismatch.entity()).isEqualTo("customer");
      assertThat(mismatch.cohort()).isEqualTo("canary");
      assertThat(mismatch.key()).isEqualTo("42");
      assertThat(mismatch.request()).isEqualTo("GET /api/customers/42?view=full");
      assertThat(mismatch.routingVersion()).isEqualTo(fixture.machine.state().version());
      assertThat(mismatch.legacyStatus()).isEqualTo(200);
      assertThat(mismatch.newStatus()).isEqualTo(200);
      assertThat(mismatch.differences()).containsExactly("$.name", "$.orders[1].total");
      assertThat(mismatch.legacyBody()).isEqualTo(LEGACY_BODY);
      assertThat(mismatch.newBody()).isEqualTo(newBody);
      assertThat(mismatch.time()).isNotNull();
    });
    assertThat(comparisons("match")).isZero();
  }

  @Test
  void ignoredFieldsNestedAndInArraysDoNotCountAsMismatches() {
    String newBody = LEGACY_BODY.replace("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z")
        .replace("a1", "b2").replace("\"x\"", "\"x2\"").replace("\"y\"", "\"y2\"")
        .replace("10.0", "10"); // the same number, written differently
    TestUpstream legacy = TestUpstream.json(fixture.vertx, 200, LEGACY_BODY);
    TestUpstream neu = TestUpstream.json(fixture.vertx, 200, newBody);
    ReadProxy proxy = fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false,
        "updatedAt", "meta.etag", "orders.updatedAt"));

    assertThat(fixture.get("/api/customers/42").body()).isEqualTo(LEGACY_BODY);

    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("match") == 1);
    assertThat(comparisons("mismatch")).isZero();
    assertThat(proxy.mismatches()).isEmpty();
  }

  @Test
  void aStatusDifferenceAndDifferentNonJsonBodiesAreMismatches() {
    TestUpstream legacy = fixture.upstream(request -> request.response().putHeader("Content-Type", "text/plain")
        .end("hello"));
    TestUpstream neu = fixture.upstream(request -> request.response().setStatusCode(404)
        .putHeader("Content-Type", "text/plain").end("nope"));
    ReadProxy proxy = fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    assertThat(fixture.get("/api/customers/42").body()).isEqualTo("hello");

    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("mismatch") == 1);
    ShadowMismatch mismatch = proxy.mismatches().get(0);
    assertThat(mismatch.legacyStatus()).isEqualTo(200);
    assertThat(mismatch.newStatus()).isEqualTo(404);
    assertThat(mismatch.differences()).containsExactly("$");
    assertThat(mismatch.newBody()).isEqualTo("nope");
  }

  @Test
  void newDownCountsAnErrorAndTheCallerStillGetsLegacy() {
    TestUpstream legacy = TestUpstream.json(fixture.vertx, 200, LEGACY_BODY);
    ReadProxy proxy = fixture.start(ProxyFixture.customers(legacy.uri(), TestUpstream.down(fixture.vertx), false));

    HttpResponse<String> response = fixture.get("/api/customers/42");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(LEGACY_BODY);
    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("error") == 1);
    assertThat(proxy.mismatches()).isEmpty();
  }

  @Test
  void theSampleKeepsOnlyTheLatestMismatches() {
    TestUpstream legacy = TestUpstream.json(fixture.vertx, 200, "{\"v\":1}");
    TestUpstream neu = TestUpstream.json(fixture.vertx, 200, "{\"v\":2}");
    ReadProxy proxy = fixture.start(2, ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    for (String key : new String[] {"42", "43", "44"}) {
      fixture.get("/api/customers/" + key);
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> comparisons("mismatch") == 3);
    assertThat(proxy.mismatches()).hasSize(2);
    assertThat(proxy.mismatches().get(0).differences()).containsExactly("$.v");
  }
}
