package io.tandem.router.proxy;

import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.routing.RoutingState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.Router;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The cohort router's read proxy. Each configured route is routed by the key it carries: reads (GET,
 * HEAD) go to the decision's read target, other methods to its write target. In the SHADOW phase the
 * caller gets legacy's answer while new is asked too, in the background, and the two are compared.
 * Reads new fails are served from legacy when the route allows it.
 *
 * <p>Responses carry {@code X-Tandem-Target} (legacy|new), {@code X-Tandem-Routing-Version}, and
 * {@code X-Tandem-Cohort} when a cohort holds the key ({@code X-Tandem-Fallback: true} after a fallback).
 * Cohort rules see the request's query parameters and {@code X-Tandem-Attr-<name>} headers as attributes.
 * Request and response bodies are buffered whole (comparison and fallback need them): this proxies API
 * calls, not downloads. Request bodies are bounded per route ({@link ProxyRoute#maxBodyBytes}, 413 beyond);
 * paths an upstream could read as another path are refused with 400 ({@code ProxyPath}); hop-by-hop headers
 * stay on their hop and upstreams get an RFC 7239 {@code Forwarded} element ({@code Headers}).
 */
public final class ReadProxy {
  public static final int DEFAULT_SAMPLE_SIZE = 100;

  // Shadow reads get their own, smaller pool with a bounded queue: a slow new side then fails shadow
  // reads (counted as errors) instead of taking connections from, or piling up behind, live traffic.
  private static final int LIVE_POOL_SIZE = 64;
  private static final int SHADOW_POOL_SIZE = 16;
  /** A little above the replication lag the gates accept by default (5 s would hide real lag problems). */
  public static final java.time.Duration DEFAULT_RECHECK_DELAY = java.time.Duration.ofSeconds(2);
  private static final int SHADOW_QUEUE_SIZE = 256;

  private final List<ProxyRoute> routes;
  private final HttpClient liveHttp;
  private final HttpClient shadowHttp;
  private final MismatchSamples samples;
  private final List<RouteHandler> handlers;
  private final BackgroundWork background = new BackgroundWork();

  public ReadProxy(Vertx vertx, List<ProxyRoute> routes, Supplier<RoutingState> state, MeterRegistry meters) {
    this(vertx, routes, state, meters, DEFAULT_SAMPLE_SIZE);
  }

  /** @param sampleSize how many of the latest shadow mismatches to keep (0: none) */
  public ReadProxy(Vertx vertx, List<ProxyRoute> routes, Supplier<RoutingState> state, MeterRegistry meters,
      int sampleSize) {
    this(vertx, routes, state, meters, sampleSize, DEFAULT_RECHECK_DELAY);
  }

  /**
   * @param recheckDelay how long after a differing shadow read both sides are read again before it counts as a
   *     mismatch (zero: counted at once)
   */
  public ReadProxy(Vertx vertx, List<ProxyRoute> routes, Supplier<RoutingState> state, MeterRegistry meters,
      int sampleSize, java.time.Duration recheckDelay) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(meters, "meters");
    this.routes = distinct(routes);
    this.samples = new MismatchSamples(sampleSize);
    ProxyMetrics metrics = new ProxyMetrics(meters);
    this.liveHttp = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(LIVE_POOL_SIZE));
    this.shadowHttp = vertx.createHttpClient(new HttpClientOptions(),
        new PoolOptions().setHttp1MaxSize(SHADOW_POOL_SIZE).setMaxWaitQueueSize(SHADOW_QUEUE_SIZE));
    UpstreamClient live = new UpstreamClient(vertx, liveHttp, metrics);
    UpstreamClient shadow = new UpstreamClient(vertx, shadowHttp, metrics);
    ShadowComparator comparator = new ShadowComparator(metrics, samples, Clock.systemUTC());
    this.handlers = this.routes.stream()
        .map(route -> new RouteHandler(vertx, route, state, live, shadow, comparator, metrics, background,
            recheckDelay))
        .toList();
  }

  /**
   * Adds one Vert.x Web route per proxied path template, for every method; and, ahead of every other route of
   * {@code router}, a guard that refuses paths with dot segments or malformed percent-encoding with 400 (Vert.x
   * Web would resolve the dot segments before matching, so a route would see a path other than the one sent).
   */
  public void mount(Router router) {
    router.route().order(Integer.MIN_VALUE).handler(ctx -> {
      String refusal = ProxyPath.refusal(ctx.request().path());
      if (refusal == null) {
        ctx.next();
      } else {
        Problems.send(ctx, 400, Problems.BAD_PATH, "Bad request path", refusal);
      }
    });
    for (int i = 0; i < routes.size(); i++) {
      router.route(routes.get(i).routerPath()).handler(handlers.get(i));
    }
  }

  public List<ProxyRoute> routes() {
    return routes;
  }

  /** The latest shadow mismatches, oldest first (an immutable copy). */
  public List<ShadowMismatch> mismatches() {
    return samples.snapshot();
  }

  /**
   * Closes the upstream connections (failing exchanges still in flight) and completes once the shadow
   * comparisons under way are done, so Vert.x can be closed after it.
   */
  public Future<Void> close() {
    return Future.join(liveHttp.close(), shadowHttp.close()).eventually(background::drained).mapEmpty();
  }

  private static List<ProxyRoute> distinct(List<ProxyRoute> routes) {
    Objects.requireNonNull(routes, "routes");
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < routes.size(); i++) {
      ProxyRoute route = Objects.requireNonNull(routes.get(i), "routes[" + i + "]");
      // Variable names do not change which paths a template matches.
      String shape = route.pathTemplate().replaceAll("\\{[^}]*}", "{}");
      Integer other = seen.putIfAbsent(shape, i);
      if (other != null) {
        throw new IllegalArgumentException("routes[" + i + "] pathTemplate \"" + route.pathTemplate()
            + "\" matches the same paths as routes[" + other + "] \"" + routes.get(other).pathTemplate() + "\"");
      }
    }
    return List.copyOf(routes);
  }
}
