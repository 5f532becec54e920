package io.tandem.verify;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keys the pipeline sent to a dead-letter topic, with the reason: such a difference is accounted for. */
public final class DeadLetters {
  public static final DeadLetters NONE = new DeadLetters();

  private final Map<String, String> reasons = new ConcurrentHashMap<>();

  public void add(String entity, String key, String reason) {
    reasons.put(entity + "\u0000" + key, reason == null ? "dead-lettered" : reason);
  }

  public Optional<String> reason(String entity, String key) {
    return Optional.ofNullable(reasons.get(entity + "\u0000" + key));
  }

  public int size() {
    return reasons.size();
  }
}
