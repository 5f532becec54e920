package io.tandem.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.router.RouterSettings.Token;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Starts router replicas on a real broker and calls them over real HTTP. */
final class RouterHarness {
  static final String ADMIN = "admin-token";
  static final String OPERATOR = "operator-token";
  static final String VIEWER = "viewer-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private RouterHarness() {}

  static RouterSettings settings(String bootstrap, String topic) {
    return settings(bootstrap, topic, List.of());
  }

  /**
   * Settings for ITs of everything but the promotion gates: gates disabled, so they promote without
   * publishing verification and lag facts (RouterGatesIT covers the gates).
   */
  static RouterSettings settings(String bootstrap, String topic, List<io.tandem.router.proxy.ProxyRoute> routes) {
    return new RouterSettings("127.0.0.1", 0, Map.of("bootstrap.servers", bootstrap), topic, (short) -1,
        Map.of("customer", List.of("region", "tier"), "order", List.of()),
        Map.of(TokenAuth.hash(ADMIN), new Token("root", Role.ADMIN),
            TokenAuth.hash(OPERATOR), new Token("alice", Role.OPERATOR),
            TokenAuth.hash(VIEWER), new Token("victor", Role.VIEWER)),
        routes, 100, RouterSettings.Gates.disabled());
  }

  static RouterServer start(String bootstrap, String topic) throws Exception {
    return start(settings(bootstrap, topic));
  }

  static RouterServer start(RouterSettings settings) throws Exception {
    return RouterServer.start(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        router -> { });
  }

  record Response(int status, JsonNode body, String contentType, String raw) {}

  static Response call(RouterServer server, String method, String path, String token, String body) throws Exception {
    return call(server, method, path, token, body == null ? null : "application/json", body);
  }

  /** As {@link #call(RouterServer, String, String, String, String)}, with this Content-Type (null: none). */
  static Response call(RouterServer server, String method, String path, String token, String contentType,
      String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    // Bounded as a whole (the request timeout only covers the headers): a hang fails the test.
    HttpResponse<String> response = HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    JsonNode json = null;
    try {
      json = response.body().isEmpty() ? null : JSON.readTree(response.body());
    } catch (Exception e) {
      // not JSON: leave null, tests look at raw
    }
    return new Response(response.statusCode(), json, response.headers().firstValue("content-type").orElse(""),
        response.body());
  }

  static Response get(RouterServer server, String path, String token) throws Exception {
    return call(server, "GET", path, token, null);
  }

  static Response post(RouterServer server, String path, String token, String body) throws Exception {
    return call(server, "POST", path, token, body);
  }
}
