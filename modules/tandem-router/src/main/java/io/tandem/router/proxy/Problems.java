package io.tandem.router.proxy;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** RFC 9457 problem details, as the proxy's own error answers. */
final class Problems {
  static final String MEDIA_TYPE = "application/problem+json";
  static final String MISSING_KEY = "urn:tandem:router:missing-routing-key";
  static final String BAD_GATEWAY = "urn:tandem:router:upstream-failed";

  private Problems() {}

  static void send(HttpServerResponse response, int status, String type, String title, String detail) {
    if (response.ended() || response.closed()) {
      return;
    }
    String body = new JsonObject()
        .put("type", type)
        .put("title", title)
        .put("status", status)
        .put("detail", detail)
        .encode();
    response.setStatusCode(status).putHeader("Content-Type", MEDIA_TYPE).end(body);
  }
}
