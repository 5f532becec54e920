package io.tandem.router.proxy;

import io.tandem.router.api.Problem;
import io.vertx.ext.web.RoutingContext;

/** The proxy's own error answers: the router's RFC 9457 problem bodies, one format for the whole API. */
final class Problems {
  static final String MISSING_KEY = "missing-routing-key";
  static final String BAD_GATEWAY = "upstream-failed";
  static final String WRITE_FENCED = "write-fenced";
  static final String BAD_PATH = "bad-path";
  static final String BAD_LENGTH = "bad-content-length";
  static final String BODY_TOO_LARGE = "body-too-large";

  private Problems() {}

  static void send(RoutingContext ctx, int status, String slug, String title, String detail) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    new Problem(status, slug, title, detail).send(ctx);
  }

  /** The {@code type} URI of a problem with this slug. */
  static String type(String slug) {
    return Problem.TYPE_BASE + slug;
  }
}
