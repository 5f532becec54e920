package io.tandem.router.proxy;

import io.tandem.routing.Decision;
import io.tandem.routing.RoutingState;
import io.tandem.routing.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Proxies one route: decides the request's key, then forwards it where the decision says. */
final class RouteHandler implements io.vertx.core.Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(RouteHandler.class);

  private final Vertx vertx;
  private final ProxyRoute route;
  private final Supplier<RoutingState> state;
  private final UpstreamClient live;
  private final UpstreamClient shadow;
  private final ShadowComparator comparator;
  private final ProxyMetrics metrics;
  private final JsonDiff diff;
  private final BackgroundWork background;
  private final java.time.Duration recheckDelay;

  RouteHandler(Vertx vertx, ProxyRoute route, Supplier<RoutingState> state, UpstreamClient live,
      UpstreamClient shadow, ShadowComparator comparator, ProxyMetrics metrics, BackgroundWork background,
      java.time.Duration recheckDelay) {
    this.recheckDelay = recheckDelay;
    this.vertx = vertx;
    this.route = route;
    this.state = state;
    this.live = live;
    this.shadow = shadow;
    this.comparator = comparator;
    this.metrics = metrics;
    this.diff = new JsonDiff(route.ignoreFields());
    this.background = background;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    request.pause(); // nothing is read before the checks below
    String badPath = ProxyPath.refusal(route, request.path());
    if (badPath != null) {
      Problems.send(ctx, 400, Problems.BAD_PATH, "Bad request path", badPath + "; nothing was sent upstream");
      return;
    }
    String declared = request.getHeader("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        length = -1;
      }
      if (length < 0) {
        closeAfter(ctx, 400, Problems.BAD_LENGTH, "Bad Content-Length", "Content-Length must be one non-negative "
            + "number of bytes");
        return;
      }
      if (length > route.maxBodyBytes()) {
        tooLarge(ctx, "declares a body of " + length + " bytes (Content-Length)");
        return;
      }
    }
    String key = key(ctx);
    if (key == null) {
      Problems.send(ctx, 400, Problems.MISSING_KEY, "Missing routing key",
          "entity '" + route.entity() + "' is routed by " + describe(route.key()) + ", which the request "
              + "does not carry");
      return;
    }
    Decision decision = state.get().decide(route.entity(), key, attributes(ctx));
    boolean read = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD;
    if (!read && decision.writeFenced()) {
      // A write switch moves this key's writes: written on either side now, it could be lost or conflict.
      ctx.response().putHeader("Retry-After", "1");
      Problems.send(ctx, 503, Problems.WRITE_FENCED, "Writes fenced", "a write switch is moving the writes of "
          + route.entity() + " " + key + " (routing version " + decision.version() + "); nothing was written,"
          + " retry after 1 s");
      return;
    }
    Target target = read ? decision.read() : decision.write();
    String pathAndQuery = request.path() + (request.query() == null ? "" : "?" + request.query());
    String forwardedFor = Headers.forwardedElement(request.remoteAddress() == null ? null
        : request.remoteAddress().hostAddress(), request.isSSL(), request.getHeader("Host"));
    MultiMap headers = Headers.toUpstream(request.headers(), forwardedFor);
    body(ctx, route.maxBodyBytes()).onComplete(result -> {
      if (result.failed()) {
        if (result.cause() instanceof BodyTooLarge) {
          tooLarge(ctx, "sent more than that (chunked)");
        } else {
          LOG.debug("Could not read the body of {} {}: {}", request.method(), route.pathTemplate(),
              result.cause().toString());
        }
        return;
      }
      metrics.decision(route.entity(), decision.cohort(), target);
      ForwardedRequest forwarded = new ForwardedRequest(request.method(), pathAndQuery, headers, result.result());
      if (!read) {
        forward(ctx, decision, target, forwarded); // a write goes where the decision says or nowhere
      } else if (decision.shadow()) {
        shadowRead(ctx, decision, forwarded);
      } else if (target == Target.NEW) {
        readFromNew(ctx, decision, forwarded);
      } else {
        forward(ctx, decision, Target.LEGACY, forwarded);
      }
    });
  }

  /** 413, then the connection is closed: the rest of the body is never read. */
  private void tooLarge(RoutingContext ctx, String what) {
    closeAfter(ctx, 413, Problems.BODY_TOO_LARGE, "Request body too large", "this route ("
        + route.pathTemplate() + ") accepts bodies up to " + route.maxBodyBytes() + " bytes; the request " + what
        + "; nothing was sent upstream");
  }

  private static void closeAfter(RoutingContext ctx, int status, String slug, String title, String detail) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return;
    }
    response.putHeader("Connection", "close");
    response.endHandler(v -> ctx.request().connection().close());
    Problems.send(ctx, status, slug, title, detail);
  }

  private void forward(RoutingContext ctx, Decision decision, Target target, ForwardedRequest request) {
    live.send(route, target, request).onComplete(answer -> {
      if (answer.succeeded()) {
        respond(ctx, decision, target, answer.result(), false);
      } else {
        badGateway(ctx, decision, ProxyMetrics.tag(target) + " upstream failed: " + reason(target, answer.cause()));
      }
    });
  }

  private void readFromNew(RoutingContext ctx, Decision decision, ForwardedRequest request) {
    live.send(route, Target.NEW, request).onComplete(answer -> {
      if (answer.succeeded() && !answer.result().isServerError()) {
        respond(ctx, decision, Target.NEW, answer.result(), false);
        return;
      }
      String failure = answer.succeeded() ? "new upstream answered " + answer.result().status()
          : "new upstream failed: " + reason(Target.NEW, answer.cause());
      if (!route.fallbackToLegacy()) {
        badGateway(ctx, decision, failure);
        return;
      }
      metrics.fallback(route.entity(), decision.cohort());
      live.send(route, Target.LEGACY, request).onComplete(legacy -> {
        if (legacy.succeeded()) {
          respond(ctx, decision, Target.LEGACY, legacy.result(), true);
        } else {
          badGateway(ctx, decision, failure + "; the fallback to legacy failed too: "
              + reason(Target.LEGACY, legacy.cause()));
        }
      });
    });
  }

  /** Answers from legacy as soon as legacy answers; new's answer is only compared, later, off the event loop. */
  private void shadowRead(RoutingContext ctx, Decision decision, ForwardedRequest request) {
    Future<UpstreamResponse> legacy = live.send(route, Target.LEGACY, request);
    Future<UpstreamResponse> neu = shadow.send(route, Target.NEW, request.asShadow());
    legacy.onComplete(answer -> {
      if (answer.succeeded()) {
        respond(ctx, decision, Target.LEGACY, answer.result(), false);
      } else {
        badGateway(ctx, decision, "legacy upstream failed: " + reason(Target.LEGACY, answer.cause()));
      }
    });
    String described = request.method().name() + " " + request.pathAndQuery();
    background.track(Future.join(legacy, neu).transform(both -> vertx.executeBlocking(() -> {
      boolean differ = ShadowComparator.differ(diff, legacy, neu);
      if (!differ || recheckDelay.isZero()) {
        comparator.record(decision, described, diff, legacy, neu);
      }
      return differ && !recheckDelay.isZero();
    }, false)).compose(recheck -> recheck ? recheck(decision, request, described) : Future.succeededFuture())
        .onFailure(e -> LOG.warn("Could not compare the shadow read {}", described, e)));
  }

  /*
   * New may simply not have applied legacy's latest change yet: both sides are read again after the re-check
   * delay (as shadow reads, off the caller's path) before a difference counts as a mismatch.
   */
  private Future<Void> recheck(Decision decision, ForwardedRequest request, String described) {
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    vertx.setTimer(recheckDelay.toMillis(), timer -> {
      try {
        Future<UpstreamResponse> legacy = shadow.send(route, Target.LEGACY, request.asShadow());
        Future<UpstreamResponse> neu = shadow.send(route, Target.NEW, request.asShadow());
        Future.join(legacy, neu).transform(both -> vertx.executeBlocking(() -> {
          comparator.recordRecheck(decision, described, diff, legacy, neu);
          return (Void) null;
        }, false)).onComplete(done);
      } catch (RuntimeException e) {
        // The proxy closed while the re-check waited: nothing more to compare.
        LOG.debug("Shadow re-check of {} dropped: {}", described, e.toString());
        done.tryComplete();
      }
    });
    return done.future();
  }

  private void respond(RoutingContext ctx, Decision decision, Target served, UpstreamResponse upstream,
      boolean fellBack) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.closed()) {
      return; // the caller left
    }
    Headers.toCaller(upstream.headers(), response.headers(), java.util.List.of(route.legacy(), route.newUpstream()));
    routingHeaders(response, decision);
    response.putHeader(Headers.TARGET, ProxyMetrics.tag(served));
    if (fellBack) {
      response.putHeader(Headers.FALLBACK, "true");
    }
    String length = upstream.headers().get("Content-Length");
    if (ctx.request().method() == HttpMethod.HEAD && length != null) {
      response.putHeader("Content-Length", length); // a HEAD answer tells the length of the body it omits
    }
    response.setStatusCode(upstream.status()).end(upstream.body());
  }

  private static void badGateway(RoutingContext ctx, Decision decision, String detail) {
    if (!ctx.response().ended() && !ctx.response().closed()) {
      routingHeaders(ctx.response(), decision);
    }
    Problems.send(ctx, 502, Problems.BAD_GATEWAY, "Upstream failed", detail);
  }

  private static void routingHeaders(HttpServerResponse response, Decision decision) {
    response.putHeader(Headers.VERSION, Long.toString(decision.version()));
    if (decision.cohort() != null) {
      response.putHeader(Headers.COHORT, decision.cohort());
    }
  }

  private String key(RoutingContext ctx) {
    String name = route.key().name();
    String value;
    switch (route.key().location()) {
      case PATH:
        value = ctx.pathParam(name);
        break;
      case HEADER:
        value = ctx.request().getHeader(name);
        break;
      default:
        value = ctx.queryParams().get(name);
    }
    return value == null || value.isBlank() ? null : value;
  }

  /**
   * The request's attributes for cohort rules: its query parameters (but the key's), then
   * {@code X-Tandem-Attr-<name>} headers (name lower-cased, '-' read as '_').
   */
  private Map<String, String> attributes(RoutingContext ctx) {
    Map<String, String> attributes = new HashMap<>();
    MultiMap query = ctx.queryParams();
    boolean keyInQuery = route.key().location() == KeySource.Location.QUERY;
    for (String name : query.names()) {
      if (!(keyInQuery && name.equals(route.key().name()))) {
        attributes.put(name, query.get(name));
      }
    }
    for (Map.Entry<String, String> header : ctx.request().headers()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(Headers.ATTRIBUTE_PREFIX) && name.length() > Headers.ATTRIBUTE_PREFIX.length()) {
        attributes.put(name.substring(Headers.ATTRIBUTE_PREFIX.length()).replace('-', '_'), header.getValue());
      }
    }
    return attributes;
  }

  /** The body, failing with {@link BodyTooLarge} as soon as more than {@code limit} bytes arrived. */
  private static Future<Buffer> body(RoutingContext ctx, long limit) {
    if (ctx.body().available()) { // a body handler mounted ahead of the proxy read it already
      Buffer read = ctx.body().buffer();
      Buffer body = read == null ? Buffer.buffer() : read;
      return body.length() > limit ? Future.failedFuture(new BodyTooLarge()) : Future.succeededFuture(body);
    }
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      return request.body();
    }
    Promise<Buffer> done = Promise.promise();
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      if ((long) body.length() + chunk.length() > limit) {
        request.pause();
        done.tryFail(new BodyTooLarge());
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> done.tryComplete(body));
    request.exceptionHandler(done::tryFail);
    request.resume();
    return done.future();
  }

  /** The body grew past the route's limit while it was read. */
  private static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge() {
      super("request body too large", null, false, false);
    }
  }

  private static String describe(KeySource key) {
    switch (key.location()) {
      case PATH:
        return "the path variable {" + key.name() + "}";
      case HEADER:
        return "the header " + key.name();
      default:
        return "the query parameter " + key.name();
    }
  }

  /**
   * What a caller may learn of an upstream failure: that it timed out or could not be reached, never the
   * upstream's address (connection errors name it). The full cause goes to the log.
   */
  private String reason(Target target, Throwable failure) {
    LOG.warn("Proxy route {}: {} upstream failed: {}", route.pathTemplate(), ProxyMetrics.tag(target),
        failure.toString());
    if (failure instanceof java.util.concurrent.TimeoutException) {
      return "no answer within " + route.timeout().toMillis() + " ms";
    }
    return "connection failed or was closed before an answer";
  }
}
