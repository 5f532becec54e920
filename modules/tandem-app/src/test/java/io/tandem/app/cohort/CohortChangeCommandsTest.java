package io.tandem.app.cohort;

import io.tandem.routing.http.TestRouter;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.app.cohort.Cli.Result;
import io.tandem.routing.http.TestRouter.Call;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The commands that change the routing: exact requests sent and what the operator reads back. */
class CohortChangeCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CANARY_SHADOW = """
      {"name":"canary","phase":"SHADOW","read":"LEGACY","write":"LEGACY",
       "selector":{"kind":"percent","basisPoints":150,"percent":1.5,"salt":"customer/canary"}}""";

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
    String[] withRouter = Arrays.copyOf(args, args.length + 4);
    withRouter[args.length] = "--url";
    withRouter[args.length + 1] = router.url();
    withRouter[args.length + 2] = "--token";
    withRouter[args.length + 3] = "op-token";
    return Cli.run(withRouter);
  }

  private static Call post(String target, String body) {
    return new Call("POST", target, "Bearer op-token", "application/json", body);
  }

  @Test
  void createPercentCohortSendsEveryOptionAndShowsTheNewCohort() {
    router.answer("POST", "/v1/entities/customer/cohorts", 201, "{\"version\":8,\"cohort\":" + CANARY_SHADOW + "}");

    Result result = run("cohort", "create", "customer", "canary", "--percent", "1.50", "--phase", "shadow",
        "--position", "0", "--reason", "first 1.5%", "--expect-version", "7");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(router.calls()).containsExactly(post("/v1/entities/customer/cohorts",
        "{\"name\":\"canary\",\"percent\":1.5,\"phase\":\"SHADOW\",\"position\":0,\"reason\":\"first 1.5%\","
            + "\"expectedVersion\":7}"));
    assertThat(result.out()).isEqualTo("""
        Created customer/canary. Routing version 8.

        ENTITY    COHORT  PHASE   READ    WRITE   SELECTOR
        customer  canary  SHADOW  LEGACY  LEGACY  1.5% of keys
        """);
  }

  @Test
  void createKeysCohortJoinsRepeatedAndCommaSeparatedKeys() {
    router.answer("POST", "/v1/entities/customer/cohorts", 201, """
        {"version":8,"cohort":{"name":"vip","phase":"LEGACY","read":"LEGACY","write":"LEGACY",
         "selector":{"kind":"keys","keys":["1","2","3"]}}}""");

    Result result = run("cohort", "create", "customer", "vip", "--keys", "1,2", "--keys", "3", "--reason", "vips");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(post("/v1/entities/customer/cohorts",
        "{\"name\":\"vip\",\"keys\":[\"1\",\"2\",\"3\"],\"reason\":\"vips\"}"));
    assertThat(result.out()).contains("customer  vip     LEGACY  LEGACY  LEGACY  3 keys: 1, 2, 3\n");
  }

  @Test
  void createRuleCohortEncodesTheEntityInThePath() {
    router.answer("POST", "/v1/entities/eu%20customer/cohorts", 201, """
        {"version":8,"cohort":{"name":"eu","phase":"LEGACY","read":"LEGACY","write":"LEGACY",
         "selector":{"kind":"rule","expression":"region == \\"EU\\""}}}""");

    Result result = run("cohort", "create", "eu customer", "eu", "--rule", "region == \"EU\"", "--reason", "EU first");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(post("/v1/entities/eu%20customer/cohorts",
        "{\"name\":\"eu\",\"rule\":\"region == \\\"EU\\\"\",\"reason\":\"EU first\"}"));
    assertThat(result.out()).contains("rule: region == \"EU\"");
  }

  @Test
  void createJsonPrintsTheRoutersAnswer() throws IOException {
    String answer = "{\"version\":8,\"cohort\":" + CANARY_SHADOW + "}";
    router.answer("POST", "/v1/entities/customer/cohorts", 201, answer);

    Result result = run("cohort", "create", "customer", "canary", "--percent", "1.5", "--reason", "r", "--json");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).hasLineCount(1);
    assertThat(JSON.readTree(result.out())).isEqualTo(JSON.readTree(answer));
  }

  @Test
  void setPercentSendsPercentReasonRollbackAndExpectedVersion() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/percent", 200, """
        {"version":9,"cohort":{"name":"canary","phase":"SHADOW","read":"LEGACY","write":"LEGACY",
         "selector":{"kind":"percent","basisPoints":500,"percent":5.0,"salt":"customer/canary"}}}""");

    Result result = run("cohort", "set-percent", "customer", "canary", "5", "--reason", "widen", "--expect-version", "8");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(post("/v1/entities/customer/cohorts/canary/percent",
        "{\"percent\":5,\"reason\":\"widen\",\"rollback\":false,\"expectedVersion\":8}"));
    assertThat(result.out()).isEqualTo("""
        Set customer/canary to 5% of keys. Routing version 9.

        ENTITY    COHORT  PHASE   READ    WRITE   SELECTOR
        customer  canary  SHADOW  LEGACY  LEGACY  5% of keys
        """);
  }

  @Test
  void setPercentDownNeedsAndSendsTheRollbackConfirmation() {
    router.answer("POST", "/v1/entities/customer/cohorts/a%2Fb/percent", 200, """
        {"version":9,"cohort":{"name":"a/b","phase":"NEW","read":"NEW","write":"NEW",
         "selector":{"kind":"percent","basisPoints":50,"percent":0.5,"salt":"customer/a/b"}}}""");

    Result result = run("cohort", "set-percent", "customer", "a/b", "0.5%", "--reason", "errors", "--rollback");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(post("/v1/entities/customer/cohorts/a%2Fb/percent",
        "{\"percent\":0.5,\"reason\":\"errors\",\"rollback\":true}"));
    assertThat(result.out()).startsWith("Set customer/a/b to 0.5% of keys. Routing version 9.\n");
  }

  @Test
  void aPromotionIntoNewIsShownAsTheWriteSwitchItBegan() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 202, """
        {"version":12,"cohort":{"name":"canary","phase":"NEW_READS","read":"NEW","write":"LEGACY",
         "selector":{"kind":"percent","basisPoints":150,"percent":1.5,"salt":"customer/canary"}},
         "switch":{"id":"sw-1a2b3c4d","beganAtVersion":12,"entities":["customer"],"fencedSides":["LEGACY"],
         "change":{"type":"set_phase","entity":"customer","cohort":"canary","phase":"NEW"}}}""");

    Result promoted = run("cohort", "promote", "customer", "canary", "--reason", "writes to new");

    assertThat(promoted.exitCode()).isZero();
    assertThat(promoted.out()).startsWith("Began write switch sw-1a2b3c4d for customer/canary: its keys' writes are"
        + " refused (retryable) until the old side's writes have reached the other side, then the phase changes."
        + " Routing version 12.\nWatch it: GET /v1/switches. Abort it (nothing moves): POST /v1/switches/sw-1a2b3c4d/abort.\n");
  }

  @Test
  void promoteAndDemoteStepThePhase() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 200, """
        {"version":10,"cohort":{"name":"canary","phase":"NEW_READS","read":"NEW","write":"LEGACY",
         "selector":{"kind":"percent","basisPoints":150,"percent":1.5,"salt":"customer/canary"}}}""");
    router.answer("POST", "/v1/entities/customer/cohorts/canary/demote", 200,
        "{\"version\":11,\"cohort\":" + CANARY_SHADOW + "}");

    Result promoted = run("cohort", "promote", "customer", "canary", "--reason", "shadow clean for 24h",
        "--expect-version", "9");
    Result demoted = run("cohort", "demote", "customer", "canary", "--reason", "p99 up");

    assertThat(promoted.exitCode()).isZero();
    assertThat(demoted.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(
        post("/v1/entities/customer/cohorts/canary/promote", "{\"reason\":\"shadow clean for 24h\",\"expectedVersion\":9}"),
        post("/v1/entities/customer/cohorts/canary/demote", "{\"reason\":\"p99 up\"}"));
    assertThat(promoted.out()).isEqualTo("""
        Promoted customer/canary to NEW_READS. Routing version 10.

        ENTITY    COHORT  PHASE      READ  WRITE   SELECTOR
        customer  canary  NEW_READS  NEW   LEGACY  1.5% of keys
        """);
    assertThat(demoted.out()).startsWith("Demoted customer/canary to SHADOW. Routing version 11.\n");
  }

  @Test
  void forceIsSentByTheCommandsAGateMayRefuseAndNotOfferedByDemote() {
    router.answer("POST", "/v1/entities/customer/cohorts/canary/promote", 200, """
        {"version":10,"cohort":{"name":"canary","phase":"NEW_READS","read":"NEW","write":"LEGACY",
         "selector":{"kind":"percent","basisPoints":150,"percent":1.5,"salt":"customer/canary"}}}""");
    router.answer("POST", "/v1/entities/customer/cohorts/canary/percent", 200, "{\"version\":11,\"cohort\":"
        + CANARY_SHADOW + "}");
    router.answer("POST", "/v1/entities/customer/cohorts", 201, "{\"version\":12,\"cohort\":" + CANARY_SHADOW + "}");
    router.answer("POST", "/v1/rollback", 200, "{\"version\":13,\"restored\":4}");
    router.answer("DELETE", "/v1/entities/customer/cohorts/vip", 200, "{\"version\":14}");

    assertThat(run("cohort", "promote", "customer", "canary", "--reason", "verifier down, checked by hand", "--force")
        .exitCode()).isZero();
    assertThat(run("cohort", "set-percent", "customer", "canary", "5", "--reason", "r", "--force").exitCode()).isZero();
    assertThat(run("cohort", "create", "customer", "wave", "--percent", "1", "--phase", "NEW_READS", "--reason", "r",
        "--force").exitCode()).isZero();
    assertThat(run("cohort", "rollback", "4", "--reason", "r", "--force").exitCode()).isZero();
    assertThat(run("cohort", "delete", "customer", "vip", "--reason", "r", "--force").exitCode()).isZero();
    assertThat(router.calls()).extracting(Call::body).containsExactly(
        "{\"reason\":\"verifier down, checked by hand\",\"force\":true}",
        "{\"percent\":5,\"reason\":\"r\",\"rollback\":false,\"force\":true}",
        "{\"name\":\"wave\",\"percent\":1,\"phase\":\"NEW_READS\",\"reason\":\"r\",\"force\":true}",
        "{\"version\":4,\"reason\":\"r\",\"force\":true}",
        "{\"reason\":\"r\",\"rollback\":false,\"force\":true}");

    Result demote = run("cohort", "demote", "customer", "canary", "--reason", "r", "--force");
    assertThat(demote.exitCode()).isEqualTo(CohortCommand.EXIT_USAGE);
    assertThat(demote.err()).contains("Unknown option: '--force'");
    assertThat(router.calls()).hasSize(5);
  }

  @Test
  void deleteSendsItsBodyWithDelete() {
    router.answer("DELETE", "/v1/entities/customer/cohorts/canary", 200, "{\"version\":11}");

    Result result = run("cohort", "delete", "customer", "canary", "--reason", "done", "--rollback");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(new Call("DELETE", "/v1/entities/customer/cohorts/canary",
        "Bearer op-token", "application/json", "{\"reason\":\"done\",\"rollback\":true}"));
    assertThat(result.out()).isEqualTo("""
        Deleted customer/canary. Routing version 11.
        Its keys go to the next cohort that holds them, else stay on legacy.
        """);
  }

  @Test
  void rollbackRestoresAnEarlierVersion() {
    router.answer("POST", "/v1/rollback", 200, "{\"version\":12,\"restored\":5}");

    Result result = run("cohort", "rollback", "5", "--reason", "bad deploy", "--expect-version", "11");

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).containsExactly(post("/v1/rollback",
        "{\"version\":5,\"reason\":\"bad deploy\",\"expectedVersion\":11}"));
    assertThat(result.out()).isEqualTo("Restored the routing of version 5. Routing version 12.\n");
  }
}
