package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort route ENTITY KEY [--attr k=v ...]}: where the router sends one key right now. */
@Command(name = "route", description = "Ask the router where one key's reads and writes go right now.")
final class RouteCommand extends RouterCommand {

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "KEY", description = "The key, e.g. 42.")
  String key;

  @Option(names = "--attr", paramLabel = "NAME=VALUE",
      description = "A request attribute that rules may use, e.g. --attr region=EU (repeatable).")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Override
  JsonNode execute(RouterClient client) throws RouterClient.RouterProblem, RouterClient.RouterUnavailable {
    return client.get(RouterClient.path("v1", "route", entity, key) + RouterClient.query(attributes));
  }

  @Override
  void print(JsonNode decision, PrintWriter out) {
    String cohort = Text.field(decision, "cohort", null);
    Table table = Table.nameValue();
    table.row("entity", Text.field(decision, "entity"));
    table.row("key", Text.field(decision, "key"));
    table.row("cohort", cohort == null ? "none (no cohort holds this key: legacy)" : cohort);
    table.row("phase", Text.field(decision, "phase"));
    table.row("read", Text.field(decision, "read"));
    table.row("write", Text.field(decision, "write"));
    table.row("shadow", decision.path("shadow").asBoolean(false)
        ? "yes (reads also go to new and are compared)" : "no");
    table.row("version", Text.field(decision, "version"));
    table.print(out);
  }
}
