package io.tandem.app.cohort;

import io.tandem.routing.http.TestRouter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.app.cohort.Cli.Result;
import io.tandem.routing.http.TestRouter.Call;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exit codes and messages when the router refuses, fails or is away, and when the command line is wrong. */
class CohortFailuresTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-token-do-not-print";
  private static final String CONFLICT = """
      {"type":"https://tandem.io/problems/version-conflict","title":"Version conflict","status":409,
       "detail":"expected version 8, the routing is at version 9","currentVersion":9}""";

  private TestRouter router;

  @BeforeEach
  void startRouter() throws IOException {
    router = TestRouter.start();
  }

  @AfterEach
  void stopRouter() {
    router.close();
  }

  private Result run(String... args) {
    List<String> withRouter = new ArrayList<>(List.of(args));
    withRouter.addAll(List.of("--url", router.url(), "--token", TOKEN));
    return Cli.run(withRouter.toArray(String[]::new));
  }

  @Test
  void conflictIsRefusedWithTitleDetailAndCurrentVersion() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/percent", 409, CONFLICT);

    Result result = run("cohort", "set-percent", "customer", "canary", "5", "--reason", "widen", "--expect-version", "8");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("""
        tandem cohort set-percent: refused by the router: Version conflict (HTTP 409)
          expected version 8, the routing is at version 9
          current version: 9
          the routing changed since you looked: review it (tandem cohort list, tandem cohort audit), then retry \
        with --expect-version 9 if the change still makes sense
        """);
  }

  @Test
  void aLimitRefusalPrintsTheDetailNamingTheLimitAndWhereLimitsAreSet() {
    router.answer("POST", "/v1/entities/customer/cohorts", 422, """
        {"type":"https://tandem.dev/problems/limit-exceeded","title":"Limit exceeded","status":422,
         "detail":"'keys' holds 100001 keys; at most 100000 (router.limits.maxKeysPerCohort)"}""");

    Result result = run("cohort", "create", "customer", "big", "--keys", "a,b", "--reason", "all of them");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.err()).isEqualTo("""
        tandem cohort create: refused by the router: Limit exceeded (HTTP 422)
          'keys' holds 100001 keys; at most 100000 (router.limits.maxKeysPerCohort)
          the router's limits are set in its configuration (router.limits, docs/router.md "Limits")
        """);
  }

  @Test
  void aTooLargeAnswerWithoutAProblemDocumentStillSaysWhat() {
    router.answer("POST", "/v1/entities/customer/cohorts", 413, "<html><body>Request Entity Too Large</body></html>");

    Result result = run("cohort", "create", "customer", "big", "--keys", "a,b", "--reason", "all of them");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.err()).startsWith("tandem cohort create: refused by the router: Content Too Large (HTTP 413)\n")
        .contains("Request Entity Too Large", "router.limits");
  }

  @Test
  void conflictWithJsonAlsoPrintsTheProblemDocument() throws IOException {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 409, CONFLICT);

    Result result = run("cohort", "promote", "customer", "canary", "--reason", "go", "--json");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(JSON.readTree(result.out())).isEqualTo(JSON.readTree(CONFLICT));
    assertThat(result.err()).contains("Version conflict (HTTP 409)", "current version: 9");
  }

  @Test
  void createdIsExitZeroAndForbiddenIsExitOne() {
    router.answer("POST", "/v1/entities/customer/cohorts", 201, "{\"version\":8,\"cohort\":{\"name\":\"canary\"}}");
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 403, """
        {"type":"about:blank","title":"Forbidden","status":403,"detail":"bob may not change customer"}""");

    Result created = run("cohort", "create", "customer", "canary", "--percent", "1", "--reason", "start");
    Result forbidden = run("cohort", "promote", "customer", "canary", "--reason", "go");

    assertThat(created.exitCode()).isEqualTo(CohortCommand.EXIT_OK);
    assertThat(forbidden.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(forbidden.out()).isEmpty();
    assertThat(forbidden.err()).isEqualTo("""
        tandem cohort promote: refused by the router: Forbidden (HTTP 403)
          bob may not change customer
        """);
  }

  @Test
  void aGateRefusalListsWhatWasGatedAndEachFailedConditionAndHowToOverride() throws IOException {
    String refusal = """
        {"type":"https://tandem.dev/problems/gate-refused","title":"Promotion gate refused","status":409,
         "detail":"refused by the promotion gate (customer/canary SHADOW -> NEW_READS): a; b",
         "gatedMoves":["customer/canary SHADOW -> NEW_READS"],
         "failedConditions":["no clean verification of customer/canary newer than PT1H (none published)",
                             "replication lag 7200 ms exceeds the bound of 5000 ms\\u001b[2J"]}""";
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 409, refusal);

    Result result = run("cohort", "promote", "customer", "canary", "--reason", "go");
    Result json = run("cohort", "promote", "customer", "canary", "--reason", "go", "--json");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("""
        tandem cohort promote: refused by the router: Promotion gate refused (HTTP 409)
          gated: customer/canary SHADOW -> NEW_READS
          failed: no clean verification of customer/canary newer than PT1H (none published)
          failed: replication lag 7200 ms exceeds the bound of 5000 ms\\u001b[2J
          an admin may override the gate: repeat with --force and an admin token (the reason and the overridden \
        conditions are recorded in the audit log)
        """);
    assertThat(json.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(JSON.readTree(json.out())).isEqualTo(JSON.readTree(refusal));
  }

  @Test
  void forceWithoutAdminIsForbidden() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 403, """
        {"type":"https://tandem.dev/problems/forbidden","title":"Not allowed","status":403,
         "detail":"token 'olga' has role operator; forcing a change past the promotion gate needs admin"}""");

    Result result = run("cohort", "promote", "customer", "canary", "--reason", "go", "--force");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.err()).isEqualTo("""
        tandem cohort promote: refused by the router: Not allowed (HTTP 403)
          token 'olga' has role operator; forcing a change past the promotion gate needs admin
        """);
  }

  @Test
  void unauthorizedPointsAtTheToken() {
    router.answer("GET", "/v1/entities", 401, "{\"title\":\"Unauthorized\",\"status\":401,\"detail\":\"unknown token\"}");

    Result result = run("cohort", "list");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.err()).endsWith("  check --token or TANDEM_ROUTER_TOKEN\n");
  }

  @Test
  void serverErrorIsExitThreeAndAChangeMayHaveHappened() {
    router.answer("GET", "/v1/entities", 500, "{\"title\":\"Internal Server Error\",\"status\":500,\"detail\":\"log unavailable\"}");
    router.answer("POST", "/v1/rollback", 503, "{\"title\":\"Service Unavailable\",\"status\":503}");

    Result list = run("cohort", "list");
    Result rollback = run("cohort", "rollback", "5", "--reason", "bad deploy");

    assertThat(list.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(list.err()).isEqualTo("""
        tandem cohort list: the router failed: Internal Server Error (HTTP 500)
          log unavailable
        """);
    assertThat(rollback.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(rollback.err()).isEqualTo("""
        tandem cohort rollback: the router failed: Service Unavailable (HTTP 503)
          the change may or may not have been applied: check 'tandem cohort audit' before retrying
        """);
  }

  @Test
  void errorPageThatIsNotJsonIsShownBriefly() {
    router.answer("GET", "/v1/entities", 502, "text/html", "<html><body>\n<h1>502 Bad Gateway</h1>\n</body></html>");

    Result result = run("cohort", "list");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(result.err()).isEqualTo("""
        tandem cohort list: the router failed: Bad Gateway (HTTP 502)
          <html><body> <h1>502 Bad Gateway</h1> </body></html>
        """);
  }

  @Test
  void successWithoutJsonIsExitThree() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/demote", 200, "text/plain", "ok");

    Result result = run("cohort", "demote", "customer", "canary", "--reason", "p99");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(result.err()).contains("answered HTTP 200 without a JSON body: ok",
        "the change may or may not have been applied");
  }

  @Test
  void unreachableRouterIsExitThree() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    Result result = Cli.run("cohort", "promote", "customer", "canary", "--reason", "go",
        "--url", "http://127.0.0.1:" + closedPort, "--token", TOKEN);

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(result.out()).isEmpty();
    // Refused connection: the request never left, so no "may have been applied" warning.
    assertThat(result.err()).isEqualTo(
        "tandem cohort promote: cannot reach the router at http://127.0.0.1:" + closedPort + ": connection refused\n");
  }

  @Test
  void routerThatDoesNotAnswerInTimeIsExitThree() {
    router.hang("POST", "/v1/entities/customer/cohorts/canary/promote");

    Result result = run("cohort", "promote", "customer", "canary", "--reason", "go", "--timeout", "300ms");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_UNAVAILABLE);
    assertThat(result.err()).isEqualTo("""
        tandem cohort promote: the router at %s did not answer within 300ms
          the change may or may not have been applied: check 'tandem cohort audit' before retrying
        """.formatted(router.url()));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "create customer canary --percent 1",
      "set-percent customer canary 5",
      "promote customer canary",
      "demote customer canary",
      "delete customer canary --rollback",
      "rollback 5"})
  void everyChangeRequiresAReason(String command) {
    Result result = run(("cohort " + command).split(" "));

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(result.err()).startsWith("Missing required option: '--reason=TEXT'");
    assertThat(router.calls()).isEmpty();
  }

  @Test
  void blankReasonIsAUsageError() {
    Result result = run("cohort", "promote", "customer", "canary", "--reason", "  ");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(result.err()).startsWith("--reason must say why (it goes into the audit log)");
    assertThat(router.calls()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"101", "-1", "1.234", "abc", "NaN", "5%%"})
  void badPercentIsAUsageErrorAndNothingIsSent(String percent) {
    Result setPercent = run("cohort", "set-percent", "customer", "canary", percent, "--reason", "widen");
    Result create = run("cohort", "create", "customer", "canary", "--percent", percent, "--reason", "start");

    assertThat(setPercent.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(setPercent.err()).startsWith("Invalid value for positional parameter at index 2 (PERCENT): '" + percent + "'");
    assertThat(create.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(create.err()).startsWith("Invalid value for option '--percent': '" + percent + "'");
    assertThat(router.calls()).isEmpty();
  }

  @Test
  void createNeedsExactlyOneSelector() {
    Result none = run("cohort", "create", "customer", "canary", "--reason", "start");
    Result two = run("cohort", "create", "customer", "canary", "--percent", "1", "--keys", "1", "--reason", "start");

    assertThat(none.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(none.err()).startsWith("Error: Missing required argument (specify one of these): (--percent=PERCENT | --keys=KEY");
    assertThat(two.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(two.err()).contains("mutually exclusive");
    assertThat(router.calls()).isEmpty();
  }

  @Test
  void badUrlIsAUsageError() {
    Result result = Cli.run("cohort", "list", "--url", "127.0.0.1:8088");

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(result.err()).startsWith("--url must be an http(s) URL such as http://127.0.0.1:8088, was '127.0.0.1:8088'");
  }

  @Test
  void theTokenIsSentButNeverPrinted() {
    router.answer("GET", "/v1/entities", 200, "{\"version\":1,\"entities\":[]}");
    router.answer("POST", "/v1/entities/customer/cohorts/canary/percent", 409, CONFLICT);
    router.answer("POST", "/v1/rollback", 500, "{\"title\":\"Internal Server Error\",\"status\":500}");

    List<Result> results = List.of(
        run("cohort", "list"),
        run("cohort", "list", "--json"),
        run("cohort", "set-percent", "customer", "canary", "5", "--reason", "widen"),
        run("cohort", "rollback", "5", "--reason", "bad deploy"),
        run("cohort", "promote", "customer", "canary"),
        run("cohort", "set-percent", "customer", "canary", "500", "--reason", "widen"),
        run("cohort", "list", "--help"),
        Cli.run("cohort", "list", "--url", "http://127.0.0.1:1", "--token", TOKEN));

    assertThat(results).allSatisfy(result -> assertThat(result.all()).doesNotContain(TOKEN));
    assertThat(router.calls()).extracting(Call::authorization).containsOnly("Bearer " + TOKEN);
  }

  @Test
  void noTokenSendsNoAuthorizationHeader() {
    assumeTrue(System.getenv("TANDEM_ROUTER_TOKEN") == null, "TANDEM_ROUTER_TOKEN is set in this environment");
    router.answer("GET", "/v1/entities", 200, "{\"version\":1,\"entities\":[]}");

    Result result = Cli.run("cohort", "list", "--url", router.url());

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).extracting(Call::authorization).containsExactly((String) null);
  }
}
