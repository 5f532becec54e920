package io.tandem.app.cohort;

import picocli.CommandLine.Command;

/** {@code tandem cohort demote ENTITY NAME}: one phase back; asking for it is the rollback confirmation. */
@Command(name = "demote",
    description = "Move a cohort one phase back: NEW -> NEW_READS -> SHADOW -> LEGACY (moves its keys towards legacy).")
final class DemoteCommand extends PhaseStepCommand {
  @Override
  String action() {
    return "demote";
  }

  @Override
  String done() {
    return "Demoted";
  }
}
