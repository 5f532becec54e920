package io.tandem.routing.http;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * Which keys a new or changed cohort should hold, as asked for; the router checks and completes it
 * (a percentage's salt, a rule's compilation) into an {@link io.tandem.routing.Selector}.
 */
public sealed interface SelectorRequest permits SelectorRequest.Percent, SelectorRequest.Keys, SelectorRequest.Rule {

  /** A sticky share of keys, 0 to 100 in hundredths of a percent (e.g. 1.5). */
  record Percent(BigDecimal percent) implements SelectorRequest {
    public Percent {
      Objects.requireNonNull(percent, "percent");
    }
  }

  /** These keys, sent in this order. */
  record Keys(List<String> keys) implements SelectorRequest {
    public Keys {
      keys = List.copyOf(keys);
    }
  }

  /** A CEL rule over the request's attributes, e.g. {@code region == "EU"}. */
  record Rule(String expression) implements SelectorRequest {
    public Rule {
      Objects.requireNonNull(expression, "expression");
    }
  }

  static SelectorRequest percent(BigDecimal percent) {
    return new Percent(percent);
  }

  static SelectorRequest keys(List<String> keys) {
    return new Keys(keys);
  }

  static SelectorRequest rule(String expression) {
    return new Rule(expression);
  }
}
