package io.tandem.router.proxy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tandem.router.proxy.ProxyMetrics.Comparison;
import io.tandem.routing.Decision;
import io.vertx.core.AsyncResult;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/** Compares a shadow read's two answers, counts the result, and samples mismatches. */
final class ShadowComparator {
  // Decimals kept exact, so 0.1 and 0.10000000000000001 differ while 1 and 1.0 do not.
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final ProxyMetrics metrics;
  private final MismatchSamples samples;
  private final Clock clock;

  ShadowComparator(ProxyMetrics metrics, MismatchSamples samples, Clock clock) {
    this.metrics = metrics;
    this.samples = samples;
    this.clock = clock;
  }

  /** Whether the two answers differ (nothing counted): call it off the event loop. */
  static boolean differ(JsonDiff diff, AsyncResult<UpstreamResponse> legacy, AsyncResult<UpstreamResponse> neu) {
    if (legacy.failed() || neu.failed()) {
      return false;
    }
    return legacy.result().status() != neu.result().status() || !differences(diff, legacy.result(), neu.result()).isEmpty();
  }

  /**
   * Records the comparison of a read that differed and was read again on both sides after the re-check delay:
   * agreeing now, the first difference was lag ({@link Comparison#LAGGED}); else the re-read is the mismatch.
   */
  void recordRecheck(Decision decision, String request, JsonDiff diff, AsyncResult<UpstreamResponse> legacy,
      AsyncResult<UpstreamResponse> neu) {
    if (!legacy.failed() && !neu.failed() && !differ(diff, legacy, neu)) {
      metrics.comparison(decision.entity(), decision.cohort(), Comparison.LAGGED);
      return;
    }
    record(decision, request, diff, legacy, neu);
  }

  /** Parses both bodies: call it off the event loop. */
  void record(Decision decision, String request, JsonDiff diff, AsyncResult<UpstreamResponse> legacy,
      AsyncResult<UpstreamResponse> neu) {
    if (legacy.failed() || neu.failed()) {
      metrics.comparison(decision.entity(), decision.cohort(), Comparison.ERROR);
      return;
    }
    UpstreamResponse a = legacy.result();
    UpstreamResponse b = neu.result();
    List<String> differences = differences(diff, a, b);
    if (differences.isEmpty() && a.status() == b.status()) {
      metrics.comparison(decision.entity(), decision.cohort(), Comparison.MATCH);
      return;
    }
    metrics.comparison(decision.entity(), decision.cohort(), Comparison.MISMATCH);
    samples.add(new ShadowMismatch(decision.entity(), decision.cohort(), decision.key(), request,
        decision.version(), clock.instant(), a.status(), b.status(), differences, excerpt(a.body()),
        excerpt(b.body())));
  }

  /** JSON bodies by structure (ignoring {@code diff}'s fields), anything else byte for byte. */
  static List<String> differences(JsonDiff diff, UpstreamResponse legacy, UpstreamResponse neu) {
    JsonNode a = json(legacy);
    JsonNode b = json(neu);
    if (a != null && b != null) {
      return diff.differences(a, b);
    }
    return legacy.body().equals(neu.body()) ? List.of() : List.of("$");
  }

  private static JsonNode json(UpstreamResponse response) {
    if (!response.contentType().toLowerCase(Locale.ROOT).contains("json") || response.body().length() == 0) {
      return null;
    }
    try {
      return JSON.readTree(response.body().getBytes());
    } catch (IOException e) {
      return null; // says JSON but is not: compared as bytes
    }
  }

  static String excerpt(Buffer body) {
    if (body.length() <= ShadowMismatch.MAX_BODY_BYTES) {
      return body.toString(StandardCharsets.UTF_8);
    }
    return new String(body.getBytes(0, ShadowMismatch.MAX_BODY_BYTES), StandardCharsets.UTF_8)
        + "…[cut at " + ShadowMismatch.MAX_BODY_BYTES + " of " + body.length() + " bytes]";
  }
}
