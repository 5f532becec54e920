package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.cohort.RouterClient.RouterProblem;
import io.tandem.app.cohort.RouterClient.RouterUnavailable;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * One request to the router and its answer printed: a table (or {@code --json}) on stdout, problems
 * on stderr, and the exit code that says which kind of outcome it was (see {@link CohortCommand}).
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:refused by the router (4xx): nothing changed",
        "2:invalid command line: nothing sent", "3:router unreachable, too slow or failing (5xx)"})
abstract class RouterCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  RouterOptions router;

  /** Checks what picocli cannot; throw {@link CommandLine.ParameterException} (exit 2, nothing sent). */
  void checkArguments() {
  }

  /** Sends the request; the router's answer, or what to print with {@code --json}. */
  abstract JsonNode execute(RouterClient client) throws RouterProblem, RouterUnavailable, Refusal;

  /** The answer for people. */
  abstract void print(JsonNode answer, PrintWriter out);

  /** Whether the request changes the routing (so an unclear outcome needs checking). */
  boolean changesRouting() {
    return false;
  }

  @Override
  public final Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String name = spec.qualifiedName();
    try {
      checkArguments();
      RouterClient client = router.client(spec.commandLine());
      JsonNode answer = execute(client);
      if (router.json) {
        out.println(RouterClient.write(answer));
      } else {
        print(answer, out);
      }
      return CohortCommand.EXIT_OK;
    } catch (RouterProblem problem) {
      printProblem(name, problem, out, err);
      return problem.refused() ? CohortCommand.EXIT_REFUSED : CohortCommand.EXIT_UNAVAILABLE;
    } catch (RouterUnavailable unavailable) {
      err.println(name + ": " + unavailable.getMessage());
      if (changesRouting() && unavailable.mayHaveArrived) {
        err.println("  the change may or may not have been applied: check 'tandem cohort audit' before retrying");
      }
      return CohortCommand.EXIT_UNAVAILABLE;
    } catch (Refusal refusal) {
      err.println(name + ": " + refusal.getMessage());
      return CohortCommand.EXIT_REFUSED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private void printProblem(String name, RouterProblem problem, PrintWriter out, PrintWriter err) {
    if (router.json && problem.document != null) {
      out.println(RouterClient.write(problem.document));
    }
    err.println(name + ": " + (problem.refused() ? "refused by the router: " : "the router failed: ")
        + problem.title + " (HTTP " + problem.status + ")");
    JsonNode failed = problem.document == null ? null : problem.document.get("failedConditions");
    if (failed != null && failed.isArray()) {
      // A promotion gate's refusal: what was gated and each failed condition on its own line.
      for (JsonNode move : problem.document.path("gatedMoves")) {
        err.println("  gated: " + Text.clean(move.asText()));
      }
      for (JsonNode condition : failed) {
        err.println("  failed: " + Text.clean(condition.asText()));
      }
      err.println("  an admin may override the gate: repeat with --force and an admin token "
          + "(the reason and the overridden conditions are recorded in the audit log)");
    } else if (problem.detail != null) {
      err.println("  " + problem.detail);
    }
    if (problem.currentVersion != null) {
      err.println("  current version: " + problem.currentVersion);
      err.println("  the routing changed since you looked: review it (tandem cohort list, tandem cohort audit), "
          + "then retry with --expect-version " + problem.currentVersion + " if the change still makes sense");
    }
    if (problem.status == 401) {
      err.println("  check --token or TANDEM_ROUTER_TOKEN");
    }
    if (!problem.refused() && changesRouting()) {
      err.println("  the change may or may not have been applied: check 'tandem cohort audit' before retrying");
    }
  }

  /** A usage error: printed with the command's usage, exit code 2, nothing sent. */
  CommandLine.ParameterException usageError(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** Refused without asking the router, e.g. an entity it does not have: exit code 1. */
  static final class Refusal extends Exception {
    Refusal(String message) {
      super(message, null, false, false);
    }
  }
}
