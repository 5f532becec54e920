package io.tandem.routing;

import java.util.List;
import java.util.Objects;

/**
 * What the promotion gate said about a proposal when it was made (docs/router.md, "Promotion gates"):
 * recorded in the routing log so the audit shows why a move that new serves more was allowed. The state
 * machine ignores it: the gate is checked by the API before a proposal is written, never on apply.
 *
 * @param forced an admin asked to override the gate ({@code force: true})
 * @param overridden the conditions that had failed and were overridden (empty when none failed)
 * @param evidence the facts the passed conditions rested on, e.g. "customer/beta verified clean at …"
 */
public record GateOutcome(boolean forced, List<String> overridden, List<String> evidence) {
  public GateOutcome {
    overridden = List.copyOf(Objects.requireNonNull(overridden, "overridden"));
    evidence = List.copyOf(Objects.requireNonNull(evidence, "evidence"));
  }
}
