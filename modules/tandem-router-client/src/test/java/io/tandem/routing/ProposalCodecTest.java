package io.tandem.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProposalCodecTest {
  private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");
  private static final Command PROMOTE = new Command.SetPhase("customer", "beta", Phase.NEW_READS);

  @Test
  void aGateOutcomeSurvivesTheLogFormat() {
    Proposal forced = new Proposal("p1", 7, "root", "incident 42: verifier down", T, false, PROMOTE,
        new GateOutcome(true, List.of("replication lag 7200 ms exceeds the bound of 5000 ms"),
            List.of("customer/beta verified clean at 2026-11-21T09:30:00Z")));
    Proposal passed = new Proposal("p2", 7, "alice", "clean", T, false, PROMOTE,
        new GateOutcome(false, List.of(), List.of("replication lag of customer 120 ms")));
    for (Proposal proposal : List.of(forced, passed)) {
      assertThat(ProposalCodec.decode(ProposalCodec.encode(proposal))).isEqualTo(proposal);
    }
    String json = new String(ProposalCodec.encode(forced), StandardCharsets.UTF_8);
    assertThat(json).contains("\"gate\":{\"forced\":true,\"overridden\":[\"replication lag 7200 ms");
  }

  @Test
  void aRecordWithoutAGateDecodesAsBeforeAndIsWrittenWithoutOne() {
    String old = "{\"id\":\"5f0c\",\"expectedVersion\":7,\"actor\":\"alice\",\"reason\":\"canary clean\","
        + "\"time\":\"2026-11-21T10:00:00Z\",\"rollback\":false,"
        + "\"command\":{\"type\":\"set_phase\",\"entity\":\"customer\",\"cohort\":\"beta\",\"phase\":\"NEW_READS\"}}";
    Proposal decoded = ProposalCodec.decode(old.getBytes(StandardCharsets.UTF_8));
    assertThat(decoded).isEqualTo(new Proposal("5f0c", 7, "alice", "canary clean", T, false, PROMOTE));
    assertThat(decoded.gate()).isNull();
    assertThat(new String(ProposalCodec.encode(decoded), StandardCharsets.UTF_8)).isEqualTo(old);
  }

  @Test
  void aMalformedGateIsRefused() {
    String bad = "{\"id\":\"x\",\"expectedVersion\":1,\"actor\":\"a\",\"reason\":\"r\",\"time\":\"2026-11-21T10:00:00Z\","
        + "\"command\":{\"type\":\"rollback_to\",\"version\":0},\"gate\":{\"forced\":true,\"overridden\":\"all\"}}";
    assertThatThrownBy(() -> ProposalCodec.decode(bad.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("'overridden'");
  }
}
