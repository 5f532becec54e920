package io.tandem.router.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.router.api.OperatorApi;
import io.tandem.router.api.Problem;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import io.tandem.router.gate.GateVerdict;
import io.tandem.router.gate.PromotionGate;
import io.tandem.router.gate.StatusBoard;
import io.tandem.routing.Cohort;
import io.tandem.routing.Command;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalRejectedException;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingState;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.status.StageTotals;
import io.tandem.routing.status.StatusRecord;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The web console: three static files under {@code /console} (a page, its script, its style sheet) and one
 * read-only document, {@code GET /v1/console/overview}, that gathers what the page shows besides the operator
 * API's own answers. The page is a client of the operator API like the CLI: every action is the API's
 * request with the operator's token, so roles, reasons, confirmations, gates and the audit are the API's.
 * No secret or row value is in the overview: stages report counts, the verifier keys and field names, the
 * conflicts their place and time.
 */
public final class ConsoleApi {
  /** A stage instance whose last report is older than this is shown as stale and left out of the sums. */
  static final Duration STALE = Duration.ofMinutes(2);
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
  private static final Map<String, String> FILES = Map.of("", "index.html", "/", "index.html",
      "/app.js", "app.js", "/console.css", "console.css");

  private final RoutingLog log;
  private final TokenAuth auth;
  private final PromotionGate gate;
  private final StatusBoard status;
  private final PipelineWatch watch;
  private final Clock clock;
  private final Map<String, byte[]> files = new java.util.HashMap<>();

  public ConsoleApi(RoutingLog log, TokenAuth auth, PromotionGate gate, StatusBoard status, PipelineWatch watch,
      Clock clock) {
    this.log = log;
    this.auth = auth;
    this.gate = gate;
    this.status = status;
    this.watch = watch;
    this.clock = clock;
    for (String file : new TreeSet<>(FILES.values())) {
      try (InputStream in = ConsoleApi.class.getResourceAsStream(file)) {
        if (in == null) {
          throw new IllegalStateException("console file " + file + " is missing from the router's jar");
        }
        files.put(file, in.readAllBytes());
      } catch (IOException e) {
        throw new IllegalStateException("cannot read console file " + file, e);
      }
    }
  }

  public void mount(Router router) {
    router.get("/console").handler(ctx -> serve(ctx, ""));
    router.get("/console/*").handler(ctx -> serve(ctx, ctx.request().path().substring("/console".length())));
    router.get("/v1/console/overview").handler(ctx -> {
      try {
        auth.require(ctx, Role.VIEWER);
        ctx.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
            .end(overview(TokenAuth.actor(ctx), TokenAuth.role(ctx)).toString());
      } catch (Problem problem) {
        problem.send(ctx);
      } catch (RuntimeException e) {
        OperatorApi.internalError(ctx, e);
      }
    });
  }

  private void serve(RoutingContext ctx, String path) {
    String file = FILES.get(path);
    if (file == null) {
      ctx.next(); // not a console file: the router's 404 problem
      return;
    }
    String type = file.endsWith(".html") ? "text/html; charset=utf-8" : file.endsWith(".js")
        ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    ctx.response().putHeader("content-type", type)
        .putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("x-frame-options", "DENY")
        .putHeader("cache-control", "no-cache")
        .end(Buffer.buffer(files.get(file)));
  }

  /** Everything the console shows besides the audit log, as of now. */
  ObjectNode overview(String actor, Role role) {
    Instant now = clock.instant();
    RoutingState state = log.state();
    List<StatusRecord> records = status.records();
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("at", now.toString());
    root.put("routingVersion", state.version());
    root.putObject("caller").put("actor", actor).put("role", role.name().toLowerCase(Locale.ROOT));
    status.problem().ifPresent(problem -> root.put("statusProblem", problem));
    stages(root.putArray("stages"), root.putArray("snapshot"), records, now);
    TreeSet<String> names = new TreeSet<>(state.entities().keySet());
    records.stream().filter(r -> !(r instanceof StatusRecord.StageProgress)).forEach(r -> names.add(r.entity()));
    ArrayNode entities = root.putArray("entities");
    for (String name : names) {
      entities.add(entity(name, state, records, now));
    }
    PipelineWatch.Look look = watch.last();
    ObjectNode letters = root.putObject("deadLetters");
    look.deadLetters().forEach(letters::put);
    ObjectNode conflicts = root.putObject("conflicts");
    conflicts.put("total", look.conflicts().values().stream().mapToLong(Long::longValue).sum());
    ObjectNode byEntity = conflicts.putObject("byEntity");
    look.conflicts().forEach(byEntity::put);
    ArrayNode latest = conflicts.putArray("latest");
    look.latestConflicts().forEach(c -> latest.addObject().put("entity", c.entity()).put("key", c.key())
        .put("writtenOn", c.writtenOn()).put("owner", c.owner()).put("cohort", c.cohort()).put("phase", c.phase())
        .put("routingVersion", c.routingVersion()).put("detectedAt", c.detectedAt()));
    look.problem().ifPresent(problem -> root.put("watchProblem", problem));
    root.put("watchedAt", look.at().toString());
    state.pendingSwitch().ifPresent(p -> root.putObject("pendingSwitch").put("id", p.id())
        .put("beganAtVersion", p.beganAt()).put("entities", String.join(", ", new TreeSet<>(p.entities()))));
    return root;
  }

  /** Per stage: its instances' reports summed (fresh ones only); capture's snapshot per table. */
  private static void stages(ArrayNode stages, ArrayNode snapshot, List<StatusRecord> records, Instant now) {
    for (StageTotals stage : StageTotals.of(records, now, STALE)) {
      stages.addObject().put("stage", stage.stage()).put("instances", stage.instances())
          .put("staleInstances", stage.staleInstances()).put("records", stage.records())
          .put("perSecond", stage.perSecond()).put("backlog", stage.backlog())
          .put("reportedAt", stage.reportedAt().toString())
          .put("ageSeconds", Duration.between(stage.reportedAt(), now).toSeconds());
      for (StatusRecord.TableSnapshot table : stage.snapshot()) {
        snapshot.addObject().put("stage", stage.stage()).put("table", table.table()).put("done", table.done())
            .put("estimated", table.estimated()).put("finished", table.finished())
            .put("etaSeconds", table.etaSeconds());
      }
    }
  }

  private ObjectNode entity(String name, RoutingState state, List<StatusRecord> records, Instant now) {
    ObjectNode node = JsonNodeFactory.instance.objectNode().put("entity", name);
    ObjectNode lag = node.putObject("lag");
    for (StatusRecord record : records) {
      if (record instanceof StatusRecord.Lag l && l.entity().equals(name)) {
        lag.putObject(l.source()).put("millis", l.lagMillis()).put("measuredAt", l.measuredAt().toString())
            .put("stale", Duration.between(l.measuredAt(), now).compareTo(STALE) > 0);
      }
      if (record instanceof StatusRecord.MappingVersion m && m.entity().equals(name)) {
        node.put("mapping", m.fingerprint());
      }
    }
    List<StatusRecord.Verification> passes = records.stream()
        .filter(r -> r instanceof StatusRecord.Verification v && v.entity().equals(name))
        .map(r -> (StatusRecord.Verification) r)
        .sorted((a, b) -> a.cohort().compareTo(b.cohort())).toList();
    ArrayNode verifications = node.putArray("verifications");
    for (StatusRecord.Verification pass : passes) {
      ObjectNode one = verifications.addObject().put("cohort", pass.cohort()).put("clean", pass.clean())
          .put("differences", pass.differences()).put("rowsChecked", pass.rowsChecked())
          .put("finishedAt", pass.finishedAt().toString()).put("routingVersion", pass.routingVersion());
      ArrayNode samples = one.putArray("samples");
      pass.samples().forEach(sample -> {
        ObjectNode s = samples.addObject().put("key", sample.key()).put("kind", sample.kind())
            .put("deadLettered", sample.deadLettered());
        sample.fields().forEach(s.putArray("fields")::add);
      });
    }
    ArrayNode cohorts = node.putArray("cohorts");
    state.entity(name).ifPresent(routed -> {
      for (Cohort cohort : routed.cohorts()) {
        ObjectNode one = ApiCodec.cohort(cohort);
        one.set("gate", nextStepGate(state, routed, cohort));
        cohorts.add(one);
      }
    });
    return node;
  }

  /** What the promotion gate says now about promoting the cohort one phase. */
  private ObjectNode nextStepGate(RoutingState state, EntityRouting entity, Cohort cohort) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    Optional<Phase> next = cohort.phase().next();
    if (next.isEmpty()) {
      return node.put("next", (String) null).put("gated", false).put("passes", true);
    }
    node.put("next", next.get().name());
    Proposal promote = new Proposal("console-gate-check", state.version(), "console", "gate check", clock.instant(),
        false, new Command.SetPhase(entity.name(), cohort.name(), next.get()));
    try {
      RoutingState after = log.machine().check(state, promote);
      GateVerdict verdict = gate.evaluate(state, after, log.machine()::stateAt);
      node.put("gated", verdict.gated()).put("passes", verdict.passed());
      verdict.failed().forEach(node.withArray("failed")::add);
      verdict.evidence().forEach(node.withArray("evidence")::add);
    } catch (ProposalRejectedException e) {
      node.put("gated", false).put("passes", false).put("refused", e.getMessage());
    }
    return node;
  }
}
