package io.tandem.app.cohort;

import io.tandem.routing.Phase;
import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.NewCohort;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import io.tandem.routing.http.SelectorRequest;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort create ENTITY NAME (--percent P | --keys K,... | --rule EXPR)}. */
@Command(name = "create", description = "Add a cohort: a share of keys, a list of keys, or a rule over request attributes.")
final class CreateCohortCommand extends ChangeCommand {

  @Mixin
  ForceOption force;

  @Override
  boolean forced() {
    return force.force;
  }

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "NAME", description = "Name of the new cohort, e.g. canary.")
  String name;

  @ArgGroup(exclusive = true, multiplicity = "1", heading = "Which keys (exactly one):%n")
  Selection selection;

  @Option(names = "--phase", paramLabel = "PHASE",
      description = "Starting phase: LEGACY, SHADOW, NEW_READS or NEW (default: decided by the router).")
  String phase;

  @Option(names = "--position", paramLabel = "N",
      description = "Place in the evaluation order, 0 = first (default: last). A key goes to the first cohort that holds it.")
  Integer position;

  static final class Selection {
    @Option(names = "--percent", paramLabel = "PERCENT", converter = PercentConverter.class,
        description = "A sticky share of keys, 0 to 100 with at most 2 decimals.")
    BigDecimal percent;

    @Option(names = "--keys", paramLabel = "KEY", split = ",", description = "These keys, comma-separated.")
    List<String> keys;

    @Option(names = "--rule", paramLabel = "EXPR", description = "A CEL rule over the request, e.g. 'region == \"EU\"'.")
    String rule;
  }

  @Override
  void checkChange() {
    if (selection.keys != null && selection.keys.stream().anyMatch(String::isBlank)) {
      throw usageError("--keys must not hold an empty key, was '" + String.join(",", selection.keys) + "'");
    }
    if (selection.rule != null && selection.rule.isBlank()) {
      throw usageError("--rule must not be empty");
    }
    if (position != null && position < 0) {
      throw usageError("--position must be 0 or more, was " + position);
    }
    startingPhase();
  }

  /** The {@code --phase} asked for, null for the router's default; one it does not have is a usage error. */
  private Phase startingPhase() {
    if (phase == null) {
      return null;
    }
    try {
      return Phase.valueOf(phase.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usageError("--phase must be one of " + Arrays.stream(Phase.values()).map(Phase::name)
          .collect(Collectors.joining(", ")) + ", was '" + phase + "'");
    }
  }

  @Override
  Answer<ChangeResult> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    SelectorRequest selector = selection.percent != null ? SelectorRequest.percent(selection.percent)
        : selection.keys != null ? SelectorRequest.keys(selection.keys) : SelectorRequest.rule(selection.rule);
    return client.createCohort(entity, new NewCohort(name, selector, startingPhase(), position), change());
  }

  @Override
  void print(ChangeResult answer, PrintWriter out) {
    out.println("Created " + Text.clean(entity + "/" + name) + "." + Cohorts.version(answer));
    Cohorts.printOne(entity, name, answer.cohort(), out);
  }
}
