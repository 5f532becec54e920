package io.tandem.routing.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusCodecTest {
  private static final Instant T = Instant.parse("2026-11-21T19:40:00Z");

  @Test
  void verificationAndLagRoundTrip() {
    StatusRecord verification = new StatusRecord.Verification("customer", "beta", true, T.minusSeconds(5), T, 7,
        1000, 0);
    StatusRecord lag = new StatusRecord.Lag("customer", 420, T, "sink");
    assertThat(StatusCodec.decode(StatusCodec.encode(verification))).isEqualTo(verification);
    assertThat(StatusCodec.decode(StatusCodec.encode(lag))).isEqualTo(lag);
    assertThat(verification.key()).isEqualTo("verify/customer/beta");
    assertThat(lag.key()).isEqualTo("lag/customer");
    // Capture reports beside the sink's, not over them: compaction keeps both.
    StatusRecord capture = new StatusRecord.Lag("customer", 0, T, StatusRecord.Lag.CAPTURE);
    assertThat(StatusCodec.decode(StatusCodec.encode(capture))).isEqualTo(capture);
    assertThat(capture.key()).isEqualTo("lag/customer/capture").isEqualTo(StatusRecord.captureLagKey("customer"));
  }

  @Test
  void mappingVersionsAndTheMappingOfAPassRoundTrip() {
    StatusRecord running = new StatusRecord.MappingVersion("customer", "0123456789abcdef", T);
    assertThat(StatusCodec.decode(StatusCodec.encode(running))).isEqualTo(running);
    assertThat(running.key()).isEqualTo("mapping/customer");
    StatusRecord.Verification pass = new StatusRecord.Verification("customer", "*", true, T.minusSeconds(5), T, 7,
        1000, 0).withMapping("0123456789abcdef");
    assertThat(StatusCodec.decode(StatusCodec.encode(pass))).isEqualTo(pass);
    // A pass from a verifier older than fingerprints has none.
    assertThat(((StatusRecord.Verification) StatusCodec.decode(("{\"kind\":\"verification\",\"entity\":\"c\","
        + "\"cohort\":\"*\",\"clean\":true,\"startedAt\":\"" + T + "\",\"finishedAt\":\"" + T + "\","
        + "\"routingVersion\":1,\"rowsChecked\":3,\"differences\":0}").getBytes(StandardCharsets.UTF_8)))
        .mapping()).isNull();
  }

  @Test
  void refusesMalformedRecordsNamingTheField() {
    assertThatThrownBy(() -> StatusCodec.decode("{\"kind\":\"lag\",\"entity\":\"c\",\"lagMillis\":\"x\"}"
        .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("'lagMillis' must be an integer");
    assertThatThrownBy(() -> StatusCodec.decode("{\"kind\":\"weather\"}".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("unknown kind 'weather'");
    assertThatThrownBy(() -> new StatusRecord.Verification("c", "*", true, T, T, 1, 10, 2))
        .hasMessageContaining("clean pass has no differences");
  }
}
