package io.tandem.demo;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.router.RouterServer;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import io.tandem.verify.VerifySettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's cohort router: the operator API and the web console on 127.0.0.1, with one token per role. The
 * tokens are fixed and printed (a demo on a loopback address; a real router takes token hashes from its
 * configuration, docs/router.md).
 */
final class DemoConsole implements AutoCloseable {
  static final String ADMIN_TOKEN = "demo-admin-token";
  static final String OPERATOR_TOKEN = "demo-operator-token";
  static final String VIEWER_TOKEN = "demo-viewer-token";
  private final RouterServer router;

  private DemoConsole(RouterServer router) {
    this.router = router;
  }

  static DemoConsole start(String bootstrapServers, int port, List<String> entities) {
    Map<String, RouterSettings.Token> tokens = new LinkedHashMap<>();
    tokens.put(TokenAuth.hash(ADMIN_TOKEN), new RouterSettings.Token("demo-admin", Role.ADMIN));
    tokens.put(TokenAuth.hash(OPERATOR_TOKEN), new RouterSettings.Token("demo-operator", Role.OPERATOR));
    tokens.put(TokenAuth.hash(VIEWER_TOKEN), new RouterSettings.Token("demo-viewer", Role.VIEWER));
    Map<String, List<String>> routed = new LinkedHashMap<>();
    entities.forEach(entity -> routed.put(entity, List.of()));
    RouterSettings settings = new RouterSettings("127.0.0.1", port, Map.of("bootstrap.servers", bootstrapServers),
        io.tandem.routing.RoutingLog.DEFAULT_TOPIC, (short) 1, routed, tokens, List.of(), 0);
    return new DemoConsole(RouterServer.start(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        r -> { }));
  }

  /** The demo's verifier: a pass every {@code every}, so the console shows fresh ones. */
  static VerifySettings verifySettings(VerifySettings base, Duration every) {
    return new VerifySettings(base.chunkSize(), base.legacyRowsPerSecond(), base.legacyReplicaUrl(),
        base.recheckDelay(), base.recheckRounds(), every, base.statusTopic(), base.routingTopic(),
        base.deadLetterTopics());
  }

  int port() {
    return router.port();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/console";
  }

  void printAccess(Console console) {
    console.line("Console: " + url() + "  (tokens: admin " + ADMIN_TOKEN + ", operator " + OPERATOR_TOKEN
        + ", viewer " + VIEWER_TOKEN + ")");
  }

  @Override
  public void close() {
    router.close();
  }
}
