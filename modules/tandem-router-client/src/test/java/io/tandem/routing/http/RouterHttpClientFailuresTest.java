package io.tandem.routing.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.ProblemDocument;
import io.tandem.routing.http.TestRouter.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each way a call can fail: which exception, what it says, and whether a change may have been applied. */
class RouterHttpClientFailuresTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-token-do-not-print";
  private static final ChangeOptions WHY = ChangeOptions.because("go");

  private TestRouter router;
  private RouterHttpClient client;

  @BeforeEach
  void start() throws IOException {
    router = new TestRouter();
    client = RouterHttpClient.builder(URI.create(router.url())).token(TOKEN).timeout(Duration.ofMillis(300)).build();
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private interface Call {
    void run() throws RouterException;
  }

  private static <E extends RouterException> E failure(Class<E> type, Call call) {
    E failure = catchThrowableOfType(type, call::run);
    assertThat(failure).as("expected %s", type.getSimpleName()).isNotNull();
    assertThat(failure.getMessage()).doesNotContain(TOKEN);
    return failure;
  }

  @Test
  void aVersionConflictIsRefusedWithTheCurrentVersionAndTheDocument() throws Exception {
    ProblemDocument conflict = new ProblemDocument(ProblemDocument.TYPE_BASE + "version-conflict", "Version conflict",
        409, "expected version 8 but the current version is 9", "/v1/rollback", 9L);
    String body = JSON.writeValueAsString(ApiCodec.problem(conflict));
    router.answer("POST", "/v1/rollback", 409, body);

    RouterProblemException problem = failure(RouterProblemException.class, () -> client.rollback(3, WHY.atVersion(8)));

    assertThat(problem.refused()).isTrue();
    assertThat(problem.status()).isEqualTo(409);
    assertThat(problem.title()).isEqualTo("Version conflict");
    assertThat(problem.detail()).isEqualTo("expected version 8 but the current version is 9");
    assertThat(problem.currentVersion()).isEqualTo(9L);
    assertThat(problem.problem()).isEqualTo(conflict);
    assertThat(problem.json()).isEqualTo(JSON.readTree(body));
    assertThat(problem).hasMessage("HTTP 409 Version conflict");
  }

  @Test
  void aGateRefusalCarriesWhatWasGatedAndEveryFailedCondition() throws Exception {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 409, JSON.writeValueAsString(
        ApiCodec.problem(new ProblemDocument(ProblemDocument.TYPE_BASE + "gate-refused", "Promotion gate refused", 409,
            "refused", "/v1/entities/customer/cohorts/canary/promote", null,
            List.of("customer/canary SHADOW -> NEW_READS"), List.of("no clean verification", "no lag report")))));

    RouterProblemException problem = failure(RouterProblemException.class,
        () -> client.promote("customer", "canary", WHY));

    assertThat(problem.problem().gateRefused()).isTrue();
    assertThat(problem.problem().gatedMoves()).containsExactly("customer/canary SHADOW -> NEW_READS");
    assertThat(problem.problem().failedConditions()).containsExactly("no clean verification", "no lag report");
    assertThat(problem.currentVersion()).isNull();
  }

  @Test
  void aServerErrorIsAProblemThatIsNotARefusalAndTheTitleFallsBackToTheReasonPhrase() {
    router.answer("GET", "/v1/entities", 503, "{\"status\":503,\"detail\":\"log unavailable\"}");

    RouterProblemException problem = failure(RouterProblemException.class, client::entities);

    assertThat(problem.refused()).isFalse();
    assertThat(problem.title()).isEqualTo("Service Unavailable");
    assertThat(problem.detail()).isEqualTo("log unavailable");
  }

  @Test
  void anErrorPageThatIsNotJsonIsShownBrieflyOnOneLineWithControlCharactersEscaped() {
    router.answer("GET", "/v1/entities", 502, "text/html",
        "<html><body>\n<h1>502 Bad Gateway</h1>\u001b[2J\n</body></html>" + "x".repeat(300));

    RouterProblemException problem = failure(RouterProblemException.class, client::entities);

    assertThat(problem.title()).isEqualTo("Bad Gateway");
    assertThat(problem.detail()).startsWith("<html><body> <h1>502 Bad Gateway</h1>\\u001b[2J </body></html>xxx")
        .endsWith("x...").hasSize(203 + "\\u001b".length() - 1);
    assertThat(problem.problem()).isNull();
    assertThat(problem.json()).isNull();
  }

  @Test
  void aSuccessWithoutJsonMayHaveBeenApplied() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/demote", 200, "text/plain", "ok");

    RouterUnavailableException unavailable = failure(RouterUnavailableException.class,
        () -> client.demote("customer", "canary", WHY));

    assertThat(unavailable.mayHaveArrived()).isTrue();
    assertThat(unavailable).hasMessage("the router at " + router.url() + " answered HTTP 200 without a JSON body: ok");
  }

  @Test
  void aSuccessOfTheWrongShapeSaysWhatWasExpectedAndWhy() {
    router.answer("GET", "/v1/entities", 200, "[\"customer\"]")
        .answer("POST", "/v1/entities/customer/cohorts/canary/promote", 200, "{\"cohort\":null}");

    RouterUnavailableException list = failure(RouterUnavailableException.class, client::entities);
    RouterUnavailableException promote = failure(RouterUnavailableException.class,
        () -> client.promote("customer", "canary", WHY));

    assertThat(list).hasMessage("the router at " + router.url()
        + " answered with [\"customer\"] instead of its entities (the routing is not a JSON object)");
    assertThat(promote.getMessage()).endsWith("instead of the changed routing (field 'version' missing or not an integer)");
    assertThat(promote.mayHaveArrived()).isTrue();
  }

  @Test
  void aRefusedConnectionNeverArrived() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    RouterHttpClient away = RouterHttpClient.builder(URI.create("http://127.0.0.1:" + closedPort)).token(TOKEN).build();

    RouterUnavailableException unavailable = failure(RouterUnavailableException.class,
        () -> away.promote("customer", "canary", WHY));

    assertThat(unavailable.mayHaveArrived()).isFalse();
    assertThat(unavailable).hasMessage("cannot reach the router at http://127.0.0.1:" + closedPort + ": connection refused");
  }

  @Test
  void noAnswerInTimeMayHaveArrived() {
    router.hang("POST", "/v1/entities/customer/cohorts/canary/promote");

    RouterUnavailableException unavailable = failure(RouterUnavailableException.class,
        () -> client.promote("customer", "canary", WHY));

    assertThat(unavailable.mayHaveArrived()).isTrue();
    assertThat(unavailable).hasMessage("the router at " + router.url() + " did not answer within 300ms");
  }

  @Test
  void aRedirectIsNotFollowed() {
    router.redirect("POST", "/v1/rollback", "/v1/elsewhere");

    RouterProblemException problem = failure(RouterProblemException.class, () -> client.rollback(3, WHY));

    assertThat(problem.status()).isEqualTo(302);
    assertThat(problem.title()).isEqualTo("HTTP 302");
    assertThat(problem.refused()).isFalse();
    assertThat(router.requests()).extracting(Request::target).containsExactly("/v1/rollback");
  }

  @Test
  void anUnknownTokenIsRefusedAndNeverShown() {
    router.answer("GET", "/v1/entities", 401, "{\"title\":\"Authentication required\",\"status\":401,"
        + "\"detail\":\"unknown token\"}");

    RouterProblemException problem = failure(RouterProblemException.class, client::entities);

    assertThat(problem.status()).isEqualTo(401);
    assertThat(problem.detail()).isEqualTo("unknown token");
    assertThat(router.requests()).extracting(Request::authorization).containsExactly("Bearer " + TOKEN);
  }
}
