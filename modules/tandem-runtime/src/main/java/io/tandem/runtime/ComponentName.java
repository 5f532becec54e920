package io.tandem.runtime;

import io.tandem.core.config.ConfigException;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What {@code tandem run --components} can run: the stages of forward sync, the continuous verifier and reverse sync;
 * any non-empty subset, so each can run as its own (scaled-out) deployment.
 */
public enum ComponentName {
  /** Legacy PostgreSQL → raw change topics (Debezium Embedded, one instance per replication slot). */
  CAPTURE,
  /** Raw change topics → {@code migrated.*} topics (Kafka Streams; instances share partitions). */
  TRANSFORM,
  /** {@code migrated.*} topics → the new database (instances in one consumer group share partitions). */
  SINK,
  /** Continuous verification passes (docs/verify.md). */
  VERIFY,
  /**
   * Reverse sync (docs/coexistence.md): capture of the new database, the reverse transform and the sink into
   * legacy, as three components {@code capture-new}, {@code reverse}, {@code sink-legacy}. Needs {@code coexistence}.
   */
  REVERSE;

  /** Every component, in pipeline order. */
  public static final Set<ComponentName> ALL = Collections.unmodifiableSet(EnumSet.allOf(ComponentName.class));

  /** The forward-sync stages. */
  public static final Set<ComponentName> STAGES = Collections.unmodifiableSet(EnumSet.of(CAPTURE, TRANSFORM, SINK));

  private static final String EXPECTED =
      "a comma-separated, non-empty subset of capture, transform, sink, verify, reverse (e.g. transform,sink)";

  /** Lower-case name as on the command line and in status output. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code --components}: names separated by commas, any case, blanks around them ignored,
   * duplicates allowed.
   *
   * @throws ConfigException naming {@code source} and {@code key} when a name is unknown or none is given
   */
  public static Set<ComponentName> parseList(String source, String key, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(source, key, EXPECTED, value == null ? null : value);
    }
    EnumSet<ComponentName> components = EnumSet.noneOf(ComponentName.class);
    for (String part : value.split(",", -1)) {
      String name = part.trim();
      ComponentName component = Arrays.stream(values()).filter(c -> c.id().equalsIgnoreCase(name)).findFirst()
          .orElseThrow(() -> new ConfigException(source, key, EXPECTED, value));
      components.add(component);
    }
    return Collections.unmodifiableSet(components);
  }

  /** {@code capture,transform,sink}: the ids in pipeline order. */
  public static String ids(Set<ComponentName> components) {
    return components.stream().sorted().map(ComponentName::id).collect(Collectors.joining(","));
  }
}
