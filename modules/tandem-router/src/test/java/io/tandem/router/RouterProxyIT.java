package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.router.proxy.KeySource;
import io.tandem.router.proxy.ProxyRoute;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read proxy inside a router replica, driven by cohort changes made through the operator API. */
class RouterProxyIT {

  @Test
  void shadowThenNewReadsThroughTheProxy() throws Exception {
    AtomicInteger legacyCalls = new AtomicInteger();
    AtomicInteger newCalls = new AtomicInteger();
    HttpServer legacy = upstream("{\"id\":42,\"name\":\"Ada\",\"updatedAt\":\"2026-01-01\"}", legacyCalls);
    HttpServer fresh = upstream("{\"id\":42,\"name\":\"ADA\",\"updatedAt\":\"2026-11-21\"}", newCalls);
    ProxyRoute route = new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"),
        URI.create("http://127.0.0.1:" + legacy.getAddress().getPort()),
        URI.create("http://127.0.0.1:" + fresh.getAddress().getPort()), List.of("updatedAt"), true,
        Duration.ofSeconds(5));
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        RouterServer router = RouterHarness.start(RouterHarness.settings(kafka.bootstrapServers(),
            "tandem.routing." + UUID.randomUUID(), List.of(route)))) {
      assertThat(post(router, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"pilot\",\"keys\":[\"42\"],\"phase\":\"SHADOW\",\"reason\":\"compare\"}").status()).isEqualTo(201);

      Response shadowed = get(router, "/api/customers/42", null);
      assertThat(shadowed.status()).isEqualTo(200);
      assertThat(shadowed.body().get("name").asText()).isEqualTo("Ada");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Response sample = get(router, "/v1/shadow/mismatches", VIEWER);
        assertThat(sample.body().get("mismatches")).hasSize(1);
        assertThat(sample.body().at("/mismatches/0/key").asText()).isEqualTo("42");
        assertThat(sample.body().at("/mismatches/0/cohort").asText()).isEqualTo("pilot");
        assertThat(sample.body().at("/mismatches/0/differences/0").asText()).isEqualTo("$.name");
      });
      assertThat(get(router, "/metrics", null).raw())
          .contains("tandem_router_shadow_comparisons_total{cohort=\"pilot\",entity=\"customer\",result=\"mismatch\"} 1.0");
      assertThat(get(router, "/v1/shadow/mismatches", null).status()).isEqualTo(401);

      assertThat(post(router, "/v1/entities/customer/cohorts/pilot/promote", OPERATOR, "{\"reason\":\"fixed\"}")
          .status()).isEqualTo(200);
      int newBefore = newCalls.get();
      Response fromNew = get(router, "/api/customers/42", null);
      assertThat(fromNew.body().get("name").asText()).isEqualTo("ADA");
      assertThat(newCalls.get()).isEqualTo(newBefore + 1);
      int legacyBefore = legacyCalls.get();
      Response outsider = get(router, "/api/customers/7", null);
      assertThat(outsider.body().get("name").asText()).isEqualTo("Ada");
      assertThat(legacyCalls.get()).isEqualTo(legacyBefore + 1);
    } finally {
      legacy.stop(0);
      fresh.stop(0);
    }
  }

  private static HttpServer upstream(String body, AtomicInteger calls) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      calls.incrementAndGet();
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return server;
  }
}
