package io.tandem.app.cohort;

import io.tandem.routing.Decision;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort route ENTITY KEY [--attr k=v ...]}: where the router sends one key right now. */
@Command(name = "route", description = "Ask the router where one key's reads and writes go right now.")
final class RouteCommand extends RouterCommand<Decision> {

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "KEY", description = "The key, e.g. 42.")
  String key;

  @Option(names = "--attr", paramLabel = "NAME=VALUE",
      description = "A request attribute that rules may use, e.g. --attr region=EU (repeatable).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Override
  Answer<Decision> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    return client.route(entity, key, attributes);
  }

  @Override
  void print(Decision decision, PrintWriter out) {
    Table table = Table.nameValue();
    table.row("entity", decision.entity());
    table.row("key", decision.key());
    table.row("cohort", decision.cohort() == null ? "none (no cohort holds this key: legacy)" : decision.cohort());
    table.row("phase", decision.phase().name());
    table.row("read", decision.read().name());
    table.row("write", decision.write().name());
    table.row("shadow", decision.shadow() ? "yes (reads also go to new and are compared)" : "no");
    table.row("version", decision.version());
    table.print(out);
  }
}
