package io.tandem.registry;

import java.util.List;

/** Answer of a compatibility test: the verdict and, when asked for, the reasons. */
public record CompatibilityResult(boolean compatible, List<String> messages) {
  public CompatibilityResult {
    messages = messages == null ? List.of() : List.copyOf(messages);
  }
}
