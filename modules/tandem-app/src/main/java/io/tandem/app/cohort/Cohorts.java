package io.tandem.app.cohort;

import io.tandem.routing.Cohort;
import io.tandem.routing.Selector;
import io.tandem.routing.api.ChangeResult;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** How cohorts read in tables. */
public final class Cohorts {
  /** Keys listed in a table cell; the rest are counted ({@code --json} has them all). */
  private static final int KEYS_SHOWN = 5;

  private Cohorts() {
  }

  /** {@code 1.5% of keys}, {@code 2 keys: 1, 2}, {@code rule: region == "EU"}. */
  public static String selector(Selector selector) {
    if (selector instanceof Selector.Percent percent) {
      // Basis points are exact, the double percentage is not.
      return Text.percent(BigDecimal.valueOf(percent.basisPoints(), 2)) + "% of keys";
    }
    if (selector instanceof Selector.Keys listed) {
      List<String> keys = new ArrayList<>(listed.keys());
      String shown = String.join(", ", keys.subList(0, Math.min(KEYS_SHOWN, keys.size())));
      String more = keys.size() > KEYS_SHOWN ? " +" + (keys.size() - KEYS_SHOWN) + " more" : "";
      return keys.size() + (keys.size() == 1 ? " key: " : " keys: ") + shown + more;
    }
    if (selector instanceof Selector.Rule rule) {
      return "rule: " + rule.expression();
    }
    return Text.NONE;
  }

  /** The table of one changed cohort as the router answered it ({@code cohort} null: only its name is known). */
  static void printOne(String entity, String name, Cohort cohort, PrintWriter out) {
    Table table = Table.withHeader("ENTITY", "COHORT", "PHASE", "READ", "WRITE", "SELECTOR");
    if (cohort == null) {
      table.row(entity, name, null, null, null, null);
    } else {
      table.row(entity, cohort.name(), cohort.phase().name(), cohort.phase().read().name(),
          cohort.phase().write().name(), selector(cohort.selector()));
    }
    out.println();
    table.print(out);
  }

  /** {@code Routing version 9.}: the version the change created. */
  static String version(ChangeResult answer) {
    return " Routing version " + answer.version() + ".";
  }
}
