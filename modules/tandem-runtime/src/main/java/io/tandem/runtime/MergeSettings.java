package io.tandem.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.capture.LegacySettings;
import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import io.tandem.core.mapping.MergeRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code merge} section: legacy databases besides {@code legacy} whose rows are merged into the same
 * entities (mappings with {@code legacy: <source>} and one {@code merge:} rule per entity; docs/mappings.md,
 * "Merger"). Each source is captured by its own engine from its own connector file, into its own raw topics.
 *
 * @param sources the other sources, by the name the mappings use
 */
public record MergeSettings(List<Source> sources) {
  /** At most this many sources besides {@code legacy}. */
  public static final int MAX_SOURCES = 8;
  private static final Set<String> SOURCE_KEYS = Set.of("connector", "env");

  /**
   * One more legacy source.
   *
   * @param connector its Debezium connector file (its own {@code topic.prefix}, slot and offsets topic)
   * @param env values for that file's placeholders; they win over the process environment
   */
  public record Source(String name, Path connector, Map<String, String> env) {
    public Source {
      env = Map.copyOf(env);
    }

    /** The environment for the connector file's placeholders, as {@link LegacySettings#environment}. */
    public Map<String, String> environment(Map<String, String> processEnv, String kafkaBootstrapServers) {
      Map<String, String> merged = new HashMap<>(processEnv);
      merged.put(LegacySettings.KAFKA_BOOTSTRAP_SERVERS_VARIABLE, kafkaBootstrapServers);
      merged.putAll(env);
      return merged;
    }

    @Override
    public String toString() {
      return name + "[connector=" + connector + ", env=" + Secrets.maskedEnv(env) + "]";
    }
  }

  public static final Section SECTION = Section.of("merge", "optional",
      "Legacy databases merged with `legacy` into the same entities (docs/mappings.md, \"Merger\"). Read by "
          + "`capture` (one engine per source), `transform` and `verify`.");
  public static final Setting<List<Source>> SOURCES = Setting.custom("merge.sources",
      "map: source name → { connector, env }", "`{}`",
      "Each other source by the name its mappings give under `legacy:` (lower-case letters, digits, `_`): "
          + "`connector`, its Debezium connector file (its own `topic.prefix`, slot and offsets topic; relative "
          + "paths resolve against this file's folder), and `env`, values for that file's placeholders (as "
          + "`legacy.env`). At most " + MAX_SOURCES + ".", List.of(), MergeSettings::readSources);

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, SOURCES);

  public MergeSettings {
    sources = List.copyOf(sources);
  }

  public static MergeSettings none() {
    return new MergeSettings(List.of());
  }

  public static MergeSettings read(ConfigSection root) {
    return new MergeSettings(root.section(SECTION).get(SOURCES));
  }

  public Optional<Source> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  private static List<Source> readSources(ConfigSection section, String path, JsonNode node) {
    if (!node.isObject() || node.size() > MAX_SOURCES) {
      throw section.error(path, "a map of at most " + MAX_SOURCES + " source name → { connector, env }", node);
    }
    List<Source> sources = new ArrayList<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String name = entry.getKey();
      String sourcePath = path + "." + name;
      if (!name.matches("[a-z][a-z0-9_]*") || name.equals(MergeRule.PRIMARY_SOURCE)) {
        throw section.error(sourcePath, "a source name of lower-case letters, digits and _, other than '"
            + MergeRule.PRIMARY_SOURCE + "' (the legacy section's)", name);
      }
      JsonNode spec = entry.getValue();
      if (spec == null || !spec.isObject()) {
        throw section.error(sourcePath, "{ connector, env }", spec);
      }
      for (Map.Entry<String, JsonNode> key : spec.properties()) {
        if (!SOURCE_KEYS.contains(key.getKey())) {
          throw section.error(sourcePath + "." + key.getKey(), "one of " + new java.util.TreeSet<>(SOURCE_KEYS),
              key.getKey());
        }
      }
      JsonNode connector = spec.get("connector");
      if (connector == null || connector.isNull()) {
        throw section.error(sourcePath + ".connector", "the source's Debezium connector file", null);
      }
      String file = section.scalar(sourcePath + ".connector", connector, "a file system path");
      if (file.isBlank()) {
        throw section.error(sourcePath + ".connector", "a file system path", file);
      }
      Map<String, String> env = spec.has("env") ? section.stringMap(sourcePath + ".env", spec.get("env")) : Map.of();
      if (env.containsKey(LegacySettings.KAFKA_BOOTSTRAP_SERVERS_VARIABLE)) {
        throw section.error(sourcePath + ".env." + LegacySettings.KAFKA_BOOTSTRAP_SERVERS_VARIABLE,
            "not set here: Tandem sets it from kafka.bootstrapServers", env.get(LegacySettings.KAFKA_BOOTSTRAP_SERVERS_VARIABLE));
      }
      sources.add(new Source(name, section.base().resolve(file).normalize(), env));
    }
    return sources;
  }
}
