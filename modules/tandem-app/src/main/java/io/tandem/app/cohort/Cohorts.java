package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** How cohorts read in tables. */
final class Cohorts {
  /** Keys listed in a table cell; the rest are counted ({@code --json} has them all). */
  private static final int KEYS_SHOWN = 5;

  private Cohorts() {
  }

  /** {@code 1.5% of keys}, {@code 2 keys: 1, 2}, {@code rule: region == "EU"}. */
  static String selector(JsonNode selector) {
    if (selector == null || selector.isNull()) {
      return Text.NONE;
    }
    String kind = selector.path("kind").asText("");
    switch (kind) {
      case "percent": {
        // Basis points are exact; the double is the fallback.
        JsonNode basisPoints = selector.get("basisPoints");
        BigDecimal percent = basisPoints != null && basisPoints.canConvertToLong()
            ? BigDecimal.valueOf(basisPoints.asLong(), 2)
            : selector.path("percent").decimalValue();
        return Text.percent(percent) + "% of keys";
      }
      case "keys": {
        List<String> keys = new ArrayList<>();
        selector.path("keys").forEach(key -> keys.add(key.asText()));
        String shown = String.join(", ", keys.subList(0, Math.min(KEYS_SHOWN, keys.size())));
        String more = keys.size() > KEYS_SHOWN ? " +" + (keys.size() - KEYS_SHOWN) + " more" : "";
        return keys.size() + (keys.size() == 1 ? " key: " : " keys: ") + shown + more;
      }
      case "rule":
        return "rule: " + selector.path("expression").asText("");
      default:
        return RouterClient.write(selector);
    }
  }

  /** The table of one changed cohort, as the router answered it. */
  static void printOne(String entity, JsonNode cohort, PrintWriter out) {
    Table table = Table.withHeader("ENTITY", "COHORT", "PHASE", "READ", "WRITE", "SELECTOR");
    table.row(entity, Text.field(cohort, "name"), Text.field(cohort, "phase"), Text.field(cohort, "read"),
        Text.field(cohort, "write"), selector(cohort.get("selector")));
    out.println();
    table.print(out);
  }

  /** {@code Routing version 9.}, or nothing if the answer has no version. */
  static String version(JsonNode answer) {
    JsonNode version = answer.get("version");
    return version == null || version.isNull() ? "" : " Routing version " + Text.clean(version.asText()) + ".";
  }
}
