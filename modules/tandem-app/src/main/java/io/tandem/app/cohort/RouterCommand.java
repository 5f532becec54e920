package io.tandem.app.cohort;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.routing.api.ProblemDocument;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * One request to the router and its answer printed: a table (or {@code --json}) on stdout, problems
 * on stderr, and the exit code that says which kind of outcome it was (see {@link CohortCommand}).
 *
 * @param <T> the router's answer, as the typed client reads it
 */
@Command(mixinStandardHelpOptions = true, sortOptions = false,
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:refused by the router (4xx): nothing changed",
        "2:invalid command line: nothing sent", "3:router unreachable, too slow or failing (5xx)"})
abstract class RouterCommand<T> implements Callable<Integer> {
  /** {@code --json} prints the router's document on one line, numbers as sent (1.5, 100, never 1E+2). */
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  RouterOptions router;

  /** Checks what picocli cannot; throw {@link CommandLine.ParameterException} (exit 2, nothing sent). */
  void checkArguments() {
  }

  /** Sends the request; the router's answer (its JSON is what {@code --json} prints). */
  abstract Answer<T> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException,
      Refusal;

  /** The answer for people. */
  abstract void print(T answer, PrintWriter out);

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
      RouterHttpClient client = router.client(spec.commandLine());
      Answer<T> answer = execute(client);
      if (router.json) {
        out.println(json(answer.json()));
      } else {
        print(answer.value(), out);
      }
      return CohortCommand.EXIT_OK;
    } catch (RouterProblemException problem) {
      printProblem(name, problem, out, err);
      return problem.refused() ? CohortCommand.EXIT_REFUSED : CohortCommand.EXIT_UNAVAILABLE;
    } catch (RouterUnavailableException unavailable) {
      err.println(name + ": " + unavailable.getMessage());
      if (changesRouting() && unavailable.mayHaveArrived()) {
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

  private void printProblem(String name, RouterProblemException problem, PrintWriter out, PrintWriter err) {
    if (router.json && problem.json() != null) {
      out.println(json(problem.json()));
    }
    err.println(name + ": " + (problem.refused() ? "refused by the router: " : "the router failed: ")
        + Text.clean(problem.title()) + " (HTTP " + problem.status() + ")");
    ProblemDocument document = problem.problem();
    if (document != null && document.gateRefused()) {
      // A promotion gate's refusal: what was gated and each failed condition on its own line.
      document.gatedMoves().forEach(move -> err.println("  gated: " + Text.clean(move)));
      document.failedConditions().forEach(condition -> err.println("  failed: " + Text.clean(condition)));
      err.println("  an admin may override the gate: repeat with --force and an admin token "
          + "(the reason and the overridden conditions are recorded in the audit log)");
    } else if (problem.detail() != null) {
      err.println("  " + Text.clean(problem.detail()));
    }
    if (problem.currentVersion() != null) {
      err.println("  current version: " + problem.currentVersion());
      err.println("  the routing changed since you looked: review it (tandem cohort list, tandem cohort audit), "
          + "then retry with --expect-version " + problem.currentVersion() + " if the change still makes sense");
    }
    if (problem.status() == 401) {
      err.println("  check --token or TANDEM_ROUTER_TOKEN");
    }
    String type = document == null || document.type() == null ? "" : document.type();
    if (problem.status() == 413 || type.endsWith("/limit-exceeded")) {
      err.println("  the router's limits are set in its configuration (router.limits, docs/router.md \"Limits\")");
    } else if (problem.status() == 415 || "Unknown field".equals(problem.title())) {
      err.println("  the router does not take the request as this CLI sent it: are the CLI and the router the same "
          + "version?");
    }
    if (!problem.refused() && changesRouting()) {
      err.println("  the change may or may not have been applied: check 'tandem cohort audit' before retrying");
    }
  }

  private static String json(JsonNode document) {
    try {
      return JSON.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
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
