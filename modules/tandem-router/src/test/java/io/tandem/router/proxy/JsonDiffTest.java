package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonDiffTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> diff(String a, String b, String... ignored) throws Exception {
    JsonNode left = JSON.readTree(a);
    JsonNode right = JSON.readTree(b);
    return new JsonDiff(List.of(ignored)).differences(left, right);
  }

  @Test
  void reportsEachDifferingPath() throws Exception {
    assertThat(diff("{\"a\":1,\"b\":{\"c\":[1,2,3]},\"d\":\"x\"}", "{\"a\":2,\"b\":{\"c\":[1,5]},\"e\":true}"))
        .containsExactly("$.a", "$.b.c[1]", "$.b.c[2]", "$.d", "$.e");
    assertThat(diff("[1]", "{}")).containsExactly("$");
  }

  @Test
  void ignoresFieldsFromTheRootWithArraysTransparent() throws Exception {
    String legacy = "{\"updatedAt\":1,\"meta\":{\"etag\":\"a\",\"kind\":\"c\"},\"orders\":[{\"updatedAt\":1,"
        + "\"lines\":[{\"updatedAt\":1,\"qty\":1}]}],\"nested\":{\"updatedAt\":1}}";
    String neu = "{\"updatedAt\":2,\"meta\":{\"etag\":\"b\",\"kind\":\"c\"},\"orders\":[{\"updatedAt\":2,"
        + "\"lines\":[{\"updatedAt\":2,\"qty\":1}]}],\"nested\":{\"updatedAt\":2}}";

    assertThat(diff(legacy, neu, "updatedAt", "meta.etag", "orders.updatedAt", "orders.lines.updatedAt"))
        .containsExactly("$.nested.updatedAt"); // "updatedAt" is rooted: it does not reach into "nested"
    assertThat(diff("[{\"id\":1,\"at\":1},{\"id\":2,\"at\":2}]", "[{\"id\":1,\"at\":3},{\"id\":2,\"at\":4}]", "at"))
        .isEmpty();
  }

  @Test
  void numbersCompareByValueAndNullEqualsAbsent() throws Exception {
    assertThat(diff("{\"n\":1,\"m\":2.50,\"z\":null}", "{\"n\":1.0,\"m\":2.5}")).isEmpty();
    assertThat(diff("{\"n\":1}", "{\"n\":\"1\"}")).containsExactly("$.n");
  }

  @Test
  void stopsCountingAtTheLimit() throws Exception {
    StringBuilder a = new StringBuilder("[");
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < 200; i++) {
      a.append(i == 0 ? "" : ",").append(i);
      b.append(i == 0 ? "" : ",").append(-i - 1);
    }
    assertThat(diff(a.append(']').toString(), b.append(']').toString())).hasSize(JsonDiff.MAX_DIFFERENCES);
  }

  @Test
  void comparesNonJsonOrUnparsableBodiesByteForByte() {
    JsonDiff none = new JsonDiff(List.of());
    assertThat(ShadowComparator.differences(none, response("text/plain", "a"), response("text/plain", "a"))).isEmpty();
    assertThat(ShadowComparator.differences(none, response("text/plain", "a"), response("text/plain", "b")))
        .containsExactly("$");
    assertThat(ShadowComparator.differences(none, response("application/json", "{\"a\":1} x"),
        response("application/json", "{\"a\":1}"))).containsExactly("$");
    assertThat(ShadowComparator.differences(none, response("application/problem+json; charset=utf-8", "{\"a\":1}"),
        response("application/json", "{ \"a\" : 1.0 }"))).isEmpty();
  }

  @Test
  void cutsLongBodies() {
    String big = "x".repeat(ShadowMismatch.MAX_BODY_BYTES + 10);
    assertThat(ShadowComparator.excerpt(Buffer.buffer(big)))
        .startsWith("x".repeat(ShadowMismatch.MAX_BODY_BYTES) + "…")
        .endsWith("[cut at 16384 of 16394 bytes]");
    assertThat(ShadowComparator.excerpt(Buffer.buffer("small"))).isEqualTo("small");
  }

  private static UpstreamResponse response(String contentType, String body) {
    return new UpstreamResponse(200, MultiMap.caseInsensitiveMultiMap().add("Content-Type", contentType),
        Buffer.buffer(body));
  }
}
