package io.tandem.router.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.router.RoutingLogWriter;
import io.tandem.router.gate.GateVerdict;
import io.tandem.router.gate.PromotionGate;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.AuditTrail;
import io.tandem.routing.Cohort;
import io.tandem.routing.Command;
import io.tandem.routing.Decision;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.GateOutcome;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalRejectedException;
import io.tandem.routing.Rejection;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingState;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.ChangeResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The decision API and the operator API. Every change is a proposal on the routing log carrying the
 * version it expects; the answer comes only after this replica applied it. Bad input is refused with a
 * problem body before anything is logged, so it changes nothing.
 */
public final class OperatorApi {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OperatorApi.class);
  /** Writes answers. */
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Reads requests strictly: numbers with a fraction as exact decimals (a percentage is never rounded through a
   * double), nothing after the document, no member twice.
   */
  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  private static final Set<String> CHANGE_FIELDS = Set.of("reason", "expectedVersion", "force");

  private final RoutingLog log;
  private final RoutingLogWriter writer;
  private final TokenAuth auth;
  private final DecisionMetrics metrics;
  private final Clock clock;
  private final Duration applyTimeout;
  private final PromotionGate gate;
  private final io.tandem.router.RouterSettings.Limits limits;

  public OperatorApi(RoutingLog log, RoutingLogWriter writer, TokenAuth auth, DecisionMetrics metrics, Clock clock,
      Duration applyTimeout, PromotionGate gate, io.tandem.router.RouterSettings.Limits limits) {
    this.log = log;
    this.limits = limits;
    this.gate = gate;
    this.writer = writer;
    this.auth = auth;
    this.metrics = metrics;
    this.clock = clock;
    this.applyTimeout = applyTimeout;
  }

  private io.tandem.router.KeyMaps keyMaps = io.tandem.router.KeyMaps.none();

  /** Merged entities' key maps: {@code ?source=} routes a legacy source's key by the new key it became. */
  public OperatorApi keyMaps(io.tandem.router.KeyMaps keyMaps) {
    this.keyMaps = keyMaps;
    return this;
  }

  public void mount(Router router) {
    // Over the limit: the body handler fails the request with 413, answered as a problem by the router's
    // failure handler (RouterServer).
    router.route("/v1/*").handler(BodyHandler.create(false).setBodyLimit(limits.maxBodyBytes()));
    router.get("/v1/route/:entity/:key").handler(guard(Role.VIEWER, this::route));
    router.get("/v1/entities").handler(guard(Role.VIEWER, this::entities));
    router.get("/v1/entities/:entity/cohorts").handler(guard(Role.VIEWER, this::cohorts));
    router.post("/v1/entities/:entity/cohorts").handler(guard(Role.OPERATOR, this::create));
    router.post("/v1/entities/:entity/cohorts/:cohort/percent").handler(guard(Role.OPERATOR, this::setPercent));
    router.put("/v1/entities/:entity/cohorts/:cohort/selector").handler(guard(Role.OPERATOR, this::setSelector));
    router.post("/v1/entities/:entity/cohorts/:cohort/promote").handler(guard(Role.OPERATOR, ctx -> step(ctx, true)));
    router.post("/v1/entities/:entity/cohorts/:cohort/demote").handler(guard(Role.OPERATOR, ctx -> step(ctx, false)));
    router.delete("/v1/entities/:entity/cohorts/:cohort").handler(guard(Role.OPERATOR, this::delete));
    router.post("/v1/rollback").handler(guard(Role.OPERATOR, this::rollback));
    router.get("/v1/switches").handler(guard(Role.VIEWER, this::switches));
    router.post("/v1/switches/:id/abort").handler(guard(Role.OPERATOR, this::abortSwitch));
    router.get("/v1/audit").handler(guard(Role.VIEWER, this::audit));
    router.get("/v1/version").handler(guard(Role.VIEWER, ctx -> {
      ObjectNode body = JSON.createObjectNode();
      body.put("version", log.state().version());
      body.put("lastRecordTime", String.valueOf(log.lastRecordTime()));
      ok(ctx, 200, body);
    }));
  }

  /**
   * The decision API's hot path, before vert.x-web's routing: answers {@code GET /v1/route/E/K} for a
   * known token, a known entity and plain (unescaped) path and query, allocating little (a GC pause is
   * what a decision's tail latency is made of). Anything else returns false and goes through the
   * router, which gives the same answer or the problem body.
   */
  public boolean tryFastDecision(io.vertx.core.http.HttpServerRequest request) {
    String path = request.path();
    if (request.method() != io.vertx.core.http.HttpMethod.GET || !path.startsWith("/v1/route/")
        || !auth.knownToken(request.getHeader("Authorization"))) {
      return false;
    }
    int slash = path.indexOf('/', 10);
    if (slash < 0 || path.indexOf('/', slash + 1) >= 0 || slash == 10 || slash == path.length() - 1) {
      return false;
    }
    String entity = path.substring(10, slash);
    String key = path.substring(slash + 1);
    RoutingState state = log.state();
    if (!plain(entity) || !plain(key) || state.entity(entity).isEmpty()) {
      return false;
    }
    Map<String, String> attributes = Map.of();
    String query = request.query();
    if (query != null && !query.isEmpty()) {
      attributes = new java.util.HashMap<>(4);
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        String value = eq < 0 ? "" : pair.substring(eq + 1);
        if (!plain(name) || !plain(value) || name.equals("source")) {
          return false; // source= is translated through the key map on the slow path
        }
        attributes.putIfAbsent(name, value);
      }
    }
    // op=read|write is not an attribute; a fenced write (or a bad op) takes the slow path's problem answer.
    String op = attributes.containsKey("op") ? attributes.get("op") : null;
    if (op != null) {
      attributes.remove("op");
    }
    Decision decision = state.decide(entity, key, attributes);
    if ((op != null && !op.equals("read") && !op.equals("write")) || ("write".equals(op) && decision.writeFenced())) {
      return false;
    }
    metrics.decided(decision);
    request.response().putHeader("content-type", "application/json").end(ApiCodec.plainDecision(decision));
    return true;
  }

  /** Text that needs neither URL decoding nor JSON escaping. */
  private static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '%' || c == '+' || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private Handler<RoutingContext> guard(Role role, Consumer<RoutingContext> handler) {
    return ctx -> {
      try {
        auth.require(ctx, role);
        handler.accept(ctx);
      } catch (Problem problem) {
        problem.send(ctx);
      } catch (RuntimeException | LinkageError e) {
        internalError(ctx, e);
      }
    };
  }

  // ---- reads ----

  private void route(RoutingContext ctx) {
    String entity = ctx.pathParam("entity");
    RoutingState state = log.state();
    if (state.entity(entity).isEmpty()) {
      throw unknownEntity(entity, state);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    ctx.queryParams().forEach(attributes::putIfAbsent);
    String op = attributes.remove("op");
    if (op != null && !op.equals("read") && !op.equals("write")) {
      throw new Problem(400, "invalid", "Invalid query", "op must be read or write, got '" + op + "'");
    }
    String key = ctx.pathParam("key");
    String source = attributes.remove("source");
    if (source != null) {
      key = newKey(entity, source, key);
    }
    Decision decision = state.decide(entity, key, attributes);
    metrics.decided(decision);
    if ("write".equals(op) && decision.writeFenced()) {
      // Retryable: a write switch moves this key's writes; nothing may be written on either side meanwhile.
      ctx.response().putHeader("Retry-After", "1");
      throw new Problem(503, "write-fenced", "Writes fenced", "a write switch ("
          + state.pendingSwitch().map(RoutingState.PendingSwitch::id).orElse("?") + ") is moving the writes of "
          + entity + " " + decision.key() + "; retry after 1 s", state.version());
    }
    ok(ctx, 200, ApiCodec.decision(decision));
  }

  private void switches(RoutingContext ctx) {
    RoutingState state = log.state();
    com.fasterxml.jackson.databind.node.ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode();
    body.put("version", state.version());
    state.pendingSwitch().ifPresentOrElse(p -> body.set("pending", switchJson(p)), () -> body.putNull("pending"));
    ok(ctx, 200, body);
  }

  private static com.fasterxml.jackson.databind.node.ObjectNode switchJson(RoutingState.PendingSwitch pending) {
    com.fasterxml.jackson.databind.node.ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
        .objectNode();
    node.put("id", pending.id());
    node.put("beganAtVersion", pending.beganAt());
    node.set("change", io.tandem.routing.ProposalCodec.command(pending.change()));
    com.fasterxml.jackson.databind.node.ArrayNode entities = node.putArray("entities");
    pending.entities().stream().sorted().forEach(entities::add);
    com.fasterxml.jackson.databind.node.ArrayNode losing = node.putArray("fencedSides");
    pending.losing().stream().map(Enum::name).sorted().forEach(losing::add);
    return node;
  }

  private void abortSwitch(RoutingContext ctx) {
    JsonNode body = body(ctx);
    propose(ctx, body, log.state(), false, new Command.AbortSwitch(ctx.pathParam("id")), 200, null);
  }

  private void entities(RoutingContext ctx) {
    ok(ctx, 200, ApiCodec.routing(log.state()));
  }

  private void cohorts(RoutingContext ctx) {
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    ok(ctx, 200, ApiCodec.entityCohorts(entity, state.version()));
  }

  private void audit(RoutingContext ctx) {
    int limit = intParam(ctx, "limit", 100, 1, 10_000);
    String entity = ctx.queryParams().get("entity");
    long before = longParam(ctx, "before", Long.MAX_VALUE, 0, Long.MAX_VALUE);
    java.util.function.Predicate<AuditEntry> filter = e -> entity == null
        || (e.proposal() != null && entity.equals(e.proposal().command().entity()));
    AuditTrail kept = log.machine().auditTrail();
    long version = log.state().version();
    java.util.Optional<List<AuditEntry>> fromMemory = kept.answers(before, limit, filter);
    if (fromMemory.isPresent()) {
      ok(ctx, 200, auditPage(version, fromMemory.get(), kept));
      return;
    }
    // Older than memory reaches: read again from the log (the audit trail itself), one such read at a time.
    if (!readingOldAudit.compareAndSet(false, true)) {
      throw new Problem(429, "busy", "Audit read in progress", "another request is reading older audit entries from"
          + " the routing log; retry in a few seconds").withRetryAfter(5);
    }
    ctx.vertx().<List<AuditEntry>>executeBlocking(() -> log.auditBefore(before, limit, filter, OLD_AUDIT_TIMEOUT), false)
        .onComplete(result -> {
          readingOldAudit.set(false);
          try {
            if (result.failed()) {
              // The cause names brokers and topics: the router's log, not the caller's answer.
              LOG.warn("Older audit entries could not be read from the routing log", result.cause());
              throw new Problem(503, "log-unavailable", "Routing log unavailable", "older audit entries could not be"
                  + " read from the routing log (the router's log says why); retry later");
            }
            ok(ctx, 200, auditPage(version, result.result(), kept));
          } catch (Problem problem) {
            problem.send(ctx);
          } catch (RuntimeException | LinkageError e) {
            internalError(ctx, e);
          }
        });
  }

  /** The page, and how far memory reaches: a client pages back with {@code before} = the oldest offset shown. */
  private static com.fasterxml.jackson.databind.node.ObjectNode auditPage(long version, List<AuditEntry> entries,
      AuditTrail kept) {
    com.fasterxml.jackson.databind.node.ObjectNode page = ApiCodec.auditPage(version, entries);
    page.put("oldestKeptOffset", kept.oldestOffset());
    page.put("truncated", kept.truncated());
    return page;
  }

  private static final Duration OLD_AUDIT_TIMEOUT = Duration.ofSeconds(60);
  private final java.util.concurrent.atomic.AtomicBoolean readingOldAudit =
      new java.util.concurrent.atomic.AtomicBoolean();

  // ---- changes ----

  private void create(RoutingContext ctx) {
    JsonNode body = body(ctx, "name", "percent", "keys", "rule", "salt", "phase", "position", "rollback");
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    String name = requiredText(body, "name");
    Selector selector = selector(body, entity.name() + "/" + name, true);
    Phase phase = body.hasNonNull("phase") ? phase(body.get("phase")) : Phase.LEGACY;
    int position = body.hasNonNull("position") ? intField(body, "position", 0, 10_000) : -1;
    // A cohort created before one that new serves more takes keys back: a rollback, confirmed like any other.
    propose(ctx, body, state, booleanField(body, "rollback"),
        new Command.CreateCohort(entity.name(), name, selector, phase, position), 201, name);
  }

  private void setPercent(RoutingContext ctx) {
    JsonNode body = body(ctx, "percent", "rollback");
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    Cohort cohort = cohort(entity, ctx.pathParam("cohort"));
    if (!(cohort.selector() instanceof Selector.Percent current)) {
      throw new Problem(422, "invalid", "Not a percentage cohort", "cohort '" + cohort.name() + "' selects by "
          + cohort.selector().kind() + ", not by percentage");
    }
    Selector next = new Selector.Percent(basisPoints(body.get("percent")), current.salt());
    propose(ctx, body, state, booleanField(body, "rollback"),
        new Command.UpdateSelector(entity.name(), cohort.name(), next), 200, cohort.name());
  }

  private void setSelector(RoutingContext ctx) {
    // No salt: a percentage cohort keeps the one it was created with (sticky membership).
    JsonNode body = body(ctx, "percent", "keys", "rule", "rollback");
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    Cohort cohort = cohort(entity, ctx.pathParam("cohort"));
    String salt = cohort.selector() instanceof Selector.Percent p ? p.salt() : entity.name() + "/" + cohort.name();
    Selector next = selector(body, salt, false);
    propose(ctx, body, state, booleanField(body, "rollback"),
        new Command.UpdateSelector(entity.name(), cohort.name(), next), 200, cohort.name());
  }

  private void step(RoutingContext ctx, boolean forward) {
    JsonNode body = body(ctx);
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    Cohort cohort = cohort(entity, ctx.pathParam("cohort"));
    Phase phase = (forward ? cohort.phase().next() : cohort.phase().previous()).orElseThrow(() -> new Problem(409,
        "no-such-phase", forward ? "Already at the last phase" : "Already at the first phase",
        "cohort '" + cohort.name() + "' is " + cohort.phase(), state.version()));
    // A demotion is the operator's explicit rollback: it is recorded as one.
    propose(ctx, body, state, !forward, new Command.SetPhase(entity.name(), cohort.name(), phase), 200, cohort.name());
  }

  private void delete(RoutingContext ctx) {
    Buffer given = ctx.body().buffer(); // null without a body (length() is then -1, not 0)
    JsonNode body = given == null || given.length() == 0 ? bodyFromQuery(ctx, "rollback") : body(ctx, "rollback");
    RoutingState state = log.state();
    EntityRouting entity = entity(state, ctx.pathParam("entity"));
    Cohort cohort = cohort(entity, ctx.pathParam("cohort"));
    propose(ctx, body, state, booleanField(body, "rollback"),
        new Command.DeleteCohort(entity.name(), cohort.name()), 200, null);
  }

  private void rollback(RoutingContext ctx) {
    JsonNode body = body(ctx, "version");
    if (!body.hasNonNull("version")) {
      throw new Problem(422, "invalid", "Missing field", "'version' is required (the routing version to restore)");
    }
    long version = longField(body, "version");
    if (version < 0) {
      throw new Problem(422, "invalid", "Invalid field", "'version' must be 0 or more, was " + version);
    }
    if (log.machine().holds(version) || version > log.state().version()) {
      propose(ctx, body, log.state(), true, new Command.RollbackTo(version), 200, null);
      return;
    }
    // Older than the versions kept in memory: recalled from the log first, off the event loop, one at a time.
    if (!readingOldVersion.compareAndSet(false, true)) {
      throw new Problem(429, "busy", "Version recall in progress", "another request is recalling an old routing"
          + " version from the routing log; retry in a few seconds").withRetryAfter(5);
    }
    ctx.vertx().executeBlocking(() -> log.machine().recall(version), false).onComplete(result -> {
      readingOldVersion.set(false);
      try {
        if (result.failed()) {
          LOG.warn("Routing version {} could not be recalled from the routing log", version, result.cause());
          throw new Problem(503, "log-unavailable", "Routing log unavailable", "routing version " + version
              + " is older than the versions kept in memory and could not be recalled from the routing log (the"
              + " router's log says why); retry later");
        }
        propose(ctx, body, log.state(), true, new Command.RollbackTo(version), 200, null);
      } catch (Problem problem) {
        problem.send(ctx);
      } catch (RuntimeException | LinkageError e) {
        internalError(ctx, e);
      }
    });
  }

  private final java.util.concurrent.atomic.AtomicBoolean readingOldVersion =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Checks the proposal against this replica's state (bad input: 4xx, nothing logged) and against the
   * promotion gate (refused: 409 naming every failed condition, unless an admin forces it), appends it,
   * and answers once this replica applied it: the new version, or 409 with the version that won.
   */
  private void propose(RoutingContext ctx, JsonNode body, RoutingState state, boolean rollback, Command command,
      int status, String cohortName) {
    boolean force = booleanField(body, "force");
    Role role = TokenAuth.role(ctx);
    if (force && !role.allows(Role.ADMIN)) {
      throw new Problem(403, "forbidden", "Not allowed", "token '" + TokenAuth.actor(ctx) + "' has role "
          + role.name().toLowerCase(java.util.Locale.ROOT) + "; forcing a change past the promotion gate needs admin");
    }
    String reason = requiredText(body, "reason");
    if (reason.length() > limits.maxReasonLength()) {
      throw limit("'reason' has " + reason.length() + " characters", limits.maxReasonLength(), "maxReasonLength");
    }
    long expected = body.hasNonNull("expectedVersion") ? longField(body, "expectedVersion") : state.version();
    if (expected != state.version()) {
      throw new Problem(409, "version-conflict", "Version conflict", "expected version " + expected
          + " but the current version is " + state.version(), state.version());
    }
    Proposal proposal = new Proposal(UUID.randomUUID().toString(), expected, TokenAuth.actor(ctx), reason,
        clock.instant(), rollback, command);
    RoutingState next;
    try {
      next = log.machine().check(state, proposal);
    } catch (ProposalRejectedException e) {
      throw rejected(e.rejection(), e.getMessage(), state.version());
    }
    // A change that moves some keys' writes is made as a fenced switch: the coordinator completes it once
    // the old side's writes have reached the other side (docs/coexistence.md, "Write cutover").
    String switchId = null;
    if (!(command instanceof Command.AbortSwitch) && !RoutingStateMachine.writeMoves(state, next).isEmpty()) {
      switchId = "sw-" + proposal.id().substring(0, 8);
      Proposal switching = new Proposal(proposal.id(), expected, proposal.actor(), reason, proposal.time(), rollback,
          new Command.BeginSwitch(switchId, command));
      try {
        log.machine().check(state, switching);
      } catch (ProposalRejectedException e) {
        throw rejected(e.rejection(), e.getMessage(), state.version());
      }
      proposal = switching;
    }
    String beganSwitch = switchId;
    // The gate judges the move from exactly this state: the proposal expects its version, so if anything
    // else is applied first the proposal is rejected as a version conflict, never applied unjudged.
    GateVerdict verdict = gate.evaluate(state, next, log.machine()::stateAt);
    if (verdict.gated() && !verdict.passed() && !force) {
      throw new Problem(409, "gate-refused", "Promotion gate refused", "refused by the promotion gate ("
          + String.join(", ", verdict.moves()) + "): " + String.join("; ", verdict.failed())
          + ". An admin may force it (force: true) with a reason; it is recorded in the audit log.")
          .withGateRefusal(verdict.moves(), verdict.failed());
    }
    if (force || verdict.gated()) {
      proposal = proposal.withGate(new GateOutcome(force, force ? verdict.failed() : List.of(), verdict.evidence()));
    }
    Future.fromCompletionStage(writer.propose(proposal).orTimeout(applyTimeout.toMillis(), TimeUnit.MILLISECONDS),
        ctx.vertx().getOrCreateContext()).onComplete(result -> {
          try {
            if (result.failed()) {
              throw new Problem(503, "log-unavailable", "Routing log unavailable",
                  "the proposal was not confirmed by the routing log within " + applyTimeout.toMillis()
                      + " ms: " + result.cause().getMessage() + "; check the version before retrying");
            }
            AuditEntry entry = result.result();
            if (!entry.applied()) {
              throw rejected(entry.rejection(), entry.message(), entry.version());
            }
            Long restored = command instanceof Command.RollbackTo r ? r.version() : null;
            Cohort changed = cohortName == null ? null : log.machine().stateAt(entry.version())
                .flatMap(s -> s.entity(command.entity())).flatMap(e -> e.cohort(cohortName)).orElse(null);
            com.fasterxml.jackson.databind.node.ObjectNode answer = ApiCodec.change(new ChangeResult(entry.version(),
                changed, restored));
            if (beganSwitch != null) {
              // Accepted, not done: the cohort keeps its phase until the switch completes.
              log.machine().stateAt(entry.version()).flatMap(RoutingState::pendingSwitch)
                  .ifPresent(p -> answer.set("switch", switchJson(p)));
              ok(ctx, 202, answer);
            } else {
              ok(ctx, status, answer);
            }
          } catch (Problem problem) {
            problem.send(ctx);
          } catch (RuntimeException | LinkageError e) {
            internalError(ctx, e);
          }
        });
  }

  /** Answers an unexpected failure with a 500 problem instead of leaving the caller waiting. */
  /**
   * Answers an unexpected failure with a 500 problem instead of leaving the caller waiting. The answer names an
   * incident id to find in the log, never the exception: its class and message are the router's business.
   */
  public static void internalError(RoutingContext ctx, Throwable e) {
    String incident = UUID.randomUUID().toString().substring(0, 8);
    LOG.error("Request {} {} failed (incident {})", ctx.request().method(), ctx.request().path(), incident, e);
    if (!ctx.response().ended()) {
      ctx.response().headers().remove("Retry-After");
      new Problem(500, "internal", "Internal error", "the router failed to answer (incident " + incident
          + " in the router's log); a change may or may not have been applied: check GET /v1/audit").send(ctx);
    }
  }

  private static Problem rejected(Rejection rejection, String message, long currentVersion) {
    switch (rejection) {
      case UNKNOWN_ENTITY:
      case UNKNOWN_COHORT:
      case UNKNOWN_VERSION:
        return new Problem(404, "not-found", "Not found", message, currentVersion);
      case VERSION_CONFLICT:
        return new Problem(409, "version-conflict", "Version conflict", message, currentVersion);
      case DUPLICATE_COHORT:
        return new Problem(409, "duplicate-cohort", "Cohort exists", message, currentVersion);
      case ROLLBACK_NOT_CONFIRMED:
        return new Problem(409, "rollback-not-confirmed", "Rollback not confirmed", message, currentVersion);
      case SWITCH_IN_PROGRESS:
        return new Problem(409, "switch-in-progress", "Write switch in progress", message, currentVersion);
      case UNKNOWN_SWITCH:
        return new Problem(404, "not-found", "No such switch", message, currentVersion);
      default:
        return new Problem(422, "invalid", "Invalid change", message, currentVersion);
    }
  }

  // ---- input ----

  /**
   * The request's JSON object: 415 unless it is sent as JSON, 400 unless it is exactly one JSON object (nothing
   * after it, no member twice), 422 for a member this endpoint does not take (a misspelt {@code forse} must not
   * be ignored). Every change also takes {@code reason}, {@code expectedVersion} and {@code force}.
   */
  private static JsonNode body(RoutingContext ctx, String... fields) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw new Problem(400, "malformed", "Malformed request", "a JSON object body is required");
    }
    requireJson(ctx);
    JsonNode node;
    try {
      node = STRICT.readTree(buffer.getBytes());
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw new Problem(413, "too-large", "Request too large", "the body exceeds a JSON reading limit: "
          + firstLine(e));
    } catch (java.io.IOException e) {
      throw new Problem(400, "malformed", "Malformed JSON", "the body is not one valid JSON document: "
          + firstLine(e));
    }
    if (node == null || !node.isObject()) {
      throw new Problem(400, "malformed", "Malformed request", "the body must be a JSON object");
    }
    onlyFields(node, fields);
    return node;
  }

  private static void requireJson(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!media.equals("application/json") && !(media.startsWith("application/") && media.endsWith("+json"))) {
      throw new Problem(415, "unsupported-media-type", "Unsupported media type", "the body must be sent as "
          + "Content-Type: application/json, was " + (type == null ? "none" : "'" + clip(type, 80) + "'"));
    }
  }

  private static void onlyFields(JsonNode body, String... fields) {
    Set<String> allowed = new java.util.HashSet<>(CHANGE_FIELDS);
    allowed.addAll(List.of(fields));
    java.util.Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new Problem(422, "invalid", "Unknown field", "'" + clip(name, 64) + "' is not a field of this request;"
            + " it takes " + new java.util.TreeSet<>(allowed));
      }
    }
  }

  private static String firstLine(Exception e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
  }

  private static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }

  /**
   * A DELETE's options given as query parameters (some clients send no body with DELETE): read with the same
   * types as a body, {@code true}/{@code false} only for flags and digits only for a version.
   */
  private static JsonNode bodyFromQuery(RoutingContext ctx, String... fields) {
    ObjectNode node = JSON.createObjectNode();
    for (Map.Entry<String, String> parameter : ctx.queryParams()) {
      String name = parameter.getKey();
      String value = parameter.getValue();
      if (node.has(name)) {
        throw new Problem(400, "invalid", "Invalid parameter", "'" + clip(name, 64) + "' is given twice");
      }
      switch (name) {
        case "rollback", "force" -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new Problem(422, "invalid", "Invalid field", "'" + name + "' must be true or false, was '"
                + clip(value, 20) + "'");
          }
          node.put(name, Boolean.parseBoolean(value));
        }
        case "expectedVersion" -> {
          if (!value.matches("[0-9]{1,18}")) {
            throw new Problem(422, "invalid", "Invalid field", "'expectedVersion' must be an integer");
          }
          node.put(name, Long.parseLong(value));
        }
        default -> node.put(name, value);
      }
    }
    onlyFields(node, fields);
    return node;
  }

  /** A request over one of the configured limits: 422 naming the limit's configuration key. */
  private static Problem limit(String what, int max, String key) {
    return new Problem(422, "limit-exceeded", "Limit exceeded", what + "; at most " + max + " (router.limits."
        + key + ")");
  }

  private Selector selector(JsonNode body, String salt, boolean allowSalt) {
    int given = (body.has("percent") ? 1 : 0) + (body.has("keys") ? 1 : 0) + (body.has("rule") ? 1 : 0);
    if (given != 1) {
      throw new Problem(422, "invalid", "Invalid selector", "give exactly one of 'percent', 'keys' or 'rule'");
    }
    try {
      if (body.has("percent")) {
        String actualSalt = allowSalt && body.hasNonNull("salt") ? requiredText(body, "salt") : salt;
        if (actualSalt.length() > limits.maxKeyLength()) {
          throw limit("'salt' has " + actualSalt.length() + " characters", limits.maxKeyLength(), "maxKeyLength");
        }
        return new Selector.Percent(basisPoints(body.get("percent")), actualSalt);
      }
      if (body.has("keys")) {
        JsonNode keys = body.get("keys");
        if (!keys.isArray()) {
          throw new Problem(422, "invalid", "Invalid selector", "'keys' must be an array of strings");
        }
        if (keys.size() > limits.maxKeysPerCohort()) {
          throw limit("'keys' holds " + keys.size() + " keys", limits.maxKeysPerCohort(), "maxKeysPerCohort");
        }
        Set<String> set = new LinkedHashSet<>();
        for (JsonNode key : keys) {
          if (!key.isTextual()) {
            throw new Problem(422, "invalid", "Invalid selector", "'keys' must be an array of strings, found "
                + key.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + clip(key.toString(), 40));
          }
          if (key.asText().length() > limits.maxKeyLength()) {
            throw limit("key '" + clip(key.asText(), 40) + "' has " + key.asText().length() + " characters",
                limits.maxKeyLength(), "maxKeyLength");
          }
          set.add(key.asText());
        }
        return new Selector.Keys(set);
      }
      String rule = requiredText(body, "rule");
      if (rule.length() > limits.maxRuleLength()) {
        throw limit("'rule' has " + rule.length() + " characters", limits.maxRuleLength(), "maxRuleLength");
      }
      Selector.Rule parsed = new Selector.Rule(rule);
      int nodes = parsed.nodeCount();
      if (nodes > limits.maxRuleNodes()) {
        throw limit("'rule' has " + nodes + " expression nodes", limits.maxRuleNodes(), "maxRuleNodes");
      }
      return parsed;
    } catch (IllegalArgumentException e) {
      throw new Problem(422, "invalid", "Invalid selector", e.getMessage());
    }
  }

  private static int basisPoints(JsonNode percent) {
    if (percent == null || !percent.isNumber()) {
      throw new Problem(422, "invalid", "Invalid percentage", "'percent' must be a number from 0 to 100");
    }
    BigDecimal value = percent.decimalValue();
    if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw new Problem(422, "invalid", "Invalid percentage", "'percent' must be from 0 to 100, was "
          + value.toPlainString());
    }
    BigDecimal points = value.movePointRight(2);
    if (points.stripTrailingZeros().scale() > 0) {
      throw new Problem(422, "invalid", "Invalid percentage", "'percent' has at most two decimals (buckets of 0.01 %), was "
          + value.toPlainString());
    }
    return points.intValueExact();
  }

  private static Phase phase(JsonNode node) {
    if (!node.isTextual()) {
      throw new Problem(422, "invalid", "Invalid phase", "'phase' must be a string, one of "
          + List.of(Phase.values()));
    }
    try {
      return Phase.valueOf(node.asText().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Problem(422, "invalid", "Invalid phase", "phase must be one of " + List.of(Phase.values())
          + ", was '" + clip(node.asText(), 40) + "'");
    }
  }

  private static String requiredText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new Problem(422, "invalid", "Missing field", "'" + field + "' is required (a non-empty string)");
    }
    return value.asText();
  }

  /** An optional boolean field: false when absent or null. */
  private static boolean booleanField(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      // Only JSON true and false: "yes", "true", 1 are refused, never read as one or the other.
      throw new Problem(422, "invalid", "Invalid field", "'" + field + "' must be true or false (a JSON boolean), was "
          + clip(value.toString(), 40));
    }
    return value.asBoolean();
  }

  private static long longField(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new Problem(422, "invalid", "Invalid field", "'" + field + "' must be an integer");
    }
    return value.asLong();
  }

  private static int intField(JsonNode body, String field, int min, int max) {
    long value = longField(body, field);
    if (value < min || value > max) {
      throw new Problem(422, "invalid", "Invalid field", "'" + field + "' must be from " + min + " to " + max);
    }
    return (int) value;
  }

  private static long longParam(RoutingContext ctx, String name, long fallback, long min, long max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(raw);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new Problem(400, "invalid", "Invalid parameter", "'" + name + "' must be an integer from " + min + " to " + max);
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    return (int) longParam(ctx, name, fallback, min, max);
  }


  private static EntityRouting entity(RoutingState state, String name) {
    return state.entity(name).orElseThrow(() -> unknownEntity(name, state));
  }

  /** A merged entity's new key for a legacy source's key, through the key map the merge topology keeps. */
  private String newKey(String entity, String source, String legacyKey) {
    if (!keyMaps.merged(entity)) {
      throw new Problem(400, "invalid", "Invalid query", "entity " + entity + " is not merged (router.mergedEntities):"
          + " route it by its key, without source");
    }
    java.util.Optional<String> problem = keyMaps.problem();
    if (problem.isPresent()) {
      throw new Problem(503, "key-map-unavailable", "Key map unavailable", problem.get());
    }
    return keyMaps.newKey(entity, source, legacyKey).orElseThrow(() -> new Problem(404, "not-found", "Not migrated",
        "source " + source + " has no row " + legacyKey + " of " + entity + " in the key map (not migrated yet,"
        + " filtered out or deleted): it is on legacy"));
  }

  private static Problem unknownEntity(String name, RoutingState state) {
    return new Problem(404, "not-found", "Unknown entity", "unknown entity '" + name + "'; known: "
        + state.entities().keySet());
  }

  private static Cohort cohort(EntityRouting entity, String name) {
    return entity.cohort(name).orElseThrow(() -> new Problem(404, "not-found", "Unknown cohort",
        "unknown cohort '" + name + "' in entity '" + entity.name() + "'"));
  }

  private static void ok(RoutingContext ctx, int status, ObjectNode body) {
    try {
      ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
          .end(Buffer.buffer(JSON.writeValueAsBytes(body)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
