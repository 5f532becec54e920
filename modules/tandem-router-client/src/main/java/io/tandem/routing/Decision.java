package io.tandem.routing;

/**
 * Where one key's reads and writes go. {@code cohort} is null when no cohort holds the key (it stays on
 * legacy); {@code version} is the routing version the decision was made with.
 */
public record Decision(String entity, String key, String cohort, Phase phase, Target read, Target write,
    boolean shadow, long version) {
}
