package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Option;

/** A request that changes the routing: it must say why, and may insist on the version it was decided on. */
abstract class ChangeCommand extends RouterCommand {

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

  /** An empty request body, for the command's own fields first. */
  static ObjectNode body() {
    return RouterClient.JSON.createObjectNode();
  }

  /** Adds reason, the rollback confirmation (when the endpoint takes one), the expected version and force. */
  ObjectNode withReason(ObjectNode body, Boolean rollback) {
    body.put("reason", reason.strip());
    if (rollback != null) {
      body.put("rollback", rollback);
    }
    if (expectedVersion != null) {
      body.put("expectedVersion", expectedVersion);
    }
    if (forced()) {
      body.put("force", true);
    }
    return body;
  }
}
