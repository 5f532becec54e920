package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.ChangeOptions;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tandem cohort promote ENTITY NAME}: one phase forward. */
@Command(name = "promote",
    description = "Move a cohort one phase forward: LEGACY -> SHADOW -> NEW_READS -> NEW.")
final class PromoteCommand extends PhaseStepCommand {

  @Mixin
  ForceOption force;

  @Override
  boolean forced() {
    return force.force;
  }

  @Override
  Answer<ChangeResult> step(RouterHttpClient client, String entityName, String cohortName, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return client.promote(entityName, cohortName, change);
  }

  @Override
  String done() {
    return "Promoted";
  }
}
