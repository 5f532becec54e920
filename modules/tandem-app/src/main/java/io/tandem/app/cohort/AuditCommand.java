package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem cohort audit [--entity E] [--limit N]}: who changed what, when and why; newest last. */
@Command(name = "audit", description = "Show the latest routing changes, applied and rejected, newest last.")
final class AuditCommand extends RouterCommand {
  /** Command fields already shown as "type entity/cohort". */
  private static final Set<String> NAMED_FIELDS = Set.of("type", "entity", "cohort");

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Only changes to this entity.")
  String entity;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N entries (default: 50).")
  int limit;

  @Override
  void checkArguments() {
    if (limit < 1) {
      throw usageError("--limit must be at least 1, was " + limit);
    }
  }

  @Override
  JsonNode execute(RouterClient client) throws RouterClient.RouterProblem, RouterClient.RouterUnavailable {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("limit", limit);
    query.put("entity", entity);
    return client.get("/v1/audit" + RouterClient.query(query));
  }

  @Override
  void print(JsonNode answer, PrintWriter out) {
    JsonNode entries = answer.path("entries");
    if (entries.isEmpty()) {
      out.println("No audit entries" + (entity == null ? "." : " for " + Text.clean(entity) + "."));
      return;
    }
    Table table = Table.withHeader("OFFSET", "VERSION", "TIME", "ACTOR", "RESULT", "CHANGE", "REASON");
    for (JsonNode entry : entries) {
      table.row(Text.field(entry, "offset"), Text.field(entry, "version"), Text.field(entry, "time"),
          Text.field(entry, "actor"), result(entry), change(entry), Text.field(entry, "reason"));
    }
    table.print(out);
  }

  /** {@code applied}, or {@code rejected: STALE_VERSION (expected 3, at 4)}. */
  private static String result(JsonNode entry) {
    if (entry.path("applied").asBoolean(false)) {
      return "applied";
    }
    String rejection = Text.field(entry, "rejection", null);
    String message = Text.field(entry, "message", null);
    return "rejected" + (rejection == null ? "" : ": " + rejection) + (message == null ? "" : " (" + message + ")");
  }

  /** {@code set_phase customer/canary phase=SHADOW [rollback]}. */
  private static String change(JsonNode entry) {
    JsonNode command = entry.path("command");
    StringBuilder change = new StringBuilder(command.path("type").asText("?"));
    if (command.hasNonNull("entity")) {
      change.append(' ').append(command.get("entity").asText());
      if (command.hasNonNull("cohort")) {
        change.append('/').append(command.get("cohort").asText());
      }
    }
    for (Map.Entry<String, JsonNode> field : command.properties()) {
      if (!NAMED_FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
        JsonNode value = field.getValue();
        change.append(' ').append(field.getKey()).append('=')
            .append(value.isValueNode() ? value.asText() : RouterClient.write(value));
      }
    }
    if (entry.path("rollback").asBoolean(false)) {
      change.append(" [rollback]");
    }
    JsonNode gate = entry.path("gate");
    if (gate.path("forced").asBoolean(false)) {
      int overridden = gate.path("overridden").size();
      change.append(" [forced").append(overridden == 0 ? "" : ", " + overridden + " gate condition"
          + (overridden == 1 ? "" : "s") + " overridden").append(']');
    }
    return change.toString();
  }
}
