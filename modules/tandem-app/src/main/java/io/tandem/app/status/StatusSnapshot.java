package io.tandem.app.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.app.cohort.Cohorts;
import io.tandem.routing.Cohort;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.RoutingState;
import io.tandem.routing.status.StageTotals;
import io.tandem.routing.status.StatusRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What {@code tandem status} shows, read once from Kafka: per entity the sink's and capture's lag reports, the
 * running mapping and the latest verification passes (the status topic); the cohorts and their phases (the
 * routing log); dead letters per stage (the dead-letter topics). Rendered as one terminal screen or JSON.
 *
 * @param deadLetters records per stage's dead-letter topic (absent topics left out)
 */
record StatusSnapshot(Instant at, Map<String, StatusRecord> status, Optional<RoutingState> routing,
    Map<String, Long> deadLetters) {

  /** A report older than this is shown as stale: the stage that writes it every few seconds is not running. */
  static final Duration STALE = Duration.ofMinutes(2);

  /** The entities any source names, sorted. */
  List<String> entities() {
    TreeSet<String> names = new TreeSet<>();
    status.values().stream().filter(record -> !(record instanceof StatusRecord.StageProgress))
        .forEach(record -> names.add(record.entity()));
    routing.ifPresent(state -> names.addAll(state.entities().keySet()));
    return List.copyOf(names);
  }

  Optional<StatusRecord.Lag> lag(String entity, String source) {
    return status.values().stream().filter(r -> r instanceof StatusRecord.Lag l && l.entity().equals(entity)
        && l.source().equals(source)).map(r -> (StatusRecord.Lag) r).findFirst();
  }

  Optional<StatusRecord.MappingVersion> mapping(String entity) {
    return Optional.ofNullable(status.get(StatusRecord.mappingKey(entity)))
        .filter(r -> r instanceof StatusRecord.MappingVersion).map(r -> (StatusRecord.MappingVersion) r);
  }

  /** The entity's passes, newest first: the entity-wide one and each cohort's. */
  List<StatusRecord.Verification> verifications(String entity) {
    List<StatusRecord.Verification> passes = new ArrayList<>();
    status.values().forEach(r -> {
      if (r instanceof StatusRecord.Verification v && v.entity().equals(entity)) {
        passes.add(v);
      }
    });
    passes.sort((a, b) -> b.finishedAt().compareTo(a.finishedAt()));
    return passes;
  }

  /** One terminal screen. */
  String render(String title) {
    StringBuilder out = new StringBuilder();
    out.append(title).append("  ").append(at).append(routing.map(r -> "  routing version " + r.version()).orElse(
        "  (no routing log)")).append('\n').append('\n');
    out.append(String.format("%-18s %-22s %-22s %-10s %s%n", "ENTITY", "LAG (sink)", "CAPTURE", "MAPPING",
        "LAST VERIFICATION"));
    for (String entity : entities()) {
      List<StatusRecord.Verification> passes = verifications(entity);
      out.append(String.format("%-18s %-22s %-22s %-10s %s%n", entity,
          lag(entity, StatusRecord.Lag.SINK).map(this::lagText).orElse("-"),
          lag(entity, StatusRecord.Lag.CAPTURE).map(this::captureText).orElse("-"),
          mapping(entity).map(m -> m.fingerprint().substring(0, Math.min(8, m.fingerprint().length()))).orElse("-"),
          passes.isEmpty() ? "none" : passText(passes.get(0))));
    }
    routing.ifPresent(state -> {
      out.append('\n').append(String.format("%-18s %-18s %-10s %s%n", "ENTITY", "COHORT", "PHASE", "HOLDS"));
      for (EntityRouting entity : state.entities().values()) {
        if (entity.cohorts().isEmpty()) {
          out.append(String.format("%-18s %-18s %-10s %s%n", entity.name(), "-", "LEGACY", "every key"));
        }
        for (Cohort cohort : entity.cohorts()) {
          out.append(String.format("%-18s %-18s %-10s %s%s%n", entity.name(), cohort.name(), cohort.phase(),
              Cohorts.selector(cohort.selector()), verifiedText(entity.name(), cohort.name())));
        }
      }
      state.pendingSwitch().ifPresent(p -> out.append("\nWrite switch ").append(p.id()).append(" in progress for ")
          .append(p.entities()).append(": writes of the moving keys are fenced\n"));
    });
    List<StageTotals> stages = StageTotals.of(status.values(), at, STALE);
    if (!stages.isEmpty()) {
      out.append('\n').append(String.format("%-18s %-10s %-12s %-20s %s%n", "STAGE", "INSTANCES", "RECORDS/S",
          "RECORDS SINCE START", "BACKLOG"));
      for (StageTotals stage : stages) {
        out.append(String.format("%-18s %-10s %-12s %-20d %s%s%n", stage.stage(), stage.instances()
            + (stage.staleInstances() > 0 ? " (+" + stage.staleInstances() + " stale)" : ""),
            String.format(java.util.Locale.ROOT, "%.1f", stage.perSecond()), stage.records(),
            stage.backlog() < 0 ? "-" : stage.backlog() + " records",
            stage.snapshot().stream().filter(t -> !t.finished()).map(t -> "   snapshot " + t.table() + " " + t.done()
                + "/" + (t.estimated() < 0 ? "?" : t.estimated())).reduce("", String::concat)));
      }
    }
    out.append('\n').append("DEAD LETTERS  ");
    if (deadLetters.isEmpty()) {
      out.append("none (no dead-letter topic yet)");
    }
    deadLetters.forEach((stage, count) -> out.append(stage).append(' ').append(count).append("   "));
    out.append('\n');
    return out.toString();
  }

  private String verifiedText(String entity, String cohort) {
    return verifications(entity).stream().filter(v -> v.cohort().equals(cohort)).findFirst()
        .map(v -> "   verified: " + passText(v)).orElse("   verified: never");
  }

  private String lagText(StatusRecord.Lag lag) {
    return lag.lagMillis() + " ms" + age(lag.measuredAt());
  }

  private String captureText(StatusRecord.Lag lag) {
    return (lag.lagMillis() == 0 ? "alive" : "silent " + lag.lagMillis() / 1000 + " s") + age(lag.measuredAt());
  }

  private String passText(StatusRecord.Verification pass) {
    String scope = pass.entityWide() ? "" : " (" + pass.cohort() + ")";
    return (pass.clean() ? "clean" : pass.differences() + " differences") + scope + ", " + pass.rowsChecked()
        + " rows" + age(pass.finishedAt());
  }

  private String age(Instant then) {
    Duration age = Duration.between(then, at);
    String text = age.toSeconds() < 120 ? age.toSeconds() + " s ago" : age.toMinutes() + " min ago";
    return " (" + text + (age.compareTo(STALE) > 0 ? ", STALE" : "") + ")";
  }

  /** The same as JSON, for scripts. */
  ObjectNode json() {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode root = nodes.objectNode();
    root.put("at", at.toString());
    routing.ifPresentOrElse(r -> root.put("routingVersion", r.version()), () -> root.putNull("routingVersion"));
    ArrayNode entities = root.putArray("entities");
    for (String entity : entities()) {
      ObjectNode node = entities.addObject().put("entity", entity);
      lag(entity, StatusRecord.Lag.SINK).ifPresent(l -> node.putObject("lag").put("millis", l.lagMillis())
          .put("measuredAt", l.measuredAt().toString()).put("stale", stale(l.measuredAt())));
      lag(entity, StatusRecord.Lag.CAPTURE).ifPresent(l -> node.putObject("capture").put("silentMillis",
          l.lagMillis()).put("measuredAt", l.measuredAt().toString()).put("stale", stale(l.measuredAt())));
      mapping(entity).ifPresent(m -> node.put("mapping", m.fingerprint()));
      ArrayNode passes = node.putArray("verifications");
      for (StatusRecord.Verification v : verifications(entity)) {
        passes.addObject().put("cohort", v.cohort()).put("clean", v.clean()).put("differences", v.differences())
            .put("rowsChecked", v.rowsChecked()).put("finishedAt", v.finishedAt().toString())
            .put("routingVersion", v.routingVersion());
      }
      ArrayNode cohorts = node.putArray("cohorts");
      routing.flatMap(r -> r.entity(entity)).ifPresent(routed -> routed.cohorts().forEach(c -> cohorts.addObject()
          .put("cohort", c.name()).put("phase", c.phase().name()).put("holds", Cohorts.selector(c.selector()))));
    }
    ArrayNode stages = root.putArray("stages");
    for (StageTotals stage : StageTotals.of(status.values(), at, STALE)) {
      stages.addObject().put("stage", stage.stage()).put("instances", stage.instances())
          .put("staleInstances", stage.staleInstances()).put("records", stage.records())
          .put("perSecond", stage.perSecond()).put("backlog", stage.backlog())
          .put("reportedAt", stage.reportedAt().toString());
    }
    ObjectNode letters = root.putObject("deadLetters");
    deadLetters.forEach(letters::put);
    return root;
  }

  private boolean stale(Instant then) {
    return Duration.between(then, at).compareTo(STALE) > 0;
  }
}
