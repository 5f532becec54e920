package io.tandem.router.proxy;

import io.tandem.routing.Target;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** Sends a buffered request to a route's legacy or new upstream, within the route's timeout. */
final class UpstreamClient {
  private final Vertx vertx;
  private final HttpClient http;
  private final ProxyMetrics metrics;

  UpstreamClient(Vertx vertx, HttpClient http, ProxyMetrics metrics) {
    this.vertx = vertx;
    this.http = http;
    this.metrics = metrics;
  }

  /** The upstream's answer, whatever its status; fails on a connection error or the timeout. */
  Future<UpstreamResponse> send(ProxyRoute route, Target target, ForwardedRequest request) {
    URI base = target == Target.NEW ? route.newUpstream() : route.legacy();
    boolean ssl = "https".equalsIgnoreCase(base.getScheme());
    long timeoutMs = route.timeout().toMillis();
    RequestOptions options = new RequestOptions()
        .setMethod(request.method())
        .setHost(base.getHost())
        .setPort(base.getPort() != -1 ? base.getPort() : ssl ? 443 : 80)
        .setSsl(ssl)
        .setURI(basePath(base) + request.pathAndQuery())
        .setHeaders(request.headers())
        .setConnectTimeout(timeoutMs);

    long start = System.nanoTime();
    Promise<UpstreamResponse> answer = Promise.promise();
    AtomicReference<HttpClientRequest> inFlight = new AtomicReference<>();
    // One deadline for the whole exchange (waiting for a pooled connection, sending, the full body).
    long timer = vertx.setTimer(timeoutMs, id -> {
      if (answer.tryFail(new TimeoutException(ProxyMetrics.tag(target) + " upstream did not answer within "
          + timeoutMs + " ms"))) {
        HttpClientRequest req = inFlight.get();
        if (req != null) {
          req.reset(); // frees the connection instead of waiting for a late answer
        }
      }
    });
    http.request(options)
        .compose(req -> {
          if (answer.future().isComplete()) { // timed out while waiting for a connection
            req.reset();
            return Future.failedFuture("timed out");
          }
          inFlight.set(req);
          return request.body().length() == 0 ? req.send() : req.send(request.body());
        })
        .compose(resp -> resp.body().map(body -> new UpstreamResponse(resp.statusCode(), resp.headers(), body)))
        .onComplete(result -> {
          vertx.cancelTimer(timer);
          if (result.succeeded()) {
            answer.tryComplete(result.result());
          } else {
            answer.tryFail(result.cause());
          }
        });
    return answer.future().andThen(done -> metrics.latency(route.entity(), target, System.nanoTime() - start));
  }

  private static String basePath(URI base) {
    String path = base.getRawPath();
    if (path == null) {
      return "";
    }
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
