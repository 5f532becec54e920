package io.tandem.app;

import io.tandem.routing.api.AuditRecord;
import io.tandem.routing.http.RouterHttpClient;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of an operator action outside the routing ({@code tandem dlq replay}, {@code tandem verify
 * --repair}): against a router-protected deployment it is recorded through the router's {@code POST
 * /v1/actions} before anything is done, which checks the token's role (operator) and writes the action to
 * the routing log's audit trail. A refusal means nothing is done.
 *
 * <p>Without a router the action is refused unless {@code --unaudited} says that is meant: an operator who
 * forgot {@code --router} is told so instead of acting unrecorded, and one without a router passes one flag.
 */
public final class OperatorAudit {

  @Option(names = "--router", defaultValue = "${env:TANDEM_ROUTER_URL}", paramLabel = "URL",
      description = "Router operator API that checks the role (operator) and audits the action "
          + "(default: $TANDEM_ROUTER_URL).")
  String url;

  // No ${DEFAULT-VALUE} in the description: the default is the secret itself.
  @Option(names = "--token", defaultValue = "${env:TANDEM_ROUTER_TOKEN}", paramLabel = "TOKEN",
      description = "Bearer token for --router (default: $TANDEM_ROUTER_TOKEN; prefer the variable). Never printed.")
  String token;

  @Option(names = "--router-timeout", defaultValue = "10s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "How long to wait for the router (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(10);

  @Option(names = "--unaudited", description = "Act without a router: no role check, no audit entry "
      + "(for deployments without a router). Without --router this flag is required.")
  boolean unaudited;

  /** What recording the action came to. */
  public sealed interface Outcome {
    /** Recorded by the router: go ahead. */
    record Recorded(AuditRecord entry) implements Outcome {}

    /** No router and {@code --unaudited}: go ahead, unrecorded. */
    record Unaudited() implements Outcome {}

    /** Refused (4xx) or not confirmed: do nothing. {@code exitCode} 1 for a refusal, 3 when unavailable. */
    record Refused(int exitCode) implements Outcome {}
  }

  /**
   * Checks the combination of options before anything is read or sent.
   *
   * @throws CommandLine.ParameterException neither {@code --router} nor {@code --unaudited}, or both, or a bad URL
   */
  public void check(CommandLine commandLine, String what) {
    boolean router = url != null && !url.isBlank();
    if (!router && !unaudited) {
      throw new CommandLine.ParameterException(commandLine, what + " is an operator action: give --router URL "
          + "(or set TANDEM_ROUTER_URL) and an operator token (--token or TANDEM_ROUTER_TOKEN) so that the router "
          + "checks the role and audits it, or --unaudited to act without a router (nothing is recorded)");
    }
    if (router && unaudited) {
      throw new CommandLine.ParameterException(commandLine, "--unaudited and --router exclude each other");
    }
    if (router) {
      client(commandLine);
    }
  }

  /** Whether a router will be asked. */
  public boolean audited() {
    return url != null && !url.isBlank() && !unaudited;
  }

  /** The router as messages name it, without user info. */
  public String describe(CommandLine commandLine) {
    return audited() ? client(commandLine).describe() : "no router";
  }

  /**
   * Records the action through the router (or, unaudited, says so on {@code err}), before it is done.
   *
   * @param entity the entity it concerns, or null
   */
  public Outcome record(CommandLine commandLine, String action, String entity, String scope, long count, String reason,
      PrintWriter err) {
    String name = commandLine.getCommandSpec().qualifiedName();
    if (!audited()) {
      err.println(name + ": not audited (--unaudited): no router checked the role or recorded this " + action);
      return new Outcome.Unaudited();
    }
    RouterHttpClient client = client(commandLine);
    try {
      AuditRecord entry = client.recordAction(action, entity, scope, count, reason).value();
      err.println(name + ": recorded in the router's audit as " + action + " by " + entry.actor()
          + " (routing log offset " + entry.offset() + ")");
      return new Outcome.Recorded(entry);
    } catch (RouterProblemException problem) {
      err.println(name + ": " + (problem.refused() ? "refused by the router: " : "the router failed: ")
          + problem.title() + " (HTTP " + problem.status() + ")" + (problem.detail() == null ? ""
              : ": " + problem.detail()));
      if (problem.status() == 401) {
        err.println("  check --token or TANDEM_ROUTER_TOKEN");
      }
      err.println("  nothing was done");
      return new Outcome.Refused(problem.refused() ? 1 : 3);
    } catch (RouterUnavailableException unavailable) {
      err.println(name + ": " + unavailable.getMessage());
      err.println("  the action was not confirmed as recorded, so nothing was done"
          + (unavailable.mayHaveArrived() ? " (an entry may still appear in 'tandem cohort audit')" : ""));
      return new Outcome.Refused(3);
    }
  }

  /** Who the action is done as: the router's actor, else the local user marked unaudited. */
  public static String actor(Outcome outcome) {
    if (outcome instanceof Outcome.Recorded recorded && recorded.entry().actor() != null) {
      return recorded.entry().actor();
    }
    return Optional.ofNullable(System.getProperty("user.name")).orElse("?") + " (unaudited)";
  }

  private RouterHttpClient client(CommandLine commandLine) {
    URI base;
    try {
      base = new URI(url.trim());
    } catch (java.net.URISyntaxException e) {
      base = null;
    }
    if (base == null || base.getHost() == null
        || !("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))) {
      // The value is not echoed: its user info could hold a password.
      throw new CommandLine.ParameterException(commandLine,
          "--router must be an http(s) URL such as http://127.0.0.1:8088");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CommandLine.ParameterException(commandLine, "--router-timeout must be positive, was " + timeout);
    }
    return RouterHttpClient.builder(base).token(token).timeout(timeout).build();
  }
}
