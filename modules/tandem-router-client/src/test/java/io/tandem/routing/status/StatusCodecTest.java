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
  void stageProgressAndTheSamplesOfAPassRoundTrip() {
    Instant at = Instant.parse("2026-12-07T03:00:00Z");
    StatusRecord.StageProgress progress = new StatusRecord.StageProgress("capture", "host/12/1", 4000, 312.5, at,
        java.util.List.of(new StatusRecord.TableSnapshot("public.customers", 750, 1000, false, 5),
            new StatusRecord.TableSnapshot("public.orders", 10, -1, false, -1)));
    assertThat(StatusCodec.decode(StatusCodec.encode(progress))).isEqualTo(progress);
    StatusRecord.StageProgress sink = new StatusRecord.StageProgress("sink", "host/12/2", 10, 1, at,
        java.util.List.of(), 250);
    assertThat(StatusCodec.decode(StatusCodec.encode(sink))).isEqualTo(sink);
    assertThat(progress.key()).isEqualTo("progress/capture/host/12/1");
    assertThat(progress.entity()).as("a stage reports for every entity").isEqualTo(StatusRecord.ALL_COHORTS);

    StatusRecord.Verification pass = new StatusRecord.Verification("customer", "beta", false, at, at, 3, 100, 2,
        "f00d", java.util.List.of(new StatusRecord.Verification.Sample("42", "different",
            java.util.List.of("email", "name"), false), new StatusRecord.Verification.Sample("43", "missing",
                java.util.List.of(), true)));
    assertThat(StatusCodec.decode(StatusCodec.encode(pass))).isEqualTo(pass);
    assertThat(new String(StatusCodec.encode(pass), StandardCharsets.UTF_8)).contains("\"fields\":[\"email\",\"name\"]");

    java.util.List<StatusRecord.Verification.Sample> many = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(new StatusRecord.Verification.Sample(Integer.toString(i), "extra", null, false));
    }
    assertThat(pass.withSamples(many).samples()).as("bounded").hasSize(StatusRecord.Verification.MAX_SAMPLES);
    String tooMany = "{\"kind\":\"verification\",\"entity\":\"c\",\"cohort\":\"*\",\"clean\":false,"
        + "\"startedAt\":\"2026-12-07T03:00:00Z\",\"finishedAt\":\"2026-12-07T03:00:00Z\",\"routingVersion\":1,"
        + "\"rowsChecked\":1,\"differences\":21,\"samples\":[" + "{\"key\":\"1\",\"kind\":\"extra\"},".repeat(20)
        + "{\"key\":\"1\",\"kind\":\"extra\"}]}";
    assertThatThrownBy(() -> StatusCodec.decode(tooMany.getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("'samples' must be an array of at most 20");
    assertThatThrownBy(() -> StatusCodec.decode(("{\"kind\":\"progress\",\"stage\":\"sink\",\"instance\":\"a\","
        + "\"records\":-1,\"perSecond\":0,\"measuredAt\":\"2026-12-07T03:00:00Z\",\"snapshot\":[]}")
        .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("records and perSecond must be >= 0");
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
