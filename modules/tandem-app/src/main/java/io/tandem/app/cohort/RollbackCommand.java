package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort rollback VERSION}: the whole routing back to what it was at an earlier version. */
@Command(name = "rollback", description = {"Restore the routing of an earlier version, as a new version.",
    "Cohorts come back as they were; the entity declarations stay as they are now.",
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
  Answer<ChangeResult> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    return client.rollback(version, change());
  }

  @Override
  void print(ChangeResult answer, PrintWriter out) {
    out.println("Restored the routing of version " + (answer.restored() == null ? version : answer.restored()) + "."
        + Cohorts.version(answer));
  }
}
