package io.tandem.routing.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Cohort;
import io.tandem.routing.Command;
import io.tandem.routing.Decision;
import io.tandem.routing.Phase;
import io.tandem.routing.Rejection;
import io.tandem.routing.RoutingState;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the router writes, a client reads back as the same values; and the wire format stays as documented. */
class ApiCodecTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final RoutingStateMachine machine = RoutingHistory.applied();

  /** Through text, as over the wire. */
  private static JsonNode wire(JsonNode written) throws Exception {
    return JSON.readTree(JSON.writeValueAsString(written));
  }

  @Test
  void decisionsRoundTripAndTheHotPathWritesTheSameJson() throws Exception {
    RoutingState state = machine.state();
    for (Decision decision : List.of(state.decide("customer", "7"), state.decide("customer", "nobody"),
        state.decide("customer", "x", Map.of("region", "EU")), state.decide("order", "1"))) {
      assertThat(ApiCodec.decision(wire(ApiCodec.decision(decision)))).isEqualTo(decision);
      assertThat(JSON.readTree(ApiCodec.plainDecision(decision))).isEqualTo(wire(ApiCodec.decision(decision)));
    }
    assertThat(JSON.writeValueAsString(ApiCodec.decision(state.decide("customer", "7")))).isEqualTo(
        "{\"entity\":\"customer\",\"key\":\"7\",\"cohort\":\"vip\",\"phase\":\"NEW\",\"read\":\"NEW\","
            + "\"write\":\"NEW\",\"shadow\":false,\"version\":7,\"writeFenced\":false}");
  }

  @Test
  void theRoutingRoundTripsWithEverySelectorKind() throws Exception {
    RoutingState state = machine.state();
    RoutingSnapshot read = ApiCodec.routing(wire(ApiCodec.routing(state)));

    assertThat(read).isEqualTo(new RoutingSnapshot(state.version(), List.copyOf(state.entities().values())));
    assertThat(read.entity("customer").orElseThrow().cohorts()).extracting(c -> c.selector().kind())
        .containsExactly("keys", "percent", "rule");
    var customer = state.entity("customer").orElseThrow();
    assertThat(ApiCodec.entityCohorts(wire(ApiCodec.entityCohorts(customer, 7))))
        .isEqualTo(new RoutingSnapshot(7, List.of(customer)));
  }

  @Test
  void theRoutingsWireFormatIsAsDocumented() throws Exception {
    Cohort canary = new Cohort("canary", new Selector.Percent(150, "customer/canary"), Phase.SHADOW);
    assertThat(JSON.writeValueAsString(ApiCodec.cohort(canary))).isEqualTo(
        "{\"name\":\"canary\",\"phase\":\"SHADOW\",\"read\":\"LEGACY\",\"write\":\"LEGACY\","
            + "\"selector\":{\"kind\":\"percent\",\"basisPoints\":150,\"percent\":1.5,\"salt\":\"customer/canary\"}}");
    assertThat(JSON.writeValueAsString(ApiCodec.routing(3, List.of(
        new io.tandem.routing.EntityRouting("order", List.of(), List.of()))))).isEqualTo(
        "{\"version\":3,\"entities\":[{\"name\":\"order\",\"attributes\":[],\"cohorts\":[]}]}");
  }

  @Test
  void theAuditRoundTripsAppliedRejectedForcedAndUndecodableRecords() throws Exception {
    List<AuditEntry> entries = machine.audit();
    AuditPage read = ApiCodec.auditPage(wire(ApiCodec.auditPage(7, entries)));

    assertThat(read).isEqualTo(new AuditPage(7L, entries.stream().map(AuditRecord::of).toList()));
    assertThat(read.entries()).extracting(AuditRecord::rejection)
        .contains(Rejection.VERSION_CONFLICT.name(), Rejection.MALFORMED.name());
    AuditRecord forced = read.entries().get(5);
    assertThat(forced.gate().forced()).isTrue();
    assertThat(forced.command().command()).isEqualTo(new Command.SetPhase("customer", "canary", Phase.NEW_READS));
    assertThat(forced.command().details()).containsExactly(Map.entry("phase", "NEW_READS"));
    AuditRecord malformed = read.entries().get(7);
    assertThat(malformed.actor()).isNull();
    assertThat(malformed.command()).isNull();
  }

  @Test
  void theAuditsWireFormatIsAsDocumented() throws Exception {
    AuditEntry forced = machine.audit().get(5);
    assertThat(JSON.writeValueAsString(ApiCodec.auditEntry(forced))).isEqualTo(
        "{\"offset\":5,\"applied\":true,\"version\":6,\"rejection\":null,\"message\":null,\"id\":\"p5\","
            + "\"expectedVersion\":5,\"actor\":\"root\",\"reason\":\"because\\nof reasons\","
            + "\"time\":\"2026-11-21T10:00:05Z\",\"rollback\":false,"
            + "\"command\":{\"type\":\"set_phase\",\"entity\":\"customer\",\"cohort\":\"canary\",\"phase\":\"NEW_READS\"},"
            + "\"gate\":{\"forced\":true,\"overridden\":[\"replication lag 7200 ms exceeds the bound of 5000 ms\"],"
            + "\"evidence\":[\"customer/canary verified clean at 2026-11-21T09:30:00Z\"]}}");
    AuditEntry malformed = machine.audit().get(7);
    assertThat(JSON.writeValueAsString(ApiCodec.auditEntry(malformed))).isEqualTo(
        "{\"offset\":7,\"applied\":false,\"version\":6,\"rejection\":\"MALFORMED\","
            + "\"message\":\"not JSON: Unexpected character\"}");
  }

  @Test
  void anAuditFromANewerRouterStillReads() throws Exception {
    AuditPage read = ApiCodec.auditPage(JSON.readTree("""
        {"entries":[{"offset":4,"applied":false,"version":null,"rejection":"STALE_VERSION","actor":"bob",
          "command":{"type":"set_percent","entity":"customer","cohort":"canary","basisPoints":500,"note":null,
                     "selector":{"kind":"percent"}}}]}"""));

    AuditRecord entry = read.entries().get(0);
    assertThat(read.version()).isNull();
    assertThat(entry.version()).isNull();
    assertThat(entry.rejection()).isEqualTo("STALE_VERSION");
    assertThat(entry.command()).isEqualTo(new AuditedCommand("set_percent", "customer", "canary",
        Map.of("basisPoints", "500", "selector", "{\"kind\":\"percent\"}"), null));
  }

  @Test
  void changesRoundTrip() throws Exception {
    Cohort canary = machine.state().entity("customer").orElseThrow().cohort("canary").orElseThrow();
    for (ChangeResult result : List.of(new ChangeResult(8, canary, null), new ChangeResult(9, null, 4L),
        new ChangeResult(10, null, null))) {
      assertThat(ApiCodec.change(wire(ApiCodec.change(result)))).isEqualTo(result);
    }
    assertThat(JSON.writeValueAsString(ApiCodec.change(new ChangeResult(9, null, 4L))))
        .isEqualTo("{\"version\":9,\"restored\":4}");
  }

  @Test
  void anAppliedChangeWhoseCohortCannotBeReadIsStillApplied() throws Exception {
    ChangeResult read = ApiCodec.change(JSON.readTree("{\"version\":8,\"cohort\":{\"name\":\"canary\"}}"));

    assertThat(read).isEqualTo(new ChangeResult(8, null, null));
    assertThatThrownBy(() -> ApiCodec.change(JSON.readTree("{\"cohort\":null}")))
        .hasMessageContaining("'version'");
  }

  @Test
  void problemsRoundTripWithTheirExtensions() throws Exception {
    ProblemDocument conflict = new ProblemDocument(ProblemDocument.TYPE_BASE + "version-conflict", "Version conflict",
        409, "expected version 1 but the current version is 7", "/v1/rollback", 7L);
    ProblemDocument gate = new ProblemDocument(ProblemDocument.TYPE_BASE + "gate-refused", "Promotion gate refused",
        409, "refused", "/v1/entities/customer/cohorts/canary/promote", null,
        List.of("customer/canary SHADOW -> NEW_READS"), List.of("no clean verification", "no lag report"));

    for (ProblemDocument problem : List.of(conflict, gate)) {
      assertThat(ApiCodec.problem(wire(ApiCodec.problem(problem)))).isEqualTo(problem);
    }
    assertThat(conflict.gateRefused()).isFalse();
    assertThat(gate.gateRefused()).isTrue();
    assertThat(JSON.writeValueAsString(ApiCodec.problem(conflict))).isEqualTo(
        "{\"type\":\"https://tandem.dev/problems/version-conflict\",\"title\":\"Version conflict\",\"status\":409,"
            + "\"detail\":\"expected version 1 but the current version is 7\",\"instance\":\"/v1/rollback\","
            + "\"currentVersion\":7}");
  }

  @Test
  void aProblemFromSomethingElseReadsAsFarAsItGoes() throws Exception {
    ProblemDocument read = ApiCodec.problem(JSON.readTree("{\"title\":\"Bad Gateway\",\"currentVersion\":\"9\"}"));

    assertThat(read).isEqualTo(new ProblemDocument(null, "Bad Gateway", null, null, null, null, List.of(), List.of()));
  }

  @Test
  void answersOfTheWrongShapeAreRefusedNamingTheField() throws Exception {
    assertThatThrownBy(() -> ApiCodec.routing(JSON.readTree("[1]"))).hasMessage("the routing is not a JSON object");
    assertThatThrownBy(() -> ApiCodec.routing(JSON.readTree("{\"version\":1}")))
        .hasMessage("field 'entities' missing or not an array");
    assertThatThrownBy(() -> ApiCodec.decision(JSON.readTree("""
        {"entity":"customer","key":"1","cohort":null,"phase":"HALF","read":"LEGACY","write":"LEGACY",
         "shadow":false,"version":1}"""))).hasMessage("field 'phase' is not a Phase: 'HALF'");
    assertThatThrownBy(() -> ApiCodec.auditPage(JSON.readTree("{\"entries\":[{\"offset\":1,\"time\":\"yesterday\"}]}")))
        .hasMessageContaining("'time'");
  }
}
