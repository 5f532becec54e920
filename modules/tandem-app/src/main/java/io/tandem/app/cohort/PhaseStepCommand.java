package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.ChangeOptions;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import picocli.CommandLine.Parameters;

/** One step of a cohort's phase, forward (promote) or back (demote): same request, different endpoint. */
abstract class PhaseStepCommand extends ChangeCommand {

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "NAME", description = "Cohort, e.g. canary.")
  String name;

  /** Asks the router for the step. */
  abstract Answer<ChangeResult> step(RouterHttpClient client, String entityName, String cohortName,
      ChangeOptions change) throws RouterProblemException, RouterUnavailableException;

  /** What was done, for the summary line. */
  abstract String done();

  @Override
  final Answer<ChangeResult> execute(RouterHttpClient client)
      throws RouterProblemException, RouterUnavailableException {
    return step(client, entity, name, change());
  }

  @Override
  final void print(ChangeResult answer, PrintWriter out) {
    if (answer.switchId() != null) {
      out.println("Began write switch " + Text.clean(answer.switchId()) + " for " + Text.clean(entity + "/" + name)
          + ": its keys' writes are refused (retryable) until the old side's writes have reached the other side,"
          + " then the phase changes." + Cohorts.version(answer));
      out.println("Watch it: GET /v1/switches. Abort it (nothing moves): POST /v1/switches/"
          + Text.clean(answer.switchId()) + "/abort.");
      Cohorts.printOne(entity, name, answer.cohort(), out);
      return;
    }
    String phase = answer.cohort() == null ? Text.NONE : answer.cohort().phase().name();
    out.println(done() + " " + Text.clean(entity + "/" + name) + " to " + phase + "." + Cohorts.version(answer));
    Cohorts.printOne(entity, name, answer.cohort(), out);
  }
}
