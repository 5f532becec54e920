package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.routing.RoutingState;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyRouteTest {
  private static final URI LEGACY = URI.create("http://legacy:8080");
  private static final URI NEW = URI.create("https://new.internal/base");

  private static ProxyRoute route(String template, String key) {
    return new ProxyRoute(template, "customer", KeySource.parse(key), LEGACY, NEW, List.of(), true,
        Duration.ofSeconds(2));
  }

  @Test
  void parsesTheThreeKeySources() {
    assertThat(KeySource.parse("path:id")).isEqualTo(new KeySource(KeySource.Location.PATH, "id"));
    assertThat(KeySource.parse("header:X-Customer-Id"))
        .isEqualTo(new KeySource(KeySource.Location.HEADER, "X-Customer-Id"));
    assertThat(KeySource.parse("query:customer")).isEqualTo(new KeySource(KeySource.Location.QUERY, "customer"));
    assertThat(KeySource.parse("header:X-Customer-Id")).hasToString("header:X-Customer-Id");
  }

  @Test
  void rejectsKeySourcesItCannotRead() {
    for (String bad : Arrays.asList("cookie:id", "id", "path:", ":id", null)) {
      assertThatThrownBy(() -> KeySource.parse(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("key must be \"path:<variable>\", \"header:<name>\" or \"query:<name>\"");
    }
  }

  @Test
  void aValidRouteKeepsItsFieldsAndTranslatesItsTemplate() {
    ProxyRoute route = new ProxyRoute("/api/customers/{id}/orders/{orderId}", "customer", KeySource.parse("path:id"),
        LEGACY, NEW, null, false, Duration.ofMillis(300));

    assertThat(route.ignoreFields()).isEmpty();
    assertThat(route.routerPath()).isEqualTo("/api/customers/:id/orders/:orderId");
  }

  @Test
  void namesTheFieldAndWhatWasExpected() {
    assertThatThrownBy(() -> route("api/customers/{id}", "path:id"))
        .hasMessage("pathTemplate must start with '/', like \"/api/customers/{id}\", was \"api/customers/{id}\"");
    assertThatThrownBy(() -> route("/api/customers/x{id}", "path:id"))
        .hasMessageContaining("segment \"x{id}\" must be a whole {variable}");
    assertThatThrownBy(() -> route("/api/{id}/{id}", "path:id")).hasMessageContaining("names variable {id} twice");
    assertThatThrownBy(() -> route("/api/customers?x=1", "query:x")).hasMessageContaining("pathTemplate must be a plain path");
    assertThatThrownBy(() -> route("/api/customers/{id}", "path:customerId"))
        .hasMessage("key \"path:customerId\" names no variable of pathTemplate \"/api/customers/{id}\" (its variables: id)");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "Customer", KeySource.parse("path:id"), LEGACY, NEW, List.of(),
        true, Duration.ofSeconds(1))).hasMessageStartingWith("entity must match");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", null, LEGACY, NEW, List.of(), true,
        Duration.ofSeconds(1))).hasMessageStartingWith("key must be set");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"),
        URI.create("legacy:8080"), NEW, List.of(), true, Duration.ofSeconds(1)))
        .hasMessageStartingWith("legacy must be an absolute http(s) base URL");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY,
        URI.create("http://new:8080/?debug=1"), List.of(), true, Duration.ofSeconds(1)))
        .hasMessageStartingWith("newUpstream must be an absolute http(s) base URL");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY, null,
        List.of(), true, Duration.ofSeconds(1))).hasMessageContaining("newUpstream").hasMessageEndingWith("was null");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY, NEW,
        List.of("updatedAt", "meta..etag"), true, Duration.ofSeconds(1)))
        .hasMessageStartingWith("ignoreFields[1] must be a dotted field path").hasMessageEndingWith("\"meta..etag\"");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY, NEW,
        List.of("orders[0].id"), true, Duration.ofSeconds(1))).hasMessageStartingWith("ignoreFields[0]");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY, NEW,
        List.of(), true, Duration.ZERO)).hasMessage("timeout must be at least 1 ms, was PT0S");
    assertThatThrownBy(() -> new ProxyRoute("/c/{id}", "customer", KeySource.parse("path:id"), LEGACY, NEW,
        List.of(), true, null)).hasMessage("timeout must be at least 1 ms, was null");
  }

  @Test
  void aProxyRefusesTwoRoutesForTheSamePaths() {
    Vertx vertx = Vertx.vertx();
    try {
      List<ProxyRoute> routes = List.of(route("/api/customers/{id}", "path:id"), route("/api/customers/{cid}", "path:cid"));
      assertThatThrownBy(() -> new ReadProxy(vertx, routes, RoutingState::empty, new SimpleMeterRegistry()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("routes[1] pathTemplate \"/api/customers/{cid}\" matches the same paths as routes[0] "
              + "\"/api/customers/{id}\"");
      assertThatThrownBy(() -> new ReadProxy(vertx, List.of(), RoutingState::empty, new SimpleMeterRegistry(), -1))
          .hasMessage("sampleSize must be 0 or more, was -1");
    } finally {
      TestUpstream.await(vertx.close());
    }
  }
}
