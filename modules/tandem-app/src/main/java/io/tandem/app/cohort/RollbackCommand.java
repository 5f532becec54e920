package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort rollback VERSION}: the whole routing back to what it was at an earlier version. */
@Command(name = "rollback", description = {"Restore the routing of an earlier version, as a new version.",
    "Find the version to go back to with 'tandem cohort audit'."})
final class RollbackCommand extends ChangeCommand {

  @Mixin
  ForceOption force;

  @Override
  boolean forced() {
    return force.force;
  }

  @Parameters(index = "0", paramLabel = "VERSION", description = "The routing version to restore.")
  long version;

  @Override
  void checkChange() {
    if (version < 0) {
      throw usageError("VERSION must be 0 or more, was " + version);
    }
  }

  @Override
  JsonNode execute(RouterClient client) throws RouterClient.RouterProblem, RouterClient.RouterUnavailable {
    return client.post("/v1/rollback", withReason(body().put("version", version), null));
  }

  @Override
  void print(JsonNode answer, PrintWriter out) {
    out.println("Restored the routing of version " + Text.field(answer, "restored", String.valueOf(version)) + "."
        + Cohorts.version(answer));
  }
}
