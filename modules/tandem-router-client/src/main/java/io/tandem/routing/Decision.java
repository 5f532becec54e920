package io.tandem.routing;

/**
 * Where one key's reads and writes go. {@code cohort} is null when no cohort holds the key (it stays on
 * legacy); {@code version} is the routing version the decision was made with. {@code writeFenced}: a write
 * switch is moving this key's writes to the other side; writes must wait (retry) until it completes, and
 * {@code write} is still the old side meanwhile.
 */
public record Decision(String entity, String key, String cohort, Phase phase, Target read, Target write,
    boolean shadow, long version, boolean writeFenced) {

  /** A decision with no write switch pending for the key. */
  public Decision(String entity, String key, String cohort, Phase phase, Target read, Target write, boolean shadow,
      long version) {
    this(entity, key, cohort, phase, read, write, shadow, version, false);
  }
}
