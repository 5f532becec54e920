package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.router.RouterConfigSection;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import io.tandem.router.proxy.KeySource;
import io.tandem.router.proxy.ProxyRoute;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The router section as {@code tandem router} reads it: {@link TandemConfig#loadRouter}. */
class RouterConfigTest {
  /** What the router command needs from a file: its settings, and how they are logged. */
  private record RouterConfig(RouterSettings settings) {
    static RouterConfig load(Path file, Map<String, String> env) {
      return new RouterConfig(TandemConfig.loadRouter(file, env));
    }

    String masked() {
      return RouterConfigSection.masked(settings);
    }
  }

  private static final String HASH = TokenAuth.hash("secret-token");
  private static final String VALID = """
      kafka:
        bootstrapServers: kafka:9092
        properties:
          security.protocol: SASL_SSL
      router:
        port: 9000
        entities:
          customer: [region, tier]
          order: []
        tokens:
          - name: alice
            role: operator
            sha256: %s
          - name: grafana
            role: VIEWER
            sha256: ${VIEWER_SHA}
        proxy:
          - path: /api/customers/{id}
            entity: customer
            key: path:id
            legacy: http://legacy:8080
            new: https://new.internal/v2
            ignoreFields: [updatedAt, meta.etag]
            timeoutMs: 1500
      """.formatted(HASH);

  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private AbstractThrowableAssert<?, ? extends Throwable> failsWith(String yaml, String key) throws IOException {
    Path file = write(yaml);
    return assertThatThrownBy(() -> RouterConfig.load(file, Map.of("VIEWER_SHA", TokenAuth.hash("v"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": key '" + key + "': expected ")
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
  }

  @Test
  void loadsEverySettingWithDefaults() throws IOException {
    RouterConfig config = RouterConfig.load(write(VALID), Map.of("VIEWER_SHA", TokenAuth.hash("v")));
    var settings = config.settings();
    assertThat(settings.host()).isEqualTo("127.0.0.1"); // loopback unless configured
    assertThat(settings.tls()).isEmpty();
    assertThat(settings.port()).isEqualTo(9000);
    assertThat(settings.topic()).isEqualTo("tandem.routing");
    assertThat(settings.replicationFactor()).isEqualTo((short) -1);
    assertThat(settings.shadowSampleSize()).isEqualTo(100);
    assertThat(settings.kafka()).containsEntry("bootstrap.servers", "kafka:9092")
        .containsEntry("security.protocol", "SASL_SSL");
    assertThat(settings.entities()).containsEntry("customer", List.of("region", "tier"))
        .containsEntry("order", List.of());
    assertThat(settings.tokens().get(HASH).name()).isEqualTo("alice");
    assertThat(settings.tokens().get(HASH).role()).isEqualTo(Role.OPERATOR);
    assertThat(settings.tokens().get(TokenAuth.hash("v")).role()).isEqualTo(Role.VIEWER);
    ProxyRoute route = settings.routes().get(0);
    assertThat(route.key()).isEqualTo(KeySource.parse("path:id"));
    assertThat(route.ignoreFields()).containsExactly("updatedAt", "meta.etag");
    assertThat(route.fallbackToLegacy()).isTrue();
    assertThat(route.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(config.masked()).contains("alice(operator)").doesNotContain(HASH);
    assertThat(settings.gates()).isEqualTo(new RouterSettings.Gates(true, "tandem.status", Duration.ofHours(1),
        Duration.ofSeconds(5), Duration.ofSeconds(60)));
    assertThat(config.masked()).contains("gates=on(status topic tandem.status");
  }

  @Test
  void readsThePromotionGates() throws IOException {
    RouterConfig config = RouterConfig.load(write(VALID + """
          gates:
            enabled: ${GATES:-false}
            statusTopic: ops.status
            maxVerificationAge: PT30M
            maxLag: 500ms
            maxLagReportAge: 2m
        """), Map.of("VIEWER_SHA", TokenAuth.hash("v")));
    assertThat(config.settings().gates()).isEqualTo(new RouterSettings.Gates(false, "ops.status",
        Duration.ofMinutes(30), Duration.ofMillis(500), Duration.ofMinutes(2)));
    assertThat(config.masked()).contains("gates=off");
    assertThat(RouterConfig.load(write(VALID + "  gates:\n    maxLag: 0s\n"), Map.of("VIEWER_SHA", TokenAuth.hash("v")))
        .settings().gates().maxLag()).isZero();
  }

  @Test
  void loadsTheExampleConfig() {
    RouterConfig config = RouterConfig.load(Path.of("../../tandem.example.yaml"), Map.of(
        "KAFKA_BOOTSTRAP_SERVERS", "broker:9092", "TANDEM_ONCALL_TOKEN_SHA256", TokenAuth.hash("a"),
        "TANDEM_GRAFANA_TOKEN_SHA256", TokenAuth.hash("b")));
    assertThat(config.settings().port()).isEqualTo(8088);
    assertThat(config.settings().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.settings().entities()).containsOnlyKeys("customer", "customer_order");
    assertThat(config.settings().routes()).hasSize(1);
  }

  @Test
  void theOtherSectionsAreNotNeeded() throws IOException {
    // A router deployment shares tandem.yaml but reads only kafka and router.
    assertThat(RouterConfig.load(write(VALID + "registry:\n  url: not even a url\n"),
        Map.of("VIEWER_SHA", TokenAuth.hash("v"))).settings().port()).isEqualTo(9000);
  }

  @Test
  void badSettingsNameTheKeyAndTheExpectation() throws IOException {
    failsWith("kafka:\n  bootstrapServers: k:9092\n", "router").hasMessageContaining("entities and tokens");
    failsWith(VALID.replace("order: []", "order: region"), "router.entities.order")
        .hasMessageContaining("list of attribute names");
    failsWith(VALID.replace("[region, tier]", "[region, key]"), "router.entities.customer[1]");
    failsWith(VALID.replace("role: operator", "role: owner"), "router.tokens[0].role")
        .hasMessageContaining("viewer, operator or admin");
    failsWith(VALID.replace("sha256: " + HASH, "sha256: secret-token"), "router.tokens[0].sha256")
        .hasMessageNotContaining("secret-token");
    failsWith(VALID.replace("name: alice", "nmae: alice"), "router.tokens[0].nmae")
        .hasMessageContaining("did you mean 'name'");
    failsWith(VALID.replace("- name: alice\n      role: operator", "- role: operator"), "router.tokens[0].name");
    failsWith(VALID.replace("sha256: ${VIEWER_SHA}", "sha256: " + HASH), "router.tokens[1].sha256")
        .hasMessageContaining("no other token");
    failsWith(VALID.replace("entity: customer", "entity: invoice"), "router.proxy[0].entity")
        .hasMessageContaining("[customer, order]");
    failsWith(VALID.replace("key: path:id", "key: cookie:id"), "router.proxy[0].key");
    failsWith(VALID.replace("key: path:id", "key: path:customerId"), "router.proxy[0]")
        .hasMessageContaining("customerId");
    failsWith(VALID.replace("legacy: http://legacy:8080", "legacy: legacy:8080"), "router.proxy[0].legacy");
    failsWith(VALID.replace("timeoutMs: 1500", "timeoutMs: 0"), "router.proxy[0].timeoutMs");
    failsWith(VALID.replace("port: 9000", "port: 70000"), "router.port");
    failsWith(VALID.replace("  port: 9000\n", "  prot: 9000\n"), "router.prot").hasMessageContaining("did you mean 'port'");
  }

  @Test
  void badGateSettingsNameTheKeyAndTheExpectation() throws IOException {
    failsWith(VALID + "  gates: yes\n", "router.gates").hasMessageContaining("a section");
    failsWith(VALID + "  gates:\n    enabled: maybe\n", "router.gates.enabled")
        .hasMessageContaining("true or false").hasMessageContaining("maybe");
    failsWith(VALID + "  gates:\n    maxLag: 5\n", "router.gates.maxLag")
        .hasMessageContaining("a duration such as 500ms, 30s, 5m, 2h or PT1M");
    failsWith(VALID + "  gates:\n    maxVerificationAge: an hour\n", "router.gates.maxVerificationAge")
        .hasMessageContaining("a duration").hasMessageContaining("an hour");
    failsWith(VALID + "  gates:\n    maxLagReportAge: 0s\n", "router.gates.maxLagReportAge")
        .hasMessageContaining("at least 1000ms");
    failsWith(VALID + "  gates:\n    maxLag: PT-1S\n", "router.gates.maxLag").hasMessageContaining("not negative");
    failsWith(VALID + "  gates:\n    statusTopic: tandem.routing\n", "router.gates.statusTopic")
        .hasMessageContaining("other than the routing log's (tandem.routing)");
    failsWith(VALID + "  gates:\n    max-lag: 5s\n", "router.gates.max-lag").hasMessageContaining("maxLag");
  }
}
