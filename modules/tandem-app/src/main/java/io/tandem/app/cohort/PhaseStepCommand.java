package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Parameters;

/** One step of a cohort's phase, forward (promote) or back (demote): same request, different endpoint. */
abstract class PhaseStepCommand extends ChangeCommand {

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "NAME", description = "Cohort, e.g. canary.")
  String name;

  /** The endpoint's last segment. */
  abstract String action();

  /** What was done, for the summary line. */
  abstract String done();

  @Override
  final JsonNode execute(RouterClient client) throws RouterClient.RouterProblem, RouterClient.RouterUnavailable {
    return client.post(RouterClient.path("v1", "entities", entity, "cohorts", name, action()),
        withReason(body(), null));
  }

  @Override
  final void print(JsonNode answer, PrintWriter out) {
    JsonNode cohort = answer.path("cohort");
    out.println(done() + " " + Text.clean(entity + "/" + name) + " to " + Text.field(cohort, "phase") + "."
        + Cohorts.version(answer));
    Cohorts.printOne(entity, cohort, out);
  }
}
