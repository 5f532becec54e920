package io.tandem.router.gate;

import java.util.List;

/**
 * What the promotion gate says about one change.
 *
 * @param moves what the change does that is gated, e.g. "customer/beta SHADOW -> NEW_READS" (empty: not gated)
 * @param failed every condition that failed, as a sentence naming it (empty: passed)
 * @param evidence the facts the passed conditions rest on
 */
public record GateVerdict(List<String> moves, List<String> failed, List<String> evidence) {
  public GateVerdict {
    moves = List.copyOf(moves);
    failed = List.copyOf(failed);
    evidence = List.copyOf(evidence);
  }

  /** Nothing in the change is gated. */
  public static GateVerdict notGated() {
    return new GateVerdict(List.of(), List.of(), List.of());
  }

  public boolean gated() {
    return !moves.isEmpty();
  }

  public boolean passed() {
    return failed.isEmpty();
  }
}
