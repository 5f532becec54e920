package io.tandem.app.config;

import static io.tandem.app.config.ConfigKeys.KAFKA;
import static io.tandem.app.config.ConfigKeys.KAFKA_BOOTSTRAP_SERVERS;
import static io.tandem.app.config.ConfigKeys.KAFKA_PARTITIONS;
import static io.tandem.app.config.ConfigKeys.KAFKA_PROPERTIES;
import static io.tandem.app.config.ConfigKeys.LEGACY;
import static io.tandem.app.config.ConfigKeys.LEGACY_CONNECTOR;
import static io.tandem.app.config.ConfigKeys.LEGACY_ENV;
import static io.tandem.app.config.ConfigKeys.LEGACY_TOPIC_PREFIX;
import static io.tandem.app.config.ConfigKeys.METRICS;
import static io.tandem.app.config.ConfigKeys.METRICS_HOST;
import static io.tandem.app.config.ConfigKeys.METRICS_PORT;
import static io.tandem.app.config.ConfigKeys.REGISTRY;
import static io.tandem.app.config.ConfigKeys.REGISTRY_EMBEDDED;
import static io.tandem.app.config.ConfigKeys.REGISTRY_EMBEDDED_HOST;
import static io.tandem.app.config.ConfigKeys.REGISTRY_EMBEDDED_PORT;
import static io.tandem.app.config.ConfigKeys.REGISTRY_EMBEDDED_TOPIC;
import static io.tandem.app.config.ConfigKeys.REGISTRY_PASSWORD;
import static io.tandem.app.config.ConfigKeys.REGISTRY_URL;
import static io.tandem.app.config.ConfigKeys.REGISTRY_USER;
import static io.tandem.app.config.ConfigKeys.SCHEMAS;
import static io.tandem.app.config.ConfigKeys.SCHEMAS_DIR;
import static io.tandem.app.config.ConfigKeys.SINK;
import static io.tandem.app.config.ConfigKeys.SINK_GROUP_ID;
import static io.tandem.app.config.ConfigKeys.SINK_MAX_POLL_RECORDS;
import static io.tandem.app.config.ConfigKeys.SINK_TOMBSTONE_RETENTION_HOURS;
import static io.tandem.app.config.ConfigKeys.TARGET;
import static io.tandem.app.config.ConfigKeys.TARGET_JDBC_URL;
import static io.tandem.app.config.ConfigKeys.TARGET_PASSWORD;
import static io.tandem.app.config.ConfigKeys.TARGET_USER;
import static io.tandem.app.config.ConfigKeys.TRANSFORM;
import static io.tandem.app.config.ConfigKeys.TRANSFORM_APPLICATION_ID;
import static io.tandem.app.config.ConfigKeys.VERIFY;
import static io.tandem.app.config.ConfigKeys.VERIFY_CHUNK_SIZE;
import static io.tandem.app.config.ConfigKeys.VERIFY_DEAD_LETTER_TOPICS;
import static io.tandem.app.config.ConfigKeys.VERIFY_INTERVAL_MS;
import static io.tandem.app.config.ConfigKeys.VERIFY_LEGACY_REPLICA_URL;
import static io.tandem.app.config.ConfigKeys.VERIFY_LEGACY_ROWS_PER_SECOND;
import static io.tandem.app.config.ConfigKeys.VERIFY_RECHECK_DELAY_MS;
import static io.tandem.app.config.ConfigKeys.VERIFY_RECHECK_ROUNDS;
import static io.tandem.app.config.ConfigKeys.VERIFY_ROUTING_TOPIC;
import static io.tandem.app.config.ConfigKeys.VERIFY_STATUS_TOPIC;
import static io.tandem.app.config.ConfigKeys.TRANSFORM_STATE_DIR;
import static io.tandem.app.config.ConfigKeys.TRANSFORM_THREADS;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.app.Component;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Secrets;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code tandem.yaml}: typed, validated, immutable. {@link #load} reads the file, resolves
 * {@code ${VAR}} / {@code ${VAR:-default}} placeholders in values from the environment, applies the
 * defaults and checks every value; {@link #checkFor} then checks what the chosen components need
 * from the file system. Neither opens a connection. Every problem is a {@link ConfigException}
 * naming the file, the key path (e.g. {@code target.jdbcUrl}) and what was expected; unknown keys
 * are refused. Keys, types and defaults: {@link ConfigKeys}, docs/configuration.md.
 *
 * <p>{@link #toString()} of this record and of every section masks secrets (passwords, secret
 * Kafka properties and environment entries, credentials in URLs): it is the effective
 * configuration that {@code tandem run} logs.
 *
 * @param file the file it was read from, as given
 */
public record TandemConfig(Path file, Kafka kafka, Registry registry, Legacy legacy, Optional<Target> target,
    Schemas schemas, Transform transform, Sink sink, Metrics metrics, Verify verify) {

  /** The variable Tandem sets for the connector file from {@code kafka.bootstrapServers}. */
  public static final String KAFKA_BOOTSTRAP_SERVERS_VARIABLE = "KAFKA_BOOTSTRAP_SERVERS";

  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?):([0-9]{1,5})");
  private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]+");
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public TandemConfig {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(legacy, "legacy");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(schemas, "schemas");
    Objects.requireNonNull(transform, "transform");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(verify, "verify");
  }

  /**
   * The Kafka cluster.
   *
   * @param properties extra client settings for every Kafka client Tandem creates
   */
  public record Kafka(String bootstrapServers, int partitions, Map<String, String> properties) {
    public Kafka {
      properties = Map.copyOf(properties);
    }

    @Override
    public String toString() {
      return "Kafka[bootstrapServers=" + bootstrapServers + ", partitions=" + partitions + ", properties="
          + Secrets.masked(properties) + "]";
    }
  }

  /**
   * The schema registry: external ({@code urls}) or {@code embedded}, never both.
   *
   * @param urls the external registry's URLs, in failover order; empty when embedded
   */
  public record Registry(List<URI> urls, Optional<Embedded> embedded, Optional<BasicAuth> basicAuth) {
    public Registry {
      urls = List.copyOf(urls);
      if (urls.isEmpty() == embedded.isEmpty()) {
        throw new IllegalArgumentException("a registry is either external (urls) or embedded");
      }
    }

    @Override
    public String toString() {
      return "Registry[" + (embedded.isPresent() ? "embedded=" + embedded.get()
          : "urls=" + urls.stream().map(u -> Secrets.maskUrl(u.toString())).toList())
          + basicAuth.map(a -> ", basicAuth=" + a).orElse("") + "]";
    }
  }

  /** Tandem's registry inside this process, its state in a compacted Kafka topic. */
  public record Embedded(String host, int port, String topic) {}

  /** HTTP basic authentication; the password is never printed. */
  public record BasicAuth(String user, String password) {
    @Override
    public String toString() {
      return "BasicAuth[user=" + user + ", password=" + Secrets.MASK + "]";
    }
  }

  /**
   * The legacy side: the Debezium connector file and values for its placeholders.
   *
   * @param topicPrefix the raw topics' prefix when given in tandem.yaml; else the connector file's
   */
  public record Legacy(Path connector, Map<String, String> env, Optional<String> topicPrefix) {
    public Legacy {
      env = Map.copyOf(env);
    }

    @Override
    public String toString() {
      return "Legacy[connector=" + connector + ", env=" + Secrets.masked(env) + topicPrefix.map(p -> ", topicPrefix=" + p)
          .orElse("") + "]";
    }
  }

  /** The new database. */
  public record Target(String jdbcUrl, String user, String password) {
    @Override
    public String toString() {
      return "Target[jdbcUrl=" + Secrets.maskUrl(jdbcUrl) + ", user=" + user + ", password=" + Secrets.MASK + "]";
    }
  }

  /** Mappings, entity schemas and migrations. */
  public record Schemas(Path dir) {
    public Path mappings() {
      return dir.resolve("mappings");
    }

    public Path avro() {
      return dir.resolve("avro");
    }

    public Path migrations() {
      return dir.resolve("migrations").resolve("new");
    }
  }

  /** The transform stage (Kafka Streams). */
  public record Transform(String applicationId, int threads, Path stateDir) {}

  /** The sink stage. */
  /** @param tombstoneRetention how long deleted keys' tombstones are kept; zero = forever */
  public record Sink(String groupId, int maxPollRecords, Duration tombstoneRetention) {}

  /** The Prometheus endpoint. */
  public record Metrics(String host, int port) {}

  /** The verifier (docs/verify.md). */
  public record Verify(int chunkSize, int legacyRowsPerSecond, Optional<String> legacyReplicaUrl, Duration recheckDelay,
      int recheckRounds, Duration interval, String statusTopic, String routingTopic, List<String> deadLetterTopics) {
    public Verify {
      deadLetterTopics = List.copyOf(deadLetterTopics);
    }
  }

  /**
   * Reads and validates {@code file}.
   *
   * @param env resolves the file's {@code ${VAR}} placeholders (usually {@code System.getenv()})
   * @throws ConfigException naming the file, the key and what was expected
   */
  public static TandemConfig load(Path file, Map<String, String> env) {
    ConfigReader read = new ConfigReader(file, env);
    JsonNode root = read.root(file);
    return new TandemConfig(file, kafka(read, root), registry(read, root), legacy(read, root), target(read, root),
        schemas(read, root), transform(read, root), sink(read, root), metrics(read, root), verify(read, root));
  }

  /**
   * Checks what {@code components} need beyond the file itself: a {@code target} section for the
   * sink, the folders under {@code schemas.dir}, the connector file. Still no connection.
   */
  public void checkFor(Set<Component> components) {
    String source = file.toString();
    boolean capture = components.contains(Component.CAPTURE);
    boolean transform = components.contains(Component.TRANSFORM);
    boolean sink = components.contains(Component.SINK);
    boolean verify = components.contains(Component.VERIFY);
    if (sink && target.isEmpty()) {
      throw new ConfigException(source, TARGET.path(),
          "a section with jdbcUrl, user and password (the sink component writes the new database)", null);
    }
    if (verify && target.isEmpty()) {
      throw new ConfigException(source, TARGET.path(),
          "a section with jdbcUrl, user and password (the verify component reads the new database)", null);
    }
    transform |= verify; // the verifier needs the entity schemas and the connector file as well
    capture |= verify;
    requireFolder(source, schemas.mappings(), "mappings/ (mapping files)");
    if (transform || sink) {
      requireFolder(source, schemas.avro(), "avro/ (entity schemas)");
    }
    if (sink) {
      requireFolder(source, schemas.migrations(), "migrations/new/ (Flyway migrations of the new database)");
    }
    if (capture || (transform && legacy.topicPrefix().isEmpty())) {
      if (!Files.isRegularFile(legacy.connector())) {
        throw new ConfigException(source, LEGACY_CONNECTOR.path(), "a readable connector properties file ("
            + (capture ? "capture" : "transform, for the topic prefix; or set " + LEGACY_TOPIC_PREFIX.path())
            + " needs it; relative paths resolve against the config file's folder)", legacy.connector());
      }
    }
  }

  /**
   * The environment for the connector file's placeholders: {@code processEnv}, then
   * {@code KAFKA_BOOTSTRAP_SERVERS} from {@code kafka.bootstrapServers}, then {@code legacy.env}.
   */
  public Map<String, String> legacyEnvironment(Map<String, String> processEnv) {
    Map<String, String> merged = new HashMap<>(processEnv);
    merged.put(KAFKA_BOOTSTRAP_SERVERS_VARIABLE, kafka.bootstrapServers());
    merged.putAll(legacy.env());
    return merged;
  }

  /** The effective configuration, secrets masked: safe to log. Same as {@link #toString()}. */
  public String masked() {
    return toString();
  }

  @Override
  public String toString() {
    return "TandemConfig[file=" + file + ", kafka=" + kafka + ", registry=" + registry + ", legacy=" + legacy
        + ", target=" + target.map(Target::toString).orElse("(none)") + ", schemas=" + schemas + ", transform="
        + transform + ", sink=" + sink + ", metrics=" + metrics + ", verify=" + verify + "]";
  }

  private static void requireFolder(String source, Path folder, String what) {
    if (!Files.isDirectory(folder)) {
      throw new ConfigException(source, SCHEMAS_DIR.path(), "a folder holding " + what
          + " (relative paths resolve against the config file's folder)", folder);
    }
  }

  // ---- sections ----

  private static Verify verify(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, VERIFY);
    String replica = read.text(section, VERIFY_LEGACY_REPLICA_URL);
    if (replica != null && !replica.startsWith("jdbc:postgresql:")) {
      throw read.error(VERIFY_LEGACY_REPLICA_URL.path(), "a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)",
          replica);
    }
    List<String> deadLetters = new ArrayList<>();
    for (String topic : read.text(section, VERIFY_DEAD_LETTER_TOPICS).split(",")) {
      if (!topic.isBlank()) {
        deadLetters.add(topic.trim());
      }
    }
    return new Verify(read.integer(section, VERIFY_CHUNK_SIZE, 100, 1_000_000),
        read.integer(section, VERIFY_LEGACY_ROWS_PER_SECOND, 0, Integer.MAX_VALUE), Optional.ofNullable(replica),
        Duration.ofMillis(read.integer(section, VERIFY_RECHECK_DELAY_MS, 0, 3_600_000)),
        read.integer(section, VERIFY_RECHECK_ROUNDS, 1, 100),
        Duration.ofMillis(read.integer(section, VERIFY_INTERVAL_MS, 0, 86_400_000)),
        read.text(section, VERIFY_STATUS_TOPIC), read.text(section, VERIFY_ROUTING_TOPIC), deadLetters);
  }

  static Kafka kafka(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, KAFKA);
    if (section == null) {
      throw new ConfigException(read.source(), KAFKA.path(), "a section with bootstrapServers", null);
    }
    String servers = read.text(section, KAFKA_BOOTSTRAP_SERVERS);
    List<String> parts = new ArrayList<>();
    for (String part : servers.split(",", -1)) {
      String trimmed = part.trim();
      java.util.regex.Matcher matcher = HOST_PORT.matcher(trimmed);
      if (!matcher.matches() || Integer.parseInt(matcher.group(3)) < 1 || Integer.parseInt(matcher.group(3)) > 65535) {
        throw read.error(KAFKA_BOOTSTRAP_SERVERS.path(), "host:port[,host:port...] with ports from 1 to 65535",
            servers);
      }
      parts.add(trimmed);
    }
    int partitions = read.integer(section, KAFKA_PARTITIONS, 1, 10_000);
    Map<String, String> properties = read.stringMap(section, KAFKA_PROPERTIES);
    for (String key : properties.keySet()) {
      if (ConfigKeys.MANAGED_KAFKA_PROPERTIES.contains(key)) {
        String why = key.equals("bootstrap.servers") ? "not set here: use " + KAFKA_BOOTSTRAP_SERVERS.path()
            : "not set: Tandem sets it (delivery guarantees, groups, serializers depend on it)";
        throw read.error(KAFKA_PROPERTIES.path() + "." + key, why, properties.get(key));
      }
    }
    return new Kafka(String.join(",", parts), partitions, properties);
  }

  private static Registry registry(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, REGISTRY);
    String expectation = "'url' (an external registry) or 'embedded: true' (Tandem's registry in this process)";
    if (section == null) {
      throw new ConfigException(read.source(), REGISTRY.path(), "a section with " + expectation, null);
    }
    Optional<Embedded> embedded = embedded(read, section);
    String urlText = read.text(section, REGISTRY_URL);
    List<URI> urls = new ArrayList<>();
    if (urlText != null) {
      if (embedded.isPresent()) {
        throw read.error(REGISTRY_URL.path(), "no url when registry.embedded is on: " + expectation + ", not both",
            urlText);
      }
      urls = urls(read, urlText);
    } else if (embedded.isEmpty()) {
      throw new ConfigException(read.source(), REGISTRY_URL.path(), expectation, null);
    }
    String user = read.text(section, REGISTRY_USER);
    String password = read.text(section, REGISTRY_PASSWORD);
    Optional<BasicAuth> auth = Optional.empty();
    if (user != null || password != null) {
      if (user == null || user.isBlank()) {
        throw read.error(REGISTRY_USER.path(), "a user name (registry.password is set)", user);
      }
      if (password == null) {
        throw read.error(REGISTRY_PASSWORD.path(), "a password (registry.user is set)", null);
      }
      auth = Optional.of(new BasicAuth(user, password));
    }
    return new Registry(urls, embedded, auth);
  }

  private static Optional<Embedded> embedded(ConfigReader read, JsonNode registry) {
    JsonNode node = read.node(registry, REGISTRY_EMBEDDED);
    String expected = "true, false or a section with the keys " + ConfigKeys.children(REGISTRY_EMBEDDED.path())
        .stream().map(ConfigKey::name).toList();
    JsonNode section = null;
    if (node == null) {
      return Optional.empty();
    } else if (node.isObject()) {
      section = read.section(registry, REGISTRY_EMBEDDED);
    } else if (node.isBoolean() || node.isTextual()) {
      String flag = read.scalar(REGISTRY_EMBEDDED.path(), node, expected).trim().toLowerCase(Locale.ROOT);
      if (flag.equals("false")) {
        return Optional.empty();
      }
      if (!flag.equals("true")) {
        throw read.error(REGISTRY_EMBEDDED.path(), expected, node);
      }
    } else {
      throw read.error(REGISTRY_EMBEDDED.path(), expected, node);
    }
    String host = read.text(section, REGISTRY_EMBEDDED_HOST);
    if (host.isBlank()) {
      throw read.error(REGISTRY_EMBEDDED_HOST.path(), "a host name or address", host);
    }
    int port = read.integer(section, REGISTRY_EMBEDDED_PORT, 0, 65535);
    String topic = read.text(section, REGISTRY_EMBEDDED_TOPIC);
    if (!APPLICATION_ID.matcher(topic).matches() || topic.length() > 249) {
      throw read.error(REGISTRY_EMBEDDED_TOPIC.path(), "a Kafka topic name (letters, digits, '.', '_', '-')", topic);
    }
    return Optional.of(new Embedded(host.trim(), port, topic));
  }

  private static List<URI> urls(ConfigReader read, String text) {
    String expected = "one or more http(s)://host[:port][/path] URLs, comma-separated";
    List<URI> urls = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String trimmed = part.trim();
      URI uri;
      try {
        uri = new URI(trimmed);
      } catch (java.net.URISyntaxException e) {
        throw read.error(REGISTRY_URL.path(), expected, text);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw read.error(REGISTRY_URL.path(), expected, text);
      }
      urls.add(uri);
    }
    return urls;
  }

  private static Legacy legacy(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, LEGACY);
    Path connector = read.path(section, LEGACY_CONNECTOR);
    Map<String, String> env = read.stringMap(section, LEGACY_ENV);
    for (String name : env.keySet()) {
      if (!VARIABLE.matcher(name).matches()) {
        throw read.error(LEGACY_ENV.path() + "." + name, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
            name);
      }
      if (name.equals(KAFKA_BOOTSTRAP_SERVERS_VARIABLE)) {
        throw read.error(LEGACY_ENV.path() + "." + name, "not set here: Tandem sets it from "
            + KAFKA_BOOTSTRAP_SERVERS.path(), env.get(name));
      }
    }
    String prefix = read.text(section, LEGACY_TOPIC_PREFIX);
    if (prefix != null && (!APPLICATION_ID.matcher(prefix).matches() || prefix.endsWith("."))) {
      throw read.error(LEGACY_TOPIC_PREFIX.path(), "a topic prefix such as legacy.<db> (letters, digits, '.', '_', '-')",
          prefix);
    }
    return new Legacy(connector, env, Optional.ofNullable(prefix));
  }

  private static Optional<Target> target(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, TARGET);
    if (section == null) {
      return Optional.empty();
    }
    String url = read.text(section, TARGET_JDBC_URL);
    String expected = "a PostgreSQL JDBC URL: jdbc:postgresql://host[:port]/database[?parameters]";
    if (!url.startsWith("jdbc:postgresql:") || org.postgresql.Driver.parseURL(url, new Properties()) == null) {
      throw read.error(TARGET_JDBC_URL.path(), expected, url);
    }
    String user = read.text(section, TARGET_USER);
    if (user.isBlank()) {
      throw read.error(TARGET_USER.path(), "a database user", user);
    }
    String password = read.text(section, TARGET_PASSWORD);
    return Optional.of(new Target(url, user, password == null ? "" : password));
  }

  private static Schemas schemas(ConfigReader read, JsonNode root) {
    return new Schemas(read.path(read.section(root, SCHEMAS), SCHEMAS_DIR));
  }

  private static Transform transform(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, TRANSFORM);
    String applicationId = read.text(section, TRANSFORM_APPLICATION_ID);
    if (!APPLICATION_ID.matcher(applicationId).matches()) {
      throw read.error(TRANSFORM_APPLICATION_ID.path(), "a Kafka Streams application id (letters, digits, '.', '_', '-')",
          applicationId);
    }
    int threads = read.integer(section, TRANSFORM_THREADS, 1, 64);
    Path stateDir = read.path(section, TRANSFORM_STATE_DIR);
    if (stateDir == null) {
      stateDir = Path.of(System.getProperty("java.io.tmpdir"), "tandem-streams");
    }
    return new Transform(applicationId, threads, stateDir);
  }

  private static Sink sink(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, SINK);
    String group = read.text(section, SINK_GROUP_ID);
    if (group.isBlank()) {
      throw read.error(SINK_GROUP_ID.path(), "a consumer group id", group);
    }
    return new Sink(group.trim(), read.integer(section, SINK_MAX_POLL_RECORDS, 1, 100_000),
        Duration.ofHours(read.integer(section, SINK_TOMBSTONE_RETENTION_HOURS, 0, 87_600)));
  }

  private static Metrics metrics(ConfigReader read, JsonNode root) {
    JsonNode section = read.section(root, METRICS);
    String host = read.text(section, METRICS_HOST);
    if (host.isBlank()) {
      throw read.error(METRICS_HOST.path(), "a host name or address", host);
    }
    return new Metrics(host.trim(), read.integer(section, METRICS_PORT, 0, 65535));
  }
}
