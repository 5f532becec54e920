package io.tandem.app.cohort;

import io.tandem.routing.http.TestRouter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.app.cohort.Cli.Result;
import io.tandem.routing.http.TestRouter.Call;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code list}, {@code audit} and {@code route} against a scripted router: requests, tables and --json. */
class CohortReadCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String ENTITIES = """
      {"version":7,"entities":[
        {"name":"customer","attributes":["region"],"cohorts":[
          {"name":"canary","phase":"SHADOW","read":"LEGACY","write":"LEGACY",
           "selector":{"kind":"percent","basisPoints":150,"percent":1.5,"salt":"customer/canary"}},
          {"name":"vip","phase":"NEW","read":"NEW","write":"NEW",
           "selector":{"kind":"keys","keys":["1","2","3","4","5","6","7"]}},
          {"name":"eu","phase":"NEW_READS","read":"NEW","write":"LEGACY",
           "selector":{"kind":"rule","expression":"region == \\"EU\\""}}]},
        {"name":"order","attributes":[],"cohorts":[]}]}
      """;

  private static final String AUDIT = """
      {"entries":[
        {"offset":3,"applied":true,"version":4,"rejection":null,"message":null,"actor":"alice",
         "reason":"start shadowing","time":"2026-11-21T10:00:00Z","rollback":false,
         "command":{"type":"set_phase","entity":"customer","cohort":"canary","phase":"SHADOW"}},
        {"offset":4,"applied":false,"version":null,"rejection":"STALE_VERSION","message":"expected 3, at 4",
         "actor":"bob","reason":"widen\\nnow","time":"2026-11-21T10:05:00Z","rollback":false,
         "command":{"type":"set_percent","entity":"customer","cohort":"canary","basisPoints":500}},
        {"offset":5,"applied":true,"version":5,"rejection":null,"message":null,"actor":"carol",
         "reason":"errors on new","time":"2026-11-21T10:09:00Z","rollback":true,
         "command":{"type":"rollback","version":2}},
        {"offset":6,"applied":true,"version":6,"rejection":null,"message":null,"actor":"root",
         "reason":"verifier down","time":"2026-11-21T10:12:00Z","rollback":false,
         "command":{"type":"set_phase","entity":"customer","cohort":"canary","phase":"NEW_READS"},
         "gate":{"forced":true,"overridden":["no clean verification","no lag report"],"evidence":[]}},
        {"offset":7,"applied":true,"version":7,"rejection":null,"message":null,"actor":"alice",
         "reason":"verified","time":"2026-11-21T10:15:00Z","rollback":false,
         "command":{"type":"set_phase","entity":"customer","cohort":"canary","phase":"NEW"},
         "gate":{"forced":false,"overridden":[],"evidence":["customer/canary verified clean"]}}]}
      """;

  private TestRouter router;

  @BeforeEach
  void startRouter() throws IOException {
    router = TestRouter.start();
  }

  @AfterEach
  void stopRouter() {
    router.close();
  }

  @Test
  void listShowsEveryCohortInEvaluationOrder() {
    router.answer("GET", "/v1/entities", 200, ENTITIES);

    Result result = Cli.run("cohort", "list", "--url", router.url(), "--token", "t0ken");

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).isEqualTo("""
        Routing version 7

        ENTITY    #  COHORT  PHASE      READ    WRITE   SELECTOR
        customer  0  canary  SHADOW     LEGACY  LEGACY  1.5% of keys
        customer  1  vip     NEW        NEW     NEW     7 keys: 1, 2, 3, 4, 5 +2 more
        customer  2  eu      NEW_READS  NEW     LEGACY  rule: region == "EU"
        order     -  -       -          -       -       no cohorts

        A key goes to the first cohort (#) that holds it; keys no cohort holds stay on legacy.
        """);
    assertThat(router.calls()).containsExactly(new Call("GET", "/v1/entities", "Bearer t0ken", null, ""));
  }

  @Test
  void listJsonPrintsTheRoutersDocumentOnOneLine() throws IOException {
    router.answer("GET", "/v1/entities", 200, ENTITIES);

    Result result = Cli.run("cohort", "list", "--json", "--url", router.url());

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).endsWith("}\n").doesNotContain("\n{").hasLineCount(1);
    assertThat(JSON.readTree(result.out())).isEqualTo(JSON.readTree(ENTITIES));
  }

  @Test
  void listOfOneEntityKeepsOnlyThatEntity() throws IOException {
    router.answer("GET", "/v1/entities", 200, ENTITIES);

    Result table = Cli.run("cohort", "list", "--entity", "order", "--url", router.url());
    Result json = Cli.run("cohort", "list", "--entity", "order", "--json", "--url", router.url());

    assertThat(table.exitCode()).isZero();
    assertThat(table.out()).isEqualTo("""
        Routing version 7

        ENTITY  #  COHORT  PHASE  READ  WRITE  SELECTOR
        order   -  -       -      -     -      no cohorts

        A key goes to the first cohort (#) that holds it; keys no cohort holds stay on legacy.
        """);
    assertThat(JSON.readTree(json.out()))
        .isEqualTo(JSON.readTree("{\"version\":7,\"entities\":[{\"name\":\"order\",\"attributes\":[],\"cohorts\":[]}]}"));
  }

  @Test
  void listOfAnUnknownEntityIsRefusedNamingTheKnownOnes() {
    router.answer("GET", "/v1/entities", 200, ENTITIES);

    Result result = Cli.run("cohort", "list", "--entity", "shop", "--url", router.url());

    assertThat(result.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("tandem cohort list: the router has no entity 'shop' (it has: customer, order)\n");
  }

  @Test
  void listOfNoEntitiesSaysSo() {
    router.answer("GET", "/v1/entities", 200, "{\"version\":0,\"entities\":[]}");

    Result result = Cli.run("cohort", "list", "--url", router.url());

    assertThat(result.out()).isEqualTo("Routing version 0\nNo entities: every key is on legacy.\n");
  }

  @Test
  void auditShowsEntriesNewestLastWithRejectionsAndRollbacks() {
    router.answer("GET", "/v1/audit", 200, AUDIT);

    Result result = Cli.run("cohort", "audit", "--entity", "customer", "--url", router.url());

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).isEqualTo("""
        OFFSET  VERSION  TIME                  ACTOR  RESULT                                      CHANGE                                                                            REASON
        3       4        2026-11-21T10:00:00Z  alice  applied                                     set_phase customer/canary phase=SHADOW                                            start shadowing
        4       -        2026-11-21T10:05:00Z  bob    rejected: STALE_VERSION (expected 3, at 4)  set_percent customer/canary basisPoints=500                                       widen\\nnow
        5       5        2026-11-21T10:09:00Z  carol  applied                                     rollback version=2 [rollback]                                                     errors on new
        6       6        2026-11-21T10:12:00Z  root   applied                                     set_phase customer/canary phase=NEW_READS [forced, 2 gate conditions overridden]  verifier down
        7       7        2026-11-21T10:15:00Z  alice  applied                                     set_phase customer/canary phase=NEW                                               verified
        """);
    assertThat(router.calls()).extracting(Call::target).containsExactly("/v1/audit?limit=50&entity=customer");
  }

  @Test
  void auditPassesTheLimitAndPrintsJson() throws IOException {
    router.answer("GET", "/v1/audit", 200, AUDIT);

    Result result = Cli.run("cohort", "audit", "--limit", "3", "--json", "--url", router.url());

    assertThat(result.exitCode()).isZero();
    assertThat(JSON.readTree(result.out())).isEqualTo(JSON.readTree(AUDIT));
    assertThat(router.calls()).extracting(Call::target).containsExactly("/v1/audit?limit=3");
  }

  @Test
  void auditWithNoEntriesSaysSo() {
    router.answer("GET", "/v1/audit", 200, "{\"entries\":[]}");

    assertThat(Cli.run("cohort", "audit", "--entity", "customer", "--url", router.url()).out())
        .isEqualTo("No audit entries for customer.\n");
  }

  @Test
  void routeEncodesTheKeyAndSendsAttributesAsQuery() {
    router.answer("GET", "/v1/route/customer/a%2Fb%20c", 200, """
        {"entity":"customer","key":"a/b c","cohort":"canary","phase":"SHADOW","read":"LEGACY","write":"LEGACY",
         "shadow":true,"version":10}""");

    Result result = Cli.run("cohort", "route", "customer", "a/b c", "--attr", "region=EU", "--attr", "tier=gold plus",
        "--url", router.url());

    assertThat(result.exitCode()).isZero();
    assertThat(router.calls()).extracting(Call::method, Call::target)
        .containsExactly(tuple("GET", "/v1/route/customer/a%2Fb%20c?region=EU&tier=gold%20plus"));
    assertThat(result.out()).isEqualTo("""
        entity   customer
        key      a/b c
        cohort   canary
        phase    SHADOW
        read     LEGACY
        write    LEGACY
        shadow   yes (reads also go to new and are compared)
        version  10
        """);
  }

  @Test
  void routeOfAKeyNoCohortHoldsSaysItStaysOnLegacy() throws IOException {
    String decision = """
        {"entity":"customer","key":"..","cohort":null,"phase":"LEGACY","read":"LEGACY","write":"LEGACY",
         "shadow":false,"version":10}""";
    router.answer("GET", "/v1/route/customer/%2E%2E", 200, decision);

    Result table = Cli.run("cohort", "route", "customer", "..", "--url", router.url());
    Result json = Cli.run("cohort", "route", "customer", "..", "--json", "--url", router.url());

    assertThat(table.exitCode()).isZero();
    assertThat(table.out()).contains("cohort   none (no cohort holds this key: legacy)\n", "shadow   no\n");
    JsonNode printed = JSON.readTree(json.out());
    assertThat(printed).isEqualTo(JSON.readTree(decision));
  }
}
