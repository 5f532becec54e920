package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.ChangeOptions;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import picocli.CommandLine.Command;

/** {@code tandem cohort demote ENTITY NAME}: one phase back; asking for it is the rollback confirmation. */
@Command(name = "demote",
    description = "Move a cohort one phase back: NEW -> NEW_READS -> SHADOW -> LEGACY (moves its keys towards legacy).")
final class DemoteCommand extends PhaseStepCommand {
  @Override
  Answer<ChangeResult> step(RouterHttpClient client, String entityName, String cohortName, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return client.demote(entityName, cohortName, change);
  }

  @Override
  String done() {
    return "Demoted";
  }
}
