package io.tandem.router;

import java.util.Optional;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.router.api.DecisionMetrics;
import io.tandem.router.api.OperatorApi;
import io.tandem.router.api.Problem;
import io.tandem.router.api.Role;
import io.tandem.router.proxy.ReadProxy;
import io.tandem.router.api.TokenAuth;
import io.tandem.router.gate.PromotionGate;
import io.tandem.router.gate.StatusBoard;
import io.tandem.router.gate.StatusView;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Command;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.Proposal;
import io.tandem.routing.Rejection;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingState;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One router replica: follows the routing log, declares the configured entities in it, and serves the
 * decision and operator APIs, the OpenAPI document, health and Prometheus metrics over Vert.x.
 *
 * <p>It is {@link State#RUNNING} while it serves and its routing-log follower is healthy, and
 * {@link State#FAILED} once the follower stopped by itself (it can no longer see flips: restart it).
 */
public final class RouterServer extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(RouterServer.class);
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

  private final RouterSettings settings;
  private final PrometheusMeterRegistry meters;
  private final Consumer<Router> extra;
  private volatile Vertx vertx;
  private volatile HttpServer server;
  private volatile RoutingLog log;
  private volatile RoutingLogWriter writer;
  private volatile KeyMaps keyMaps = KeyMaps.none();
  private volatile CohortEvents events;
  private volatile Router router;
  private volatile StatusBoard status;
  private volatile io.tandem.router.console.PipelineWatch watch;

  /**
   * A replica, not started.
   *
   * @param meters served on {@code /metrics}
   * @param extra mounts more routes (e.g. a dashboard) before the proxy's
   */
  public RouterServer(RouterSettings settings, PrometheusMeterRegistry meters, Consumer<Router> extra) {
    super("router");
    this.settings = settings;
    this.meters = meters;
    this.extra = extra;
  }

  /** Builds and starts a replica. */
  public static RouterServer start(RouterSettings settings, PrometheusMeterRegistry meters, Consumer<Router> extra) {
    RouterServer server = new RouterServer(settings, meters, extra);
    server.start();
    return server;
  }

  /** Replays the routing log, declares the entities, then serves; returns once it answers requests. */
  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      startServing();
      lifecycle.markRunning();
    } catch (Exception e) {
      lifecycle.finish(e);
      throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot start the router: "
          + e.getMessage(), e);
    }
  }

  @Override
  public State state() {
    State current = lifecycle.state();
    RoutingLog followed = log;
    if (current == State.RUNNING && followed != null && !followed.healthy()) {
      lifecycle.finish(new IllegalStateException("the routing log follower stopped; this replica no longer sees "
          + "flips (see tandem.log)"));
      return lifecycle.state();
    }
    return current;
  }

  @Override
  public Optional<Throwable> failure() {
    state();
    return lifecycle.failure();
  }

  @Override
  public String status() {
    HttpServer listening = server;
    RoutingLog followed = log;
    return state() + (listening == null ? "" : "  " + scheme() + "://" + settings.host() + ":" + listening.actualPort()
        + ", routing version " + followed.state().version() + ", topic " + settings.topic());
  }

  private void startServing() throws Exception {
    RoutingLogWriter.ensureTopic(settings.kafka(), settings.topic(), settings.replicationFactor());
    RoutingLog log = RoutingLog.follow(settings.kafka(), settings.topic(), settings.limits().compiledVersions(),
        settings.limits().keptVersions(), settings.limits().auditEntries());
    this.log = log;
    RoutingLogWriter writer = null;
    Vertx vertx = null;
    StatusBoard status = null;
    try {
      log.awaitCaughtUp(Duration.ofSeconds(60));
      StatusView facts = NO_FACTS;
      // Followed also without gates: the console shows the stages' progress, lag and verifications from it.
      StatusBoard.ensureTopic(settings.kafka(), settings.gates().statusTopic(), settings.replicationFactor());
      status = StatusBoard.follow(settings.kafka(), settings.gates().statusTopic());
      status.awaitCaughtUp(Duration.ofSeconds(60));
      FunctionCounter.builder("tandem.router.status.records.skipped", status, StatusBoard::skipped)
          .description("Status-topic records this replica could not decode and skipped").register(meters);
      if (settings.gates().enabled()) {
        facts = status;
      }
      watch = io.tandem.router.console.PipelineWatch.start(settings.kafka(), Duration.ofSeconds(5));
      if (!settings.mergedEntities().isEmpty()) {
        keyMaps = KeyMaps.follow(settings.kafka(), settings.mergedEntities(), 6, settings.replicationFactor());
        keyMaps.awaitCaughtUp(Duration.ofSeconds(60));
        Gauge.builder("tandem.router.keymap.members", keyMaps, KeyMaps::size)
            .description("Members of merged entities' key maps this replica holds").register(meters);
      }
      writer = new RoutingLogWriter(settings.kafka(), settings.topic(), log);
      for (RouterSettings.Webhook webhook : settings.events().webhooks()) {
        Optional<String> missing = webhook.secretEnv().filter(name -> System.getenv(name) == null
            || System.getenv(name).isEmpty());
        if (missing.isPresent()) {
          throw new IllegalStateException("router.webhooks: environment variable " + missing.get() + " (the HMAC key"
              + " for " + webhook.url() + ") is not set");
        }
      }
      events = CohortEvents.start(settings.kafka(), settings.events().topic(), settings.replicationFactor(),
          settings.events().webhooks(), System.getenv(), meters, log, writer);
      declareEntities(log, writer, settings.entities());
      Gauge.builder("tandem.router.routing.version", log, l -> l.state().version())
          .description("Routing version this replica decides with").register(meters);
      Gauge.builder("tandem.router.log.last.record.age", log, RouterServer::secondsSinceLastRecord)
          .baseUnit("seconds").description("Time since the last routing-log record this replica applied")
          .register(meters);

      vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors())));
      Router router = Router.router(vertx);
      // Every answer of the routed API by status class (the decision fast path answers 200s and counts decisions).
      Map<String, io.micrometer.core.instrument.Counter> responses = new java.util.concurrent.ConcurrentHashMap<>();
      router.route().order(-1000).handler(ctx -> {
        ctx.addEndHandler(done -> responses.computeIfAbsent(ctx.response().getStatusCode() / 100 + "xx",
            statusClass -> io.micrometer.core.instrument.Counter.builder("tandem.router.http.responses")
                .tag("status", statusClass)
                .description("HTTP answers of the routed API (operator, actions, proxy, metrics) by status class")
                .register(meters)).increment());
        ctx.next();
      });
      TokenAuth auth = new TokenAuth(settings.tokens());
      PromotionGate gate = new PromotionGate(settings.gates(), facts, Clock.systemUTC());
      OperatorApi api = new OperatorApi(log, writer, auth, new DecisionMetrics(meters), Clock.systemUTC(),
          APPLY_TIMEOUT, gate, settings.limits());
      api.keyMaps(keyMaps).mount(router);
      new io.tandem.router.console.ConsoleApi(log, auth, gate, status, watch, Clock.systemUTC()).mount(router);
      new io.tandem.router.api.ActionsApi(log, writer, auth, Clock.systemUTC(), APPLY_TIMEOUT).mount(router);
      byte[] openApi = openApi();
      router.get("/v1/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
          .end(Buffer.buffer(openApi)));
      router.get("/metrics").handler(ctx -> ctx.response()
          .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(meters.scrape()));
      router.get("/health").handler(ctx -> {
        Optional<String> down = down(log);
        com.fasterxml.jackson.databind.node.ObjectNode health = com.fasterxml.jackson.databind.node.JsonNodeFactory
            .instance.objectNode().put("status", down.isEmpty() ? "UP" : "DOWN").put("version", log.state().version());
        down.ifPresent(why -> health.put("detail", why));
        ctx.response().setStatusCode(down.isEmpty() ? 200 : 503).putHeader("content-type", "application/json")
            .end(health.toString());
      });
      ReadProxy proxy = new ReadProxy(vertx, settings.routes(), log::state, meters, settings.shadowSampleSize());
      router.get("/v1/shadow/mismatches").handler(ctx -> {
        try {
          auth.require(ctx, Role.VIEWER);
          ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(Mismatches.json(proxy.mismatches())));
        } catch (Problem problem) {
          problem.send(ctx);
        }
      });
      extra.accept(router);
      proxy.mount(router);
      // Every error answer is a problem document, also those vert.x-web gives itself: no route (404), a path
      // known for other methods (405), a body over the limit (413), and any failure a handler did not answer.
      router.route().failureHandler(RouterServer::failed);
      for (int code : new int[] {400, 404, 405, 406, 413, 415, 500}) {
        router.errorHandler(code, RouterServer::failed);
      }
      HttpServerOptions options = new HttpServerOptions().setTcpNoDelay(true)
          // HTTP/1.1 only on cleartext: no h2c upgrade (a JDK client's upgrade request could hang a
          // response here; load balancers speak 1.1 to their backends anyway).
          .setHttp2ClearTextEnabled(false);
      settings.tls().ifPresent(tls -> options.setSsl(true)
          .setKeyCertOptions(io.vertx.core.net.KeyCertOptions.wrap(tls.keyManagerFactory())));
      HttpServer server = vertx.createHttpServer(options)
          // A request the HTTP codec could not read (bad request line, URI or headers too long): a problem too.
          .invalidRequestHandler(RouterServer::invalidRequest)
          .requestHandler(request -> {
            if (!api.tryFastDecision(request)) {
              router.handle(request);
            }
          }).listen(settings.port(), settings.host())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      LOG.info("Router listening on {}://{}:{} (routing version {})", scheme(), settings.host(), server.actualPort(),
          log.state().version());
      this.vertx = vertx;
      this.server = server;
      this.writer = writer;
      this.router = router;
      this.status = status;
    } catch (Exception | Error e) {
      if (vertx != null) {
        vertx.close();
      }
      if (writer != null) {
        writer.close();
      }
      if (status != null) {
        status.close();
      }
      if (watch != null) {
        watch.close();
      }
      keyMaps.close();
      if (events != null) {
        events.close();
      }
      log.close();
      throw e;
    }
  }

  /**
   * Why this replica cannot answer as configured, if it cannot: its log follower stopped, or an entity it is
   * configured to route is not declared in the routing it follows (every decision for it would be 404).
   */
  private Optional<String> down(RoutingLog followed) {
    if (!followed.healthy()) {
      return Optional.of("the routing log follower stopped; this replica no longer sees changes");
    }
    RoutingState state = followed.state();
    List<String> missing = settings.entities().keySet().stream().filter(e -> state.entity(e).isEmpty()).sorted()
        .toList();
    if (!missing.isEmpty()) {
      return Optional.of("configured entities " + missing + " are not declared in the routing log at version "
          + state.version() + "; restart the replica to declare them");
    }
    return Optional.empty();
  }

  private static final java.util.Map<Integer, String[]> STATUS_PROBLEMS = java.util.Map.of(
      400, new String[] {"malformed", "Malformed request", "the request could not be read"},
      404, new String[] {"not-found", "Not found", "no such resource: %s"},
      405, new String[] {"method-not-allowed", "Method not allowed", "%s does not take this method"},
      406, new String[] {"not-acceptable", "Not acceptable", "the answer is JSON (application/json or application/problem+json)"},
      413, new String[] {"too-large", "Request too large", "the body is larger than the router accepts"},
      414, new String[] {"uri-too-long", "URI too long", "the request line is longer than the router accepts"},
      415, new String[] {"unsupported-media-type", "Unsupported media type", "the body must be sent as Content-Type: application/json"},
      431, new String[] {"headers-too-large", "Request headers too large", "the request headers are larger than the router accepts"});

  /** A failed request (a status or an exception) answered with a problem document, never a stack trace. */
  private static void failed(io.vertx.ext.web.RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof Problem problem) {
      problem.send(ctx);
      return;
    }
    int status = ctx.statusCode();
    if (failure instanceof io.vertx.ext.web.handler.HttpException http) {
      status = http.getStatusCode();
    }
    String[] known = STATUS_PROBLEMS.get(status);
    if (known == null || (failure != null && !(failure instanceof io.vertx.ext.web.handler.HttpException))) {
      OperatorApi.internalError(ctx, failure == null ? new IllegalStateException("failed with status " + status)
          : failure);
      return;
    }
    if (status == 413) {
      // The rest of a body over the limit is not read (the socket stops being read at once, not drained
      // to the end), and the connection is closed once the answer is out.
      ctx.request().pause();
      ctx.response().putHeader("Connection", "close").endHandler(v -> ctx.request().connection().close());
    }
    new Problem(status, known[0], known[1], String.format(known[2], ctx.request().path())).send(ctx);
  }

  /** A request the HTTP codec refused (400, 414, 431): the same problem format as every other error. */
  private static void invalidRequest(io.vertx.core.http.HttpServerRequest request) {
    io.netty.handler.codec.DecoderResult result = request.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    int status = 400;
    if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
      String message = String.valueOf(cause.getMessage());
      status = message.contains("header") ? 431 : 414;
    }
    String[] known = STATUS_PROBLEMS.get(status);
    request.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
        .putHeader("Connection", "close")
        .end(Buffer.buffer(Problem.document(status, known[0], known[1], known[2], null)));
  }

  /** The facts of a replica whose gates are off: none (the gate never asks for them). */
  private static final StatusView NO_FACTS = new StatusView() {
    @Override
    public java.util.Optional<io.tandem.routing.status.StatusRecord.Verification> verification(String entity,
        String cohort) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<io.tandem.routing.status.StatusRecord.Lag> lag(String entity) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<io.tandem.routing.status.StatusRecord.Lag> captureLag(String entity) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<io.tandem.routing.status.StatusRecord.Lag> lag(String entity, String source) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<String> problem() {
      return java.util.Optional.of("promotion gates are disabled");
    }
  };

  private static double secondsSinceLastRecord(RoutingLog log) {
    Instant last = log.lastRecordTime();
    return last == null ? Double.NaN : Duration.between(last, Instant.now()).toMillis() / 1000.0;
  }

  /**
   * Declares every configured entity (with its attributes) in the log, unless the log already holds it
   * so. Replicas starting together race; the losers see the winner's record and have nothing to do.
   */
  private static void declareEntities(RoutingLog log, RoutingLogWriter writer, Map<String, List<String>> entities)
      throws Exception {
    for (Map.Entry<String, List<String>> entity : entities.entrySet()) {
      for (int attempt = 0; ; attempt++) {
        RoutingState state = log.state();
        EntityRouting existing = state.entities().get(entity.getKey());
        if (existing != null && existing.attributes().equals(entity.getValue())) {
          break;
        }
        Proposal proposal = new Proposal(UUID.randomUUID().toString(), state.version(), "router-config",
            "declared in the router configuration", Instant.now(), false,
            new Command.DefineEntity(entity.getKey(), entity.getValue()));
        AuditEntry entry = writer.propose(proposal).get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (entry.applied()) {
          break;
        }
        if (entry.rejection() != Rejection.VERSION_CONFLICT || attempt >= 20) {
          throw new IllegalStateException("cannot declare entity '" + entity.getKey() + "': " + entry.message());
        }
      }
    }
  }

  private static byte[] openApi() throws IOException {
    try (InputStream in = RouterServer.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json missing from the router's resources");
      }
      return in.readAllBytes();
    }
  }

  /** The paths this server answers, in OpenAPI form ({@code /v1/route/{entity}/{key}}). */
  java.util.Set<String> paths() {
    java.util.Set<String> paths = new java.util.TreeSet<>();
    router.getRoutes().stream().map(io.vertx.ext.web.Route::getPath).filter(java.util.Objects::nonNull)
        .filter(p -> !p.endsWith("*") && !p.endsWith("/"))
        .forEach(p -> paths.add(p.replaceAll(":([A-Za-z]+)", "{$1}")));
    return paths;
  }

  /** {@code https} when the listener serves TLS, else {@code http}. */
  public String scheme() {
    return settings.tls().isPresent() ? "https" : "http";
  }

  public int port() {
    return server.actualPort();
  }

  public RoutingLog log() {
    return log;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The status facts this replica follows for its promotion gates; empty when gates are disabled. */
  public java.util.Optional<StatusBoard> statusBoard() {
    return java.util.Optional.ofNullable(status);
  }

  @Override
  public void close() {
    State before = lifecycle.requestStop();
    if (before == State.CREATED || before == State.STOPPED || before == State.STOPPING || vertx == null) {
      lifecycle.finish(null);
      return;
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    writer.close();
    if (status != null) {
      status.close();
    }
    if (watch != null) {
      watch.close();
    }
    keyMaps.close();
    if (events != null) {
      events.close();
    }
    log.close();
    lifecycle.finish(null);
  }
}
