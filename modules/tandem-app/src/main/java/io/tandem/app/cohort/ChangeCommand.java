package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.ChangeOptions;
import picocli.CommandLine.Option;

/** A request that changes the routing: it must say why, and may insist on the version it was decided on. */
abstract class ChangeCommand extends RouterCommand<ChangeResult> {

  @Option(names = "--reason", required = true, paramLabel = "TEXT",
      description = "Why (required): recorded in the audit log with who did it.")
  String reason;

  @Option(names = "--expect-version", paramLabel = "N",
      description = "Apply only if the routing is still at version N (as 'tandem cohort list' showed it); "
          + "otherwise the router refuses and says the current version.")
  Long expectedVersion;

  @Override
  final void checkArguments() {
    if (reason.isBlank()) {
      throw usageError("--reason must say why (it goes into the audit log)");
    }
    if (expectedVersion != null && expectedVersion < 0) {
      throw usageError("--expect-version must be 0 or more, was " + expectedVersion);
    }
    checkChange();
  }

  /** Whether to send {@code force: true} (commands with {@link ForceOption} say so). */
  boolean forced() {
    return false;
  }

  /** Checks of the command's own arguments. */
  void checkChange() {
  }

  @Override
  final boolean changesRouting() {
    return true;
  }

  /** The reason, the expected version and force, as every change sends them. */
  final ChangeOptions change() {
    return new ChangeOptions(reason.strip(), expectedVersion, forced());
  }
}
