package io.tandem.router;

import static io.tandem.router.RouterHarness.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.core.tls.ServerTls;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.SelfSignedCertificate;
import io.tandem.router.proxy.KeySource;
import io.tandem.router.proxy.ProxyRoute;
import io.tandem.router.proxy.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A whole replica's edge: HTTPS, and what it refuses before reading or routing anything. */
class RouterEdgeIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FIFTY_MIB = 50L << 20;
  private static EmbeddedKafkaBroker kafka;

  @TempDir
  Path dir;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static String topic() {
    return "tandem.routing." + UUID.randomUUID();
  }

  @Test
  void servesHttpsWithAKeystoreAndRefusesPlainHttp() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create(dir, "router-ks-pass");
    RouterSettings settings = RouterHarness.settings(kafka.bootstrapServers(), topic())
        .withTls(ServerTls.keystore(certificate.keystore(), "router-ks-pass".toCharArray()));
    try (RouterServer server = RouterHarness.start(settings)) {
      assertThat(server.scheme()).isEqualTo("https");
      assertThat(server.status()).contains("https://127.0.0.1:" + server.port());
      HttpClient trusting = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .sslContext(certificate.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> health = trusting.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
          + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> version = trusting.send(HttpRequest.newBuilder(URI.create("https://localhost:"
          + server.port() + "/v1/version")).header("Authorization", "Bearer " + VIEWER).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");
      assertThat(version.statusCode()).isEqualTo(200);
      // Plain HTTP to the TLS port: no HTTP answer comes back.
      assertThatThrownBy(() -> RawHttp.exchange(server.port(), "GET /health HTTP/1.1\r\nHost: r", null))
          .isInstanceOf(IOException.class);
      HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/health")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void theOperatorApiRefusesLargeBodiesUnreadAndThePathGuardCoversTheWholeReplica() throws Exception {
    ProxyRoute route = new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"),
        URI.create("http://127.0.0.1:9"), URI.create("http://127.0.0.1:9"), List.of(), false, Duration.ofSeconds(1));
    RouterSettings settings = RouterHarness.settings(kafka.bootstrapServers(), topic(), List.of(route));
    RouterSettings.Limits defaults = RouterSettings.Limits.defaults();
    // A 1 MiB limit: what the socket takes beyond it is at most the kernel's buffers (~10 MiB on loopback).
    settings = settings.withLimits(new RouterSettings.Limits(1 << 20, defaults.maxKeysPerCohort(),
        defaults.maxKeyLength(), defaults.maxRuleLength(), defaults.maxRuleNodes(), defaults.maxReasonLength(),
        defaults.compiledVersions()));
    try (RouterServer server = RouterHarness.start(settings)) {
      long before = server.log().state().version();

      // No token, 50 MiB announced and none sent: refused from the header alone.
      RawHttp.Answer declared = RawHttp.exchange(server.port(), "POST /v1/rollback HTTP/1.1\r\nHost: r\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + FIFTY_MIB, null);
      assertProblem(declared, 413, "larger than the router accepts");

      AtomicLong written = new AtomicLong();
      RawHttp.Answer chunked = RawHttp.chunked(server.port(), "POST /v1/entities/customer/cohorts HTTP/1.1\r\n"
          + "Host: r\r\nContent-Type: application/json", FIFTY_MIB, written);
      assertProblem(chunked, 413, "larger than the router accepts");
      assertThat(written.get()).isLessThan(16L << 20);

      assertProblem(RawHttp.exchange(server.port(), "GET /api/customers/%2E%2E HTTP/1.1\r\nHost: r", null), 400,
          "dot segment");
      assertProblem(RawHttp.exchange(server.port(), "GET /api/customers/..%2Fadmin HTTP/1.1\r\nHost: r", null), 400,
          "encoded '/'");
      assertProblem(RawHttp.exchange(server.port(), "GET /v1/route/customer/.. HTTP/1.1\r\nHost: r\r\n"
          + "Authorization: Bearer " + VIEWER, null), 400, "dot segment");
      assertThat(server.log().state().version()).isEqualTo(before);
    }
  }

  private static void assertProblem(RawHttp.Answer answer, int status, String detail) throws IOException {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.header("content-type")).startsWith("application/problem+json");
    JsonNode problem = JSON.readTree(answer.body());
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("detail").asText()).contains(detail);
  }
}
