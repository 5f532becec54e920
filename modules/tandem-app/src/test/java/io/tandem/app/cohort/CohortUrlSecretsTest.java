package io.tandem.app.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.app.cohort.Cli.Result;
import io.tandem.routing.http.TestRouter;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@code tandem cohort --url http://user:password@host} never prints the password, whatever goes wrong. */
class CohortUrlSecretsTest {
  private static final String PASSWORD = "pw-do-not-print";

  private static void assertNoSecret(Result result) {
    assertThat(result.all()).doesNotContain(PASSWORD).doesNotContain("pw-do").doesNotContain("user:");
  }

  @Test
  void aMalformedUrlIsRefusedWithoutItsUserInfo() {
    // '@' in the password: not a URL Java can parse into a host, so it is refused as a usage error.
    Result result = Cli.run("cohort", "list", "--url", "http://user:" + PASSWORD + "@x@127.0.0.1:8088");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(result.err()).contains("--url must be an http(s) URL", "http://******@127.0.0.1:8088");
    assertNoSecret(result);
  }

  @Test
  void anUnreachableRouterIsNamedWithoutItsUserInfo() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }

    Result result = Cli.run("cohort", "list", "--url", "http://user:" + PASSWORD + "@127.0.0.1:" + closed,
        "--token", "t");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(result.err()).contains("127.0.0.1:" + closed);
    assertNoSecret(result);
  }

  @Test
  void refusalsAndAnswersDoNotEchoIt() throws IOException {
    try (TestRouter router = TestRouter.start()) {
      router.answer("GET", "/v1/entities", 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"unknown token\"}");
      router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 500, "boom");
      String url = router.url().replace("://", "://user:" + PASSWORD + "@");

      Result refused = Cli.run("cohort", "list", "--url", url, "--token", "t");
      Result failed = Cli.run("cohort", "promote", "customer", "canary", "--reason", "go", "--url", url,
          "--token", "t");

      assertThat(refused.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
      assertThat(failed.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
      assertNoSecret(refused);
      assertNoSecret(failed);
      assertThat(router.requests()).allSatisfy(r -> assertThat(String.valueOf(r.authorization()))
          .doesNotContain(PASSWORD));
    }
  }
}
