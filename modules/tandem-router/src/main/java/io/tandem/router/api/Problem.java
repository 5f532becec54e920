package io.tandem.router.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.ProblemDocument;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** An RFC 9457 problem answer: {@code application/problem+json} as {@link ApiCodec#problem} writes it. */
public final class Problem extends RuntimeException {
  /** Problem types are this plus a slug, e.g. {@code https://tandem.dev/problems/version-conflict}. */
  public static final String TYPE_BASE = ProblemDocument.TYPE_BASE;
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int status;
  private final String slug;
  private final String title;
  private final Long currentVersion;
  private List<String> gatedMoves = List.of();
  private List<String> failedConditions = List.of();
  private int retryAfterSeconds = -1;

  public Problem(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, null);
  }

  public Problem(int status, String slug, String title, String detail, Long currentVersion) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.currentVersion = currentVersion;
  }

  public int status() {
    return status;
  }

  /** A promotion gate's refusal: the moves it judged and each condition that failed (RFC 9457 extensions). */
  public Problem withGateRefusal(List<String> moves, List<String> failed) {
    this.gatedMoves = List.copyOf(moves);
    this.failedConditions = List.copyOf(failed);
    return this;
  }

  /** Asks the caller to retry after {@code seconds} ({@code Retry-After}). */
  public Problem withRetryAfter(int seconds) {
    this.retryAfterSeconds = seconds;
    return this;
  }

  /** A problem document's bytes, for answers made outside a routing context. */
  public static byte[] document(int status, String slug, String title, String detail, String instance) {
    try {
      return JSON.writeValueAsBytes(ApiCodec.problem(new ProblemDocument(TYPE_BASE + slug, title, status, detail,
          instance, null)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public void send(RoutingContext ctx) {
    ProblemDocument document = new ProblemDocument(TYPE_BASE + slug, title, status, getMessage(),
        ctx.request().path(), currentVersion, gatedMoves, failedConditions);
    if (retryAfterSeconds >= 0) {
      ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    }
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem-router\"");
    }
    try {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(ApiCodec.problem(document))));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
