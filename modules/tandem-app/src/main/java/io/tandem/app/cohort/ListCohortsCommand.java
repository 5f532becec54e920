package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.routing.Cohort;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.api.RoutingSnapshot;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem cohort list [--entity E]}: every entity's cohorts in evaluation order, and the routing version. */
@Command(name = "list", description = "Show each entity's cohorts in evaluation order and the routing version.")
final class ListCohortsCommand extends RouterCommand<RoutingSnapshot> {

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Only this entity.")
  String entity;

  @Override
  Answer<RoutingSnapshot> execute(RouterHttpClient client)
      throws RouterProblemException, RouterUnavailableException, Refusal {
    Answer<RoutingSnapshot> routing = client.entities();
    if (entity == null) {
      return routing;
    }
    List<EntityRouting> entities = routing.value().entities();
    for (int i = 0; i < entities.size(); i++) {
      if (entity.equals(entities.get(i).name())) {
        // The API has no filter: keep the document's shape with only the chosen entity.
        ObjectNode filtered = ((ObjectNode) routing.json()).deepCopy();
        filtered.putArray("entities").add(routing.json().path("entities").get(i));
        return new Answer<>(new RoutingSnapshot(routing.value().version(), List.of(entities.get(i))), filtered);
      }
    }
    List<String> known = entities.stream().map(e -> Text.clean(e.name())).toList();
    throw new Refusal("the router has no entity '" + Text.clean(entity) + "'"
        + (known.isEmpty() ? "" : " (it has: " + String.join(", ", known) + ")"));
  }

  @Override
  void print(RoutingSnapshot routing, PrintWriter out) {
    out.println("Routing version " + routing.version());
    if (routing.entities().isEmpty()) {
      out.println("No entities: every key is on legacy.");
      return;
    }
    out.println();
    Table table = Table.withHeader("ENTITY", "#", "COHORT", "PHASE", "READ", "WRITE", "SELECTOR");
    for (EntityRouting routed : routing.entities()) {
      if (routed.cohorts().isEmpty()) {
        table.row(routed.name(), null, null, null, null, null, "no cohorts");
      }
      int position = 0;
      for (Cohort cohort : routed.cohorts()) {
        table.row(routed.name(), position++, cohort.name(), cohort.phase().name(), cohort.phase().read().name(),
            cohort.phase().write().name(), Cohorts.selector(cohort.selector()));
      }
    }
    table.print(out);
    out.println();
    out.println("A key goes to the first cohort (#) that holds it; keys no cohort holds stay on legacy.");
  }
}
