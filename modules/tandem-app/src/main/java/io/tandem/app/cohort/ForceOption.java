package io.tandem.app.cohort;

import picocli.CommandLine.Option;

/** {@code --force}: the change goes past a refusing promotion gate (admin tokens only; audited). */
final class ForceOption {
  @Option(names = "--force",
      description = "Override the promotion gate if it refuses this change (needs an admin token; recorded in the "
          + "audit log with --reason and the conditions it overrode).")
  boolean force;
}
