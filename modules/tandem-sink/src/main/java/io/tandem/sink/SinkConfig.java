package io.tandem.sink;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigValues;
import io.tandem.core.retry.RetryPolicy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The sink's settings, read from a flat key/value map (a {@code tandem.yaml} section, a properties
 * file). Every bad value fails with a {@link ConfigException} naming the source, the key and what
 * was expected; unknown keys are refused so a typo does not pass silently. Keys are listed in
 * docs/sink.md.
 */
public record SinkConfig(
    String bootstrapServers,
    String groupId,
    List<URI> registryUrls,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    List<EntityTable> entities,
    String dlqTopic,
    int maxPollRecords,
    Duration pollTimeout,
    RetryPolicy retry,
    Map<String, String> consumerOverrides,
    Map<String, String> producerOverrides) {

  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String GROUP_ID = "group.id";
  public static final String REGISTRY_URL = "schema.registry.url";
  public static final String JDBC_URL = "jdbc.url";
  public static final String JDBC_USER = "jdbc.user";
  public static final String JDBC_PASSWORD = "jdbc.password";
  public static final String ENTITIES = "entities";
  public static final String SCHEMAS_DIR = "schemas.dir";
  public static final String DLQ_TOPIC = "dlq.topic";
  public static final String MAX_POLL_RECORDS = "max.poll.records";
  public static final String POLL_TIMEOUT_MS = "poll.timeout.ms";
  public static final String RETRY_MAX_ATTEMPTS = "retry.max.attempts";
  public static final String RETRY_INITIAL_BACKOFF_MS = "retry.initial.backoff.ms";
  public static final String RETRY_MAX_BACKOFF_MS = "retry.max.backoff.ms";
  public static final String CONSUMER_PREFIX = "consumer.";
  public static final String PRODUCER_PREFIX = "producer.";

  public static final String DEFAULT_GROUP_ID = "tandem-sink";
  public static final String DEFAULT_DLQ_TOPIC = "tandem.dlq.sink";
  public static final int DEFAULT_MAX_POLL_RECORDS = 2000;
  public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);
  public static final RetryPolicy DEFAULT_RETRY = new RetryPolicy(10, Duration.ofMillis(200), Duration.ofSeconds(10));

  /** Client settings the sink owns: changing them would break its delivery guarantees. */
  static final Set<String> MANAGED_CONSUMER_KEYS = Set.of("enable.auto.commit", "isolation.level", "group.id",
      "bootstrap.servers", "key.deserializer", "value.deserializer", "max.poll.records");
  static final Set<String> MANAGED_PRODUCER_KEYS = Set.of("bootstrap.servers", "key.serializer", "value.serializer");

  private static final Set<String> KEYS = Set.of(BOOTSTRAP_SERVERS, GROUP_ID, REGISTRY_URL, JDBC_URL, JDBC_USER,
      JDBC_PASSWORD, ENTITIES, SCHEMAS_DIR, DLQ_TOPIC, MAX_POLL_RECORDS, POLL_TIMEOUT_MS, RETRY_MAX_ATTEMPTS,
      RETRY_INITIAL_BACKOFF_MS, RETRY_MAX_BACKOFF_MS);
  private static final Set<String> ENTITY_KEYS = Set.of("key", "table", "topic");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");

  public SinkConfig {
    registryUrls = List.copyOf(registryUrls);
    entities = List.copyOf(entities);
    consumerOverrides = Map.copyOf(consumerOverrides);
    producerOverrides = Map.copyOf(producerOverrides);
  }

  /**
   * Reads and validates settings.
   *
   * @param source names where the settings came from in errors, e.g. {@code "tandem.yaml (sink)"}
   */
  public static SinkConfig from(String source, Map<String, ?> settings) {
    ConfigValues values = new ConfigValues(source, settings);
    checkKnownKeys(source, settings);

    String bootstrap = values.requiredString(BOOTSTRAP_SERVERS, "host:port[,host:port...] of the Kafka cluster");
    String group = values.string(GROUP_ID, DEFAULT_GROUP_ID);
    if (group.isBlank()) {
      throw new ConfigException(source, GROUP_ID, "a consumer group id", settings.get(GROUP_ID));
    }
    List<URI> registry = values.httpUrls(REGISTRY_URL);
    String jdbcUrl = values.requiredString(JDBC_URL, "a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(source, JDBC_URL, "a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)", jdbcUrl);
    }
    String dlq = values.string(DLQ_TOPIC, DEFAULT_DLQ_TOPIC);
    if (dlq.isBlank()) {
      throw new ConfigException(source, DLQ_TOPIC, "a topic name", settings.get(DLQ_TOPIC));
    }
    int maxPoll = values.intInRange(MAX_POLL_RECORDS, DEFAULT_MAX_POLL_RECORDS, 1, 100_000);
    Duration pollTimeout = values.millis(POLL_TIMEOUT_MS, DEFAULT_POLL_TIMEOUT);
    if (pollTimeout.isZero()) {
      throw new ConfigException(source, POLL_TIMEOUT_MS, "a positive number of milliseconds",
          settings.get(POLL_TIMEOUT_MS));
    }
    int attempts = values.intInRange(RETRY_MAX_ATTEMPTS, DEFAULT_RETRY.maxAttempts(), 1, 1000);
    Duration initial = values.millis(RETRY_INITIAL_BACKOFF_MS, DEFAULT_RETRY.initialBackoff());
    Duration max = values.millis(RETRY_MAX_BACKOFF_MS, DEFAULT_RETRY.maxBackoff());
    if (max.compareTo(initial) < 0) {
      throw new ConfigException(source, RETRY_MAX_BACKOFF_MS, "at least " + RETRY_INITIAL_BACKOFF_MS + " ("
          + initial.toMillis() + ")", settings.get(RETRY_MAX_BACKOFF_MS));
    }

    return new SinkConfig(bootstrap, group, registry, jdbcUrl,
        values.string(JDBC_USER, ""), values.string(JDBC_PASSWORD, ""),
        entities(source, values, settings), dlq, maxPoll, pollTimeout, new RetryPolicy(attempts, initial, max),
        overrides(source, settings, CONSUMER_PREFIX, MANAGED_CONSUMER_KEYS),
        overrides(source, settings, PRODUCER_PREFIX, MANAGED_PRODUCER_KEYS));
  }

  private static List<EntityTable> entities(String source, ConfigValues values, Map<String, ?> settings) {
    String names = values.requiredString(ENTITIES, "a comma-separated list of entity names, e.g. customer,order");
    Path dir = Path.of(values.string(SCHEMAS_DIR, "schemas/avro"));
    List<EntityTable> entities = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String raw : names.split(",")) {
      String entity = raw.trim();
      if (!NAME.matcher(entity).matches() || !seen.add(entity)) {
        throw new ConfigException(source, ENTITIES,
            "distinct entity names of lower-case letters, digits and '_'", names);
      }
      Path avsc = dir.resolve(entity + ".avsc");
      if (!Files.isRegularFile(avsc)) {
        throw new ConfigException(source, SCHEMAS_DIR, "a directory holding " + entity + ".avsc", dir);
      }
      String prefix = "entity." + entity + ".";
      String key = values.requiredString(prefix + "key", "the entity's key columns, comma-separated");
      try {
        EntityTable.Builder builder = EntityTable.builder(entity, avsc)
            .keyColumns(List.of(key.split("\\s*,\\s*")));
        if (values.has(prefix + "table")) {
          builder.table(values.string(prefix + "table", null));
        }
        if (values.has(prefix + "topic")) {
          builder.topic(values.string(prefix + "topic", null));
        }
        entities.add(builder.build());
      } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
        throw new ConfigException(source, prefix + "key",
            "an entity binding that fits " + avsc + " (" + e.getMessage() + ")", key);
      }
    }
    for (String setting : settings.keySet()) {
      if (setting.startsWith("entity.")) {
        String rest = setting.substring("entity.".length());
        int dot = rest.indexOf('.');
        String entity = dot < 0 ? rest : rest.substring(0, dot);
        if (!seen.contains(entity) || dot < 0 || !ENTITY_KEYS.contains(rest.substring(dot + 1))) {
          throw new ConfigException(source, setting, "entity.<one of " + seen + ">.{key,table,topic}",
              settings.get(setting));
        }
      }
    }
    return entities;
  }

  private static void checkKnownKeys(String source, Map<String, ?> settings) {
    for (String key : new TreeSet<>(settings.keySet())) {
      if (KEYS.contains(key) || key.startsWith("entity.") || key.startsWith(CONSUMER_PREFIX)
          || key.startsWith(PRODUCER_PREFIX)) {
        continue;
      }
      throw new ConfigException(source, key, "a known sink setting (" + new TreeSet<>(KEYS)
          + ", entity.<name>.*, consumer.*, producer.*)", key.contains("password") ? "(hidden)" : settings.get(key));
    }
  }

  private static Map<String, String> overrides(String source, Map<String, ?> settings, String prefix,
                                               Set<String> managed) {
    Map<String, String> overrides = new LinkedHashMap<>();
    settings.forEach((key, value) -> {
      if (key.startsWith(prefix) && value != null) {
        String clientKey = key.substring(prefix.length());
        if (managed.contains(clientKey)) {
          throw new ConfigException(source, key, "not set: the sink manages " + clientKey
              + " itself (offsets are committed only after the database commit)", value);
        }
        overrides.put(clientKey, value.toString());
      }
    });
    return overrides;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "SinkConfig[bootstrapServers=" + bootstrapServers + ", groupId=" + groupId + ", registryUrls=" + registryUrls
        + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + ", entities=" + entities + ", dlqTopic=" + dlqTopic
        + ", maxPollRecords=" + maxPollRecords + ", pollTimeout=" + pollTimeout + ", retry=" + retry + "]";
  }
}
