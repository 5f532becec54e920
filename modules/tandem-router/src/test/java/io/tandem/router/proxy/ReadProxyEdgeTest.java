package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.Phase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's edge against hostile requests and chatty upstreams, over real sockets. */
class ReadProxyEdgeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FIFTY_MIB = 50L << 20;

  private ProxyFixture fixture;
  private TestUpstream legacy;
  private TestUpstream neu;

  @BeforeEach
  void start() {
    fixture = new ProxyFixture();
    legacy = fixture.upstream(request -> request.response().putHeader("Content-Type", "application/json")
        .putHeader("Connection", "X-Upstream-Secret").putHeader("X-Upstream-Secret", "internal")
        .putHeader("Keep-Alive", "timeout=5")
        .putHeader("Location", legacyLocation() + "/api/customers/42?x=1")
        .end("{\"from\":\"legacy\"}"));
    neu = fixture.upstream(request -> request.response().end("{\"from\":\"new\"}"));
    fixture.entity("customer");
  }

  private String legacyLocation() {
    return legacy.uri().toString();
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private static void assertProblem(RawHttp.Answer answer, int status, String detailContains) throws Exception {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.header("content-type")).startsWith("application/problem+json");
    JsonNode problem = JSON.readTree(answer.body());
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("title").asText()).isNotBlank();
    assertThat(problem.get("detail").asText()).contains(detailContains);
  }

  @Test
  void aDeclaredBodyOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    // 50 MiB announced, not one byte sent: the answer can only come from the header.
    RawHttp.Answer answer = RawHttp.exchange(fixture.port(), "POST /api/customers/42 HTTP/1.1\r\nHost: shop\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + FIFTY_MIB, null);

    assertProblem(answer, 413, "accepts bodies up to 1048576 bytes");
    assertThat(answer.header("connection")).isEqualTo("close");
    assertThat(legacy.received).isEmpty();
  }

  @Test
  void aChunkedBodyIsCutOffAtTheLimitWithoutReadingTheRest() throws Exception {
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));
    AtomicLong written = new AtomicLong();

    RawHttp.Answer answer = RawHttp.chunked(fixture.port(), "POST /api/customers/42 HTTP/1.1\r\nHost: shop\r\n"
        + "Content-Type: application/json", FIFTY_MIB, written);

    assertProblem(answer, 413, "chunked");
    // The router closed the connection: the client could not push the 50 MiB (socket buffers hold a few MiB).
    assertThat(written.get()).isLessThan(16L << 20);
    assertThat(legacy.received).isEmpty();
  }

  @Test
  void aBodyWithinTheRoutesLimitIsForwarded() throws Exception {
    ProxyRoute small = new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"), legacy.uri(),
        neu.uri(), List.of(), false, Duration.ofSeconds(5), 10);
    fixture.start(small);

    assertThat(fixture.send("PUT", "/api/customers/42", "0123456789").statusCode()).isEqualTo(200);
    assertThat(legacy.next().body()).isEqualTo("0123456789");
    RawHttp.Answer over = RawHttp.exchange(fixture.port(), "PUT /api/customers/42 HTTP/1.1\r\nHost: shop\r\n"
        + "Content-Length: 11", "0123456789A");
    assertProblem(over, 413, "up to 10 bytes");
    assertThat(legacy.received).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/customers/..%2F..%2Fadmin", "/api/customers/42%2Fdelete", "/api/customers/42%2fx",
      "/api/customers/..%5Cadmin", "/api/customers/%5C", "/api/customers/%2E%2E", "/api/customers/%2e",
      "/api/customers/.%2E", "/api/customers/%252F", "/api/customers/%zz"})
  void pathVariablesThatAnUpstreamWouldReadAsAnotherPathAreRefused(String path) throws Exception {
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    RawHttp.Answer answer = RawHttp.exchange(fixture.port(), "GET " + path + " HTTP/1.1\r\nHost: shop", null);

    assertProblem(answer, 400, "path ");
    assertThat(JSON.readTree(answer.body()).get("detail").asText()).containsAnyOf("path variable {id}",
        "path segment 3");
    assertThat(legacy.received).isEmpty();
    assertThat(neu.received).isEmpty();
  }

  @Test
  void hopByHopHeadersStayOnTheirHopAndForwardedTellsTheUpstreamWhoAsked() throws Exception {
    fixture.start(ProxyFixture.customers(legacy.uri(), neu.uri(), false));

    RawHttp.Answer response = RawHttp.exchange(fixture.port(), "GET /api/customers/42 HTTP/1.1\r\n"
        + "Host: shop.example:8088\r\nConnection: keep-alive, X-Caller-Hop\r\nX-Caller-Hop: for-the-router-only\r\n"
        + "X-Kept: yes\r\nForwarded: for=192.0.2.60;proto=https", null);

    TestUpstream.Received sent = legacy.next();
    assertThat(sent.headers().get("X-Caller-Hop")).isNull();
    assertThat(sent.headers().get("X-Kept")).isEqualTo("yes");
    assertThat(sent.headers().getAll("Forwarded"))
        .containsExactly("for=192.0.2.60;proto=https, for=127.0.0.1;proto=http;host=\"shop.example:8088\"");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("X-Upstream-Secret")).isNull();
    assertThat(response.header("Keep-Alive")).isNull();
    // The upstream's own URL is made relative: the caller never learns where legacy lives.
    assertThat(response.header("Location")).isEqualTo("/api/customers/42?x=1");
    assertThat(response.headers().toString()).doesNotContain(Integer.toString(legacy.uri().getPort()));
  }

  @Test
  void upstreamFailuresDoNotNameTheUpstream() throws Exception {
    URI down = TestUpstream.down(fixture.vertx);
    fixture.cohort("customer", "canary", Phase.NEW_READS, "42");
    fixture.start(ProxyFixture.customers(down, down, true));

    HttpResponse<String> response = fixture.get("/api/customers/42");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.body()).contains("connection failed").doesNotContain(Integer.toString(down.getPort()))
        .doesNotContain("127.0.0.1");
    assertThat(response.headers().map().toString()).doesNotContain(Integer.toString(down.getPort()));
  }

  @Test
  void aSlowUpstreamTimesOutWithoutItsAddress() throws Exception {
    TestUpstream slow = fixture.upstream(request -> { }); // never answers
    fixture.start(new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"), slow.uri(),
        neu.uri(), List.of(), false, Duration.ofMillis(300)));

    HttpResponse<String> response = fixture.get("/api/customers/42");

    assertThat(response.statusCode()).isEqualTo(502);
    assertThat(response.body()).contains("no answer within 300 ms")
        .doesNotContain(Integer.toString(slow.uri().getPort()));
    slow.received.poll(1, TimeUnit.SECONDS);
  }
}
