package io.tandem.app.cohort;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem cohort ...}: the router's operator API from the command line. Tables for people,
 * {@code --json} for scripts, and exit codes a script can branch on:
 * {@value #EXIT_OK} done, {@value #EXIT_REFUSED} refused by the router (4xx: nothing changed),
 * {@value #EXIT_USAGE} bad command line (nothing sent), {@value #EXIT_UNAVAILABLE} router unreachable,
 * too slow or failing (5xx).
 */
@Command(name = "cohort", mixinStandardHelpOptions = true,
    description = {"Inspect and change which keys the router sends to the new database (cohorts, phases, rollback).",
        "Changes need --reason (recorded in the audit log); --expect-version N makes a change apply only if "
            + "nobody changed the routing since you looked at version N."},
    subcommands = {ListCohortsCommand.class, CreateCohortCommand.class, SetPercentCommand.class,
        PromoteCommand.class, DemoteCommand.class, DeleteCohortCommand.class, RollbackCommand.class,
        AuditCommand.class, RouteCommand.class, MembersCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:refused by the router (4xx): nothing changed",
        "2:invalid command line: nothing sent", "3:router unreachable, too slow or failing (5xx)"})
public final class CohortCommand implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_REFUSED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_UNAVAILABLE = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
