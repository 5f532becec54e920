package io.tandem.app.cohort;

import picocli.CommandLine.Command;

/** {@code tandem cohort promote ENTITY NAME}: one phase forward. */
@Command(name = "promote",
    description = "Move a cohort one phase forward: LEGACY -> SHADOW -> NEW_READS -> NEW.")
final class PromoteCommand extends PhaseStepCommand {
  @Override
  String action() {
    return "promote";
  }

  @Override
  String done() {
    return "Promoted";
  }
}
