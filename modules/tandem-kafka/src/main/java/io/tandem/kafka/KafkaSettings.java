package io.tandem.kafka;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.util.ArrayList;
import java.util.List;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code kafka} section: the cluster every component uses.
 *
 * @param partitions partitions of the topics Tandem creates when they are missing
 * @param properties extra settings for every Kafka client Tandem creates
 * @param instanceId this process's stable identity in consumer groups (static membership), if any
 */
public record KafkaSettings(String bootstrapServers, int partitions, Map<String, String> properties,
    Optional<String> instanceId) {

  /** Kafka client settings Tandem sets itself; {@code kafka.properties} may not hold them. */
  public static final Set<String> MANAGED_PROPERTIES = Set.of("bootstrap.servers", "group.id",
      "application.id", "acks", "enable.idempotence", "transactional.id", "enable.auto.commit", "isolation.level",
      "max.poll.records", "group.instance.id", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?):([0-9]{1,5})");

  public static final Section SECTION = Section.of("kafka", "required", "The Kafka cluster every component uses.");
  public static final Setting<String> BOOTSTRAP_SERVERS = Setting.requiredText("kafka.bootstrapServers",
      "string: `host:port[,host:port...]`",
      "Kafka brokers. Also Debezium's offset storage: Tandem sets `KAFKA_BOOTSTRAP_SERVERS` for the connector file "
          + "from it.")
      .requiring(KafkaSettings::validServers, "host:port[,host:port...] with ports from 1 to 65535");
  public static final Setting<Integer> PARTITIONS = Setting.integer("kafka.partitions", 3, 1, 10_000,
      "Partitions of the topics Tandem creates when they are missing: raw change topics "
          + "`<topic prefix>.<schema>.<table>` and `migrated.<entity>` (compacted). Dead-letter topics get 1. "
          + "Existing topics are left as they are.");
  public static final Setting<Map<String, String>> PROPERTIES = Setting.custom("kafka.properties",
      "map: Kafka client setting → string, number or boolean", "`{}`",
      "Extra settings for every Kafka client Tandem creates (topic admin, capture producer and Debezium's offset store, "
          + "Kafka Streams, sink consumer and dead-letter producer, embedded registry): `security.protocol`, `sasl.*`, "
          + "`ssl.*`, timeouts; they win over Tandem's tuning defaults. Settings Tandem owns are refused ("
          + String.join(", ", MANAGED_PROPERTIES.stream().sorted().map(k -> "`" + k + "`").toList()) + "). Values "
          + "of secret keys (`sasl.jaas.config`, `*password*`, ...) are masked. Where the connector file sets the same "
          + "key for the offset store, the file's value wins.", Map.of(), KafkaSettings::readProperties);

  /** The value of {@link #INSTANCE_ID} that turns static membership off. */
  public static final String NO_INSTANCE_ID = "none";
  public static final Setting<String> INSTANCE_ID = Setting.optionalText("kafka.instanceId",
      "string: letters, digits, `.`, `_`, `-` (at most 200), or `none`", "the host name",
      "This process's stable identity in the consumer groups of its stages (Kafka static membership, "
          + "`group.instance.id`): a stage restarted after a crash gets its partitions back at once instead of after "
          + "the dead member's `session.timeout.ms` (45 s by default), and a restart causes no rebalance. Keep it "
          + "stable across restarts of one process and unique among the processes that run the same stage (the host "
          + "name is both in a StatefulSet or on a VM). Two live processes with the same id fence each other: the "
          + "older one stops with an error naming this key. The session timeout (`kafka.properties`: "
          + "`session.timeout.ms`) is then how long the partitions of a process that does not come back wait before "
          + "another process takes them. `none` turns static membership off.")
      .requiring(KafkaSettings::validInstanceId, "letters, digits, `.`, `_`, `-` (1 to 200), or `none`");

  public static final List<ConfigDefinition> DEFINITIONS =
      List.of(SECTION, BOOTSTRAP_SERVERS, PARTITIONS, INSTANCE_ID, PROPERTIES);

  public KafkaSettings {
    bootstrapServers = BOOTSTRAP_SERVERS.check(bootstrapServers);
    PARTITIONS.check(partitions);
    properties = Map.copyOf(properties);
    instanceId.ifPresent(INSTANCE_ID::check);
    if (instanceId.filter(NO_INSTANCE_ID::equals).isPresent()) {
      instanceId = Optional.empty();
    }
  }

  /** Without static membership (tests, benchmarks and tools that run no stage twice in a group). */
  public KafkaSettings(String bootstrapServers, int partitions, Map<String, String> properties) {
    this(bootstrapServers, partitions, properties, Optional.empty());
  }

  /** Reads and checks the {@code kafka} section, which must be there. */
  public static KafkaSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    if (!section.present()) {
      throw new io.tandem.core.config.ConfigException(root.source(), SECTION.path(),
          "a section with bootstrapServers", null);
    }
    String servers = section.get(BOOTSTRAP_SERVERS);
    List<String> parts = new ArrayList<>();
    for (String part : servers.split(",", -1)) {
      parts.add(part.trim());
    }
    String instanceId = section.get(INSTANCE_ID);
    return new KafkaSettings(String.join(",", parts), section.get(PARTITIONS), section.get(PROPERTIES),
        Optional.of(instanceId == null ? hostInstanceId() : instanceId));
  }

  /** The factory of every client for this cluster. */
  public KafkaClients clients() {
    return KafkaClients.of(bootstrapServers, properties).withInstanceId(instanceId);
  }

  /** The host name as an instance id; {@code none} (no static membership) when the host has no usable name. */
  public static String hostInstanceId() {
    String name = System.getenv("HOSTNAME");
    if (name == null || name.isBlank()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        return NO_INSTANCE_ID;
      }
    }
    return validInstanceId(name) ? name : NO_INSTANCE_ID;
  }

  private static boolean validInstanceId(String id) {
    return id.length() <= 200 && id.matches("[A-Za-z0-9._-]+");
  }

  private static boolean validServers(String servers) {
    for (String part : servers.split(",", -1)) {
      Matcher matcher = HOST_PORT.matcher(part.trim());
      if (!matcher.matches()) {
        return false;
      }
      int port = Integer.parseInt(matcher.group(3));
      if (port < 1 || port > 65535) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> readProperties(ConfigSection section, String path,
      com.fasterxml.jackson.databind.JsonNode node) {
    Map<String, String> properties = section.stringMap(path, node);
    for (String key : properties.keySet()) {
      if (MANAGED_PROPERTIES.contains(key)) {
        String why = key.equals("bootstrap.servers") ? "not set here: use " + BOOTSTRAP_SERVERS.path()
            : "not set: Tandem sets it (delivery guarantees, groups, serializers depend on it)";
        throw section.error(path + "." + key, why, properties.get(key));
      }
    }
    return properties;
  }

  @Override
  public String toString() {
    return "Kafka[bootstrapServers=" + bootstrapServers + ", partitions=" + partitions + ", properties="
        + Secrets.masked(properties) + ", instanceId=" + instanceId.orElse(NO_INSTANCE_ID) + "]";
  }
}
