package io.tandem.app.cohort;

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
  String action() {
    return "promote";
  }

  @Override
  String done() {
    return "Promoted";
  }
}
