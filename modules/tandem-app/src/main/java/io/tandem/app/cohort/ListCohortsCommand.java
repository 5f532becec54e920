package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem cohort list [--entity E]}: every entity's cohorts in evaluation order, and the routing version. */
@Command(name = "list", description = "Show each entity's cohorts in evaluation order and the routing version.")
final class ListCohortsCommand extends RouterCommand {

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Only this entity.")
  String entity;

  @Override
  JsonNode execute(RouterClient client) throws RouterClient.RouterProblem, RouterClient.RouterUnavailable, Refusal {
    JsonNode routing = client.get("/v1/entities");
    if (entity == null) {
      return routing;
    }
    if (!(routing instanceof ObjectNode document)) {
      throw new RouterClient.RouterUnavailable("the router at " + client.describe() + " answered with "
          + Text.excerpt(RouterClient.write(routing)) + " instead of its entities", false);
    }
    // The API has no filter: keep the document's shape with only the chosen entity.
    List<String> known = new ArrayList<>();
    for (JsonNode candidate : routing.path("entities")) {
      if (entity.equals(candidate.path("name").asText())) {
        ObjectNode filtered = document.deepCopy();
        ArrayNode only = filtered.putArray("entities");
        only.add(candidate);
        return filtered;
      }
      known.add(Text.field(candidate, "name"));
    }
    throw new Refusal("the router has no entity '" + Text.clean(entity) + "'"
        + (known.isEmpty() ? "" : " (it has: " + String.join(", ", known) + ")"));
  }

  @Override
  void print(JsonNode routing, PrintWriter out) {
    out.println("Routing version " + Text.field(routing, "version"));
    JsonNode entities = routing.path("entities");
    if (entities.isEmpty()) {
      out.println("No entities: every key is on legacy.");
      return;
    }
    out.println();
    Table table = Table.withHeader("ENTITY", "#", "COHORT", "PHASE", "READ", "WRITE", "SELECTOR");
    for (JsonNode routed : entities) {
      String name = Text.field(routed, "name");
      JsonNode cohorts = routed.path("cohorts");
      if (cohorts.isEmpty()) {
        table.row(name, null, null, null, null, null, "no cohorts");
      }
      int position = 0;
      for (JsonNode cohort : cohorts) {
        table.row(name, position++, Text.field(cohort, "name"), Text.field(cohort, "phase"),
            Text.field(cohort, "read"), Text.field(cohort, "write"), Cohorts.selector(cohort.get("selector")));
      }
    }
    table.print(out);
    out.println();
    out.println("A key goes to the first cohort (#) that holds it; keys no cohort holds stay on legacy.");
  }
}
