package io.tandem.capture;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code legacy} section: the legacy database, through the Debezium connector file.
 *
 * @param env values for the connector file's placeholders; they win over the process environment
 * @param topicPrefix the raw topics' prefix when given in tandem.yaml; else the connector file's
 * @param snapshotRowsPerSecond read budget of the initial snapshot on legacy; 0 = unlimited
 */
public record LegacySettings(Path connector, Map<String, String> env, Optional<String> topicPrefix,
    int snapshotRowsPerSecond) {

  /** The variable Tandem sets for the connector file from {@code kafka.bootstrapServers}. */
  public static final String KAFKA_BOOTSTRAP_SERVERS_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]+");

  public static final Section SECTION = Section.of("legacy", "optional",
      "The legacy database, through the Debezium connector file (docs/capture.md). Read by `capture`, and by "
          + "`transform` unless `legacy.topicPrefix` is set.");
  public static final Setting<Path> CONNECTOR = Setting.path("legacy.connector",
      "connectors/legacy-postgres.properties", null,
      "Debezium PostgreSQL connector properties file; its `${VAR}` / `${VAR:-default}` placeholders are resolved "
          + "from `legacy.env`, then the process environment.");
  public static final Setting<Map<String, String>> ENV = Setting.custom("legacy.env",
      "map: variable name → string, number or boolean", "`{}`",
      "Values for the connector file's placeholders (`LEGACY_DB_HOST`, `LEGACY_DB_PASSWORD`, ...; see "
          + "docs/capture.md); they win over the process environment. `KAFKA_BOOTSTRAP_SERVERS` is refused: it "
          + "comes from `kafka.bootstrapServers`. Values of names containing `PASSWORD`, `SECRET`, `TOKEN`, ... "
          + "are masked.", Map.of(), LegacySettings::readEnv);
  public static final Setting<String> TOPIC_PREFIX = Setting.optionalText("legacy.topicPrefix", "string",
      "the connector file's `topic.prefix`",
      "Prefix of the raw change topics (`legacy.<db>`). Set it so that a deployment running `transform` without "
          + "`capture` does not read the connector file (nor need the legacy credentials). When the connector "
          + "file is read as well, both must agree.")
      .requiring(p -> PREFIX.matcher(p).matches() && !p.endsWith("."),
          "a topic prefix such as legacy.<db> (letters, digits, '.', '_', '-')");

  public static final Setting<Integer> SNAPSHOT_ROWS_PER_SECOND = Setting.integer("legacy.snapshotRowsPerSecond", 0,
      0, 10_000_000, "Read budget of the initial snapshot (and of `tandem verify --repair` re-emits, which travel "
          + "the same way) on the legacy database, in rows per second; 0 = unlimited. Capture holds back snapshot "
          + "batches beyond it and Debezium's bounded queue (`max.queue.size`) then holds back its reads; streamed "
          + "changes are never held back. `tandem_snapshot_throttle_seconds_total` counts the waiting.");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, CONNECTOR, ENV, TOPIC_PREFIX,
      SNAPSHOT_ROWS_PER_SECOND);

  public LegacySettings {
    env = Map.copyOf(env);
    topicPrefix.ifPresent(TOPIC_PREFIX::check);
    SNAPSHOT_ROWS_PER_SECOND.check(snapshotRowsPerSecond);
  }

  /** No snapshot read budget. */
  public LegacySettings(Path connector, Map<String, String> env, Optional<String> topicPrefix) {
    this(connector, env, topicPrefix, 0);
  }

  /** Reads the {@code legacy} section (absent: every default). */
  public static LegacySettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new LegacySettings(section.get(CONNECTOR), section.get(ENV), Optional.ofNullable(section.get(TOPIC_PREFIX)),
        section.get(SNAPSHOT_ROWS_PER_SECOND));
  }

  /**
   * The environment for the connector file's placeholders: {@code processEnv}, then
   * {@code KAFKA_BOOTSTRAP_SERVERS} from the Kafka section, then {@code legacy.env}.
   */
  public Map<String, String> environment(Map<String, String> processEnv, String kafkaBootstrapServers) {
    Map<String, String> merged = new HashMap<>(processEnv);
    merged.put(KAFKA_BOOTSTRAP_SERVERS_VARIABLE, kafkaBootstrapServers);
    merged.putAll(env);
    return merged;
  }

  private static Map<String, String> readEnv(ConfigSection section, String path, JsonNode node) {
    Map<String, String> env = section.stringMap(path, node);
    for (String name : env.keySet()) {
      if (!VARIABLE.matcher(name).matches()) {
        throw section.error(path + "." + name, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)", name);
      }
      if (name.equals(KAFKA_BOOTSTRAP_SERVERS_VARIABLE)) {
        throw section.error(path + "." + name, "not set here: Tandem sets it from kafka.bootstrapServers",
            env.get(name));
      }
    }
    return env;
  }

  @Override
  public String toString() {
    return "Legacy[connector=" + connector + ", env=" + Secrets.maskedEnv(env) + topicPrefix.map(p -> ", topicPrefix=" + p)
        .orElse("") + "]";
  }
}
