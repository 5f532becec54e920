package io.tandem.app.cohort;

import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import java.math.BigDecimal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem cohort set-percent ENTITY NAME PERCENT}: grow (or, with --rollback, shrink) a percentage cohort. */
@Command(name = "set-percent", description = {"Change the share of keys a percentage cohort holds.",
    "Growing keeps every key the cohort held; shrinking moves keys back and needs --rollback."})
final class SetPercentCommand extends ChangeCommand {

  @Mixin
  ForceOption force;

  @Override
  boolean forced() {
    return force.force;
  }

  @Parameters(index = "0", paramLabel = "ENTITY", description = "Entity, e.g. customer.")
  String entity;

  @Parameters(index = "1", paramLabel = "NAME", description = "Cohort, e.g. canary.")
  String name;

  @Parameters(index = "2", paramLabel = "PERCENT", converter = PercentConverter.class,
      description = "New share, 0 to 100 with at most 2 decimals, e.g. 5 or 0.5.")
  BigDecimal percent;

  @Option(names = "--rollback",
      description = "Confirm that lowering the share moves keys back towards legacy (refused without it).")
  boolean rollback;

  @Override
  Answer<ChangeResult> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    return client.setPercent(entity, name, percent, rollback, change());
  }

  @Override
  void print(ChangeResult answer, PrintWriter out) {
    out.println("Set " + Text.clean(entity + "/" + name) + " to " + Text.percent(percent) + "% of keys."
        + Cohorts.version(answer));
    Cohorts.printOne(entity, name, answer.cohort(), out);
  }
}
