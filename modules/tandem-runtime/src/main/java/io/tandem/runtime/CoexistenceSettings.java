package io.tandem.runtime;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import io.tandem.sink.TargetSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code coexistence} section: reverse sync (new database → legacy, docs/coexistence.md). Its presence
 * turns on what coexistence needs everywhere: the forward sink marks its transactions so that reverse capture
 * does not send them back, and the {@code reverse} component can run.
 *
 * @param connector the Debezium connector file for the new database
 * @param applicationId Kafka Streams application id of the reverse transform
 * @param groupId consumer group of the reverse sink (writing legacy)
 * @param routingTopic the routing log, which says who owns each key's writes
 */
public record CoexistenceSettings(Path connector, String applicationId, String groupId, String routingTopic) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  public static final Section SECTION = Section.of("coexistence", "optional",
      "Reverse sync and write cutover (docs/coexistence.md). When present, the forward sink marks its transactions "
          + "(no echo) and `--components reverse` runs capture of the new database, the reverse transform and the "
          + "sink into legacy.");
  public static final Setting<Path> CONNECTOR = Setting.path("coexistence.connector",
      "connectors/new-postgres.properties", null,
      "Debezium connector file for the new database. Its `NEW_DB_HOST`, `NEW_DB_PORT`, `NEW_DB_NAME`, `NEW_DB_USER`, "
          + "`NEW_DB_PASSWORD` default to `target.*`; the process environment wins.");
  public static final Setting<String> APPLICATION = Setting.text("coexistence.applicationId", "tandem-reverse",
      "Kafka Streams application id of the reverse transform.").requiring(v -> ID.matcher(v).matches(),
      "letters, digits, '.', '_', '-'");
  public static final Setting<String> GROUP = Setting.text("coexistence.groupId", "tandem-reverse-sink",
      "Consumer group of the sink writing legacy.").requiring(v -> ID.matcher(v).matches(),
      "letters, digits, '.', '_', '-'");

  public static final Setting<String> ROUTING_TOPIC = Setting.text("coexistence.routingTopic", io.tandem.routing.RoutingLog.DEFAULT_TOPIC,
      "The routing log (the router's `router.topic`): both sinks apply a change only if its side owns the key.")
      .requiring(v -> ID.matcher(v).matches(), "a topic name");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, CONNECTOR, APPLICATION, GROUP,
      ROUTING_TOPIC);

  public CoexistenceSettings {
    APPLICATION.check(applicationId);
    GROUP.check(groupId);
    ROUTING_TOPIC.check(routingTopic);
  }

  /** Defaults, with the connector file at {@code connector}. */
  public static CoexistenceSettings withConnector(Path connector) {
    return new CoexistenceSettings(connector, APPLICATION.defaultValue(), GROUP.defaultValue(),
        ROUTING_TOPIC.defaultValue());
  }

  /** The same with another routing log. */
  public CoexistenceSettings withRoutingTopic(String topic) {
    return new CoexistenceSettings(connector, applicationId, groupId, topic);
  }

  /** The section, or empty when the file has none (coexistence off). */
  public static Optional<CoexistenceSettings> read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    if (!section.present()) {
      return Optional.empty();
    }
    return Optional.of(new CoexistenceSettings(section.get(CONNECTOR), section.get(APPLICATION), section.get(GROUP),
        section.get(ROUTING_TOPIC)));
  }

  /**
   * The environment for the new-side connector file: the new database's coordinates from {@code target}, then
   * the process environment, then the Kafka bootstrap servers.
   */
  public Map<String, String> environment(TargetSettings target, Map<String, String> processEnv, String kafka) {
    Map<String, String> merged = new HashMap<>();
    String url = target.jdbcUrl();
    if (url.startsWith("jdbc:postgresql://")) {
      URI uri = URI.create(url.substring("jdbc:".length()));
      if (uri.getHost() != null) {
        merged.put("NEW_DB_HOST", uri.getHost());
      }
      merged.put("NEW_DB_PORT", Integer.toString(uri.getPort() < 0 ? 5432 : uri.getPort()));
      String path = uri.getPath() == null ? "" : uri.getPath();
      merged.put("NEW_DB_NAME", path.startsWith("/") ? path.substring(1) : path);
    }
    merged.put("NEW_DB_USER", target.user());
    merged.put("NEW_DB_PASSWORD", target.password());
    merged.putAll(processEnv);
    merged.put(io.tandem.capture.LegacySettings.KAFKA_BOOTSTRAP_SERVERS_VARIABLE, kafka);
    return merged;
  }
}
