package io.tandem.router.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.router.RoutingLogWriter;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Command;
import io.tandem.routing.Proposal;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.api.ApiCodec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /v1/actions} (role operator; admin for {@code reveal-sensitive}): records an operator action outside the routing (a dead-letter
 * replay, a verifier repair) on the routing log, so the audit ({@code GET /v1/audit}, {@code tandem cohort
 * audit}) shows who did it, when, why and how much, beside the routing changes. The caller records the
 * action before doing it and does it only after a 201: a viewer's 403 means it was not done.
 *
 * <p>Body: {@code {"action": "dlq-replay", "entity": "customer" (optional), "scope": "...", "count": 3,
 * "reason": "..."}}, strictly: one JSON object, no unknown or duplicate fields, nothing after it. Answer:
 * the audit entry (201). The record changes no routing state and creates no version.
 */
public final class ActionsApi {
  /** The longest body accepted (413 beyond). */
  static final int MAX_BODY = 8 * 1024;
  /** The longest reason accepted (413 beyond). */
  static final int MAX_REASON = 1000;
  private static final Set<String> FIELDS = Set.of("action", "entity", "scope", "count", "reason");
  /** Actions only an admin may record (and so do): showing personal data. */
  static final Set<String> ADMIN_ACTIONS = Set.of("reveal-sensitive");
  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final RoutingLog log;
  private final RoutingLogWriter writer;
  private final TokenAuth auth;
  private final Clock clock;
  private final Duration applyTimeout;

  public ActionsApi(RoutingLog log, RoutingLogWriter writer, TokenAuth auth, Clock clock, Duration applyTimeout) {
    this.log = log;
    this.writer = writer;
    this.auth = auth;
    this.clock = clock;
    this.applyTimeout = applyTimeout;
  }

  public void mount(Router router) {
    // Its own body limit, checked before the role: an oversized body is refused without being kept.
    router.post("/v1/actions").order(-2).handler(ctx -> {
      String length = ctx.request().getHeader("Content-Length");
      try {
        if (length != null && Long.parseLong(length.trim()) > MAX_BODY) {
          tooLarge(ctx);
          return;
        }
      } catch (NumberFormatException e) {
        new Problem(400, "malformed", "Malformed request", "Content-Length is not a number").send(ctx);
        return;
      }
      ctx.next();
    });
    // Before the operator API's /v1/* body handler (a body is read once): this endpoint's own limit.
    router.post("/v1/actions").order(-1).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
        .failureHandler(ctx -> {
          if (ctx.statusCode() == 413 && !ctx.response().ended()) {
            tooLarge(ctx); // a chunked body past the limit
          } else {
            ctx.next();
          }
        });
    router.post("/v1/actions").handler(ctx -> {
      try {
        auth.require(ctx, Role.OPERATOR);
        record(ctx);
      } catch (Problem problem) {
        problem.send(ctx);
      } catch (RuntimeException e) {
        OperatorApi.internalError(ctx, e);
      }
    });
  }

  private static void tooLarge(RoutingContext ctx) {
    new Problem(413, "too-large", "Request too large", "an action's body is at most " + MAX_BODY + " bytes").send(ctx);
  }

  private void record(RoutingContext ctx) {
    JsonNode body = body(ctx);
    String action = text(body, "action", true);
    if (ADMIN_ACTIONS.contains(action)) {
      auth.require(ctx, Role.ADMIN);
    }
    String entity = text(body, "entity", false);
    String scope = text(body, "scope", false);
    String reason = text(body, "reason", true);
    if (reason.length() > MAX_REASON) {
      throw new Problem(413, "too-large", "Reason too long", "'reason' is " + reason.length()
          + " characters, at most " + MAX_REASON);
    }
    if (scope != null && scope.length() > RoutingStateMachine.MAX_ACTION_SCOPE) {
      throw new Problem(413, "too-large", "Scope too long", "'scope' is " + scope.length() + " characters, at most "
          + RoutingStateMachine.MAX_ACTION_SCOPE);
    }
    JsonNode count = body.get("count");
    if (count == null || !count.isIntegralNumber() || !count.canConvertToLong() || count.asLong() < 0) {
      throw new Problem(422, "invalid", "Invalid field", "'count' must be an integer of 0 or more");
    }
    // The entity is a label for the audit's filter: it need not be one the router routes (dead letters of an
    // entity nobody routes yet must still be replayable), only a valid name.
    Command.RecordAction command = new Command.RecordAction(action, entity, scope == null ? "" : scope,
        count.asLong());
    String invalid = RoutingStateMachine.invalidAction(command);
    if (invalid != null) {
      throw new Problem(422, "invalid", "Invalid action", invalid);
    }
    Proposal proposal = new Proposal(UUID.randomUUID().toString(), log.state().version(), TokenAuth.actor(ctx),
        reason, clock.instant(), false, command);
    Future.fromCompletionStage(writer.propose(proposal).orTimeout(applyTimeout.toMillis(), TimeUnit.MILLISECONDS),
        ctx.vertx().getOrCreateContext()).onComplete(result -> {
          try {
            if (result.failed()) {
              throw new Problem(503, "log-unavailable", "Routing log unavailable", "the action was not confirmed "
                  + "by the routing log within " + applyTimeout.toMillis() + " ms: " + result.cause().getMessage()
                  + "; check GET /v1/audit before retrying, and do not act on an unrecorded action");
            }
            AuditEntry entry = result.result();
            if (!entry.applied()) {
              throw new Problem(422, "invalid", "Invalid action", entry.message());
            }
            ctx.response().setStatusCode(201).putHeader("content-type", "application/json")
                .end(Buffer.buffer(JSON.writeValueAsBytes(ApiCodec.auditEntry(entry))));
          } catch (Problem problem) {
            problem.send(ctx);
          } catch (IOException | RuntimeException e) {
            OperatorApi.internalError(ctx, e);
          }
        });
  }

  /** One JSON object with known fields only and nothing after it. */
  private static JsonNode body(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw new Problem(400, "malformed", "Malformed request", "a JSON object body is required");
    }
    JsonNode node;
    try (JsonParser parser = JSON.createParser(buffer.getBytes())) {
      node = JSON.readTree(parser);
      if (parser.nextToken() != null) {
        throw new Problem(400, "malformed", "Malformed JSON", "the body holds something after its JSON object");
      }
    } catch (IOException e) {
      throw new Problem(400, "malformed", "Malformed JSON", "the body is not valid JSON: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    if (node == null || !node.isObject()) {
      throw new Problem(400, "malformed", "Malformed request", "the body must be a JSON object");
    }
    node.fieldNames().forEachRemaining(field -> {
      if (!FIELDS.contains(field)) {
        throw new Problem(422, "invalid", "Unknown field", "unknown field '" + field + "'; known: "
            + FIELDS.stream().sorted().toList());
      }
    });
    return node;
  }

  private static String text(JsonNode body, String field, boolean required) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new Problem(422, "invalid", "Missing field", "'" + field + "' is required (a non-empty string)");
      }
      return null;
    }
    if (!value.isTextual() || (required && value.asText().isBlank())) {
      throw new Problem(422, "invalid", "Invalid field", "'" + field + "' must be a " + (required ? "non-empty " : "")
          + "string");
    }
    return value.asText();
  }
}
