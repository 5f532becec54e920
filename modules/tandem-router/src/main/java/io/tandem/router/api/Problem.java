package io.tandem.router.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/** An RFC 9457 problem answer: {@code application/problem+json} with type, title, status, detail. */
public final class Problem extends RuntimeException {
  /** Problem types are this plus a slug, e.g. {@code https://tandem.dev/problems/version-conflict}. */
  public static final String TYPE_BASE = "https://tandem.dev/problems/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final int status;
  private final String slug;
  private final String title;
  private final Long currentVersion;
  private final ObjectNode extensions = JSON.createObjectNode();

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

  /** Adds an extension member (RFC 9457 section 3.2), e.g. the conditions a gate found failed. */
  public Problem with(String member, Iterable<String> values) {
    com.fasterxml.jackson.databind.node.ArrayNode array = extensions.putArray(member);
    values.forEach(array::add);
    return this;
  }

  public void send(RoutingContext ctx) {
    ObjectNode body = JSON.createObjectNode();
    body.put("type", TYPE_BASE + slug);
    body.put("title", title);
    body.put("status", status);
    body.put("detail", getMessage());
    body.put("instance", ctx.request().path());
    if (currentVersion != null) {
      body.put("currentVersion", currentVersion);
    }
    body.setAll(extensions);
    if (status == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tandem-router\"");
    }
    try {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
