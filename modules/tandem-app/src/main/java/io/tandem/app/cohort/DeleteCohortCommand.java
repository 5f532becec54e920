package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort delete ENTITY NAME}: drop a cohort; its keys fall through to later cohorts or legacy. */
@Command(name = "delete", description = {"Remove a cohort: its keys go to the next cohort that holds them, else legacy.",
    "If that moves keys back towards legacy, the router refuses without --rollback."})
final class DeleteCohortCommand extends ChangeCommand {

  @Mixin
  ForceOption force;

  @Override
  boolean forced() {
    return force.force;
  }

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "NAME", description = "Cohort, e.g. canary.")
  String name;

  @Option(names = "--rollback", description = "Confirm that this may move keys back towards legacy.")
  boolean rollback;

  @Override
  Answer<ChangeResult> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    return client.deleteCohort(entity, name, rollback, change());
  }

  @Override
  void print(ChangeResult answer, PrintWriter out) {
    out.println("Deleted " + Text.clean(entity + "/" + name) + "." + Cohorts.version(answer));
    out.println("Its keys go to the next cohort that holds them, else stay on legacy.");
  }
}
