package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.embedded.SelfSignedCertificate;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.TokenAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS for the metrics/health listener and the router's listener, as configured in {@code tandem.yaml}: a keystore
 * with its password in an environment variable, or PEM files; real HTTPS calls with a client that trusts only the
 * self-signed certificate generated here.
 */
class ListenerTlsTest {
  private static final String PASSWORD = "ks-pass-do-not-print";

  @TempDir
  Path dir;
  private SelfSignedCertificate certificate;

  @BeforeEach
  void generate() throws Exception {
    certificate = SelfSignedCertificate.create(dir, PASSWORD);
  }

  private Path write(String metricsSection) throws IOException {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, TandemConfigTest.MINIMAL + metricsSection);
    return file;
  }

  private HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metricsServeHttpsFromAKeystoreWhosePasswordIsInTheEnvironment() throws Exception {
    TandemConfig config = TandemConfig.load(write("""
        metrics:
          port: 0
          tls:
            keystore: server.p12
            keystorePasswordEnv: METRICS_KS_PASSWORD
        """), Map.of("METRICS_KS_PASSWORD", PASSWORD));
    assertThat(config.metrics().host()).isEqualTo("127.0.0.1");
    assertThat(config.toString()).contains("TLS(keystore " + dir.resolve("server.p12")).doesNotContain(PASSWORD);

    HealthServer health = new HealthServer(config.metrics());
    health.start();
    try {
      assertThat(health.url().getScheme()).isEqualTo("https");
      HttpClient trusting = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
      HttpResponse<String> metrics = get(trusting, URI.create(health.url() + "/metrics"));
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.body()).contains("jvm_memory_used_bytes");

      // Plain HTTP to the TLS port gets no answer; neither does a client that does not trust the certificate.
      URI plain = URI.create("http://127.0.0.1:" + health.url().getPort() + "/metrics");
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), plain)).isInstanceOf(IOException.class);
      assertThatThrownBy(() -> get(HttpClient.newHttpClient(), URI.create(health.url() + "/metrics")))
          .isInstanceOf(IOException.class);
    } finally {
      health.close();
    }
  }

  @Test
  void metricsServeHttpsFromPemFiles() throws Exception {
    TandemConfig config = TandemConfig.load(write("""
        metrics:
          host: localhost
          port: 0
          tls:
            certificate: server.crt.pem
            privateKey: server.key.pem
        """), Map.of());
    HealthServer health = new HealthServer(config.metrics());
    health.start();
    try {
      HttpClient trusting = HttpClient.newBuilder().sslContext(certificate.clientContext()).build();
      assertThat(get(trusting, URI.create("https://localhost:" + health.url().getPort() + "/health")).statusCode())
          .isEqualTo(200);
    } finally {
      health.close();
    }
  }

  @Test
  void blankTlsSettingsMeanPlainHttp() throws Exception {
    TandemConfig config = TandemConfig.load(write("""
        metrics:
          tls:
            keystore: ${METRICS_KEYSTORE:-}
        """), Map.of());
    assertThat(config.metrics().tls()).isEmpty();
  }

  @Test
  void badTlsSettingsAreRefusedNamingTheKeyAndNeverThePassword() throws Exception {
    Path unset = write("""
        metrics:
          tls:
            keystore: server.p12
            keystorePasswordEnv: METRICS_KS_PASSWORD
        """);
    assertThatThrownBy(() -> TandemConfig.load(unset, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.tls.keystorePasswordEnv").hasMessageContaining("METRICS_KS_PASSWORD");
    assertThatThrownBy(() -> TandemConfig.load(unset, Map.of("METRICS_KS_PASSWORD", "wrong-" + PASSWORD)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("key 'metrics.tls.keystore'")
        .hasMessageNotContaining(PASSWORD);
    Path missing = write("""
        metrics:
          tls:
            certificate: server.crt.pem
        """);
    assertThatThrownBy(() -> TandemConfig.load(missing, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("metrics.tls.privateKey");
    Path both = write("""
        metrics:
          tls:
            keystore: server.p12
            certificate: server.crt.pem
            privateKey: server.key.pem
        """);
    assertThatThrownBy(() -> TandemConfig.load(both, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("either keystore or certificate + privateKey");
    Path rsaKey = dir.resolve("pkcs1.pem");
    Files.writeString(rsaKey, "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    Path pkcs1 = write("""
        metrics:
          tls:
            certificate: server.crt.pem
            privateKey: pkcs1.pem
        """);
    assertThatThrownBy(() -> TandemConfig.load(pkcs1, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }

  @Test
  void theRouterReadsItsTlsKeysAndListensOnLoopbackByDefault() throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(file, """
        kafka:
          bootstrapServers: kafka:9092
        router:
          entities:
            customer: []
          tokens:
            - name: alice
              role: operator
              sha256: %s
          tls:
            keystore: server.p12
        """.formatted(TokenAuth.hash("t")));
    RouterSettings settings = TandemConfig.loadRouter(file, Map.of("TANDEM_ROUTER_KEYSTORE_PASSWORD", PASSWORD));
    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.tls()).isPresent();
    assertThat(settings.toString()).contains("TLS(keystore").doesNotContain(PASSWORD);
  }
}
