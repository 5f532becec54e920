package io.tandem.capture;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Placeholders;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.ConfigValues;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;

/**
 * A Debezium PostgreSQL connector configuration read from a {@code .properties} file such as
 * {@code connectors/legacy-postgres.properties}, with {@code ${VAR}} and {@code ${VAR:-default}}
 * placeholders replaced from the environment.
 *
 * <p>Placeholders follow the shell: {@code ${VAR}} must be set (an empty value is kept), {@code
 * ${VAR:-default}} takes the default when the variable is unset or empty. There is no escaping.
 *
 * <p>Secrets (any key containing {@code password}, {@code secret}, {@code token}, {@code
 * credentials}, {@code jaas} or {@code user.info}) never appear in {@link #toString()} or in error
 * messages.
 */
public final class ConnectorConfig {

  // Tandem's own keys in the connector file; never handed to Debezium.
  private static final String TANDEM_PREFIX = "tandem.";
  static final String ORIGIN_TABLE = "tandem.origin.table";
  static final String FENCE_TABLE = "tandem.fence.table";
  // Settings the raw-topic format of docs/data-model.md depends on: another value changes the wire types.
  private static final Map<String, String> CONTRACT = Map.of(
      "decimal.handling.mode", "string",
      "time.precision.mode", "adaptive_time_microseconds");

  private final String source;
  private final Map<String, String> values;

  private ConnectorConfig(String source, Map<String, String> values) {
    this.source = source;
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
  }

  /**
   * Reads {@code file}, replaces placeholders from {@code env} and validates the settings Tandem
   * relies on.
   *
   * @throws ConfigException naming the file, the key and what is wrong (a missing variable, a bad port)
   */
  public static ConnectorConfig load(Path file, Map<String, String> env) {
    String source = file.toString();
    Properties raw = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      raw.load(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "(file)", "a readable connector properties file", "no such file");
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException(source, "(file)", "a readable connector properties file", e.getMessage());
    }
    Map<String, String> resolved = new LinkedHashMap<>();
    for (String key : raw.stringPropertyNames()) {
      resolved.put(key, substitute(source, key, raw.getProperty(key), env));
    }
    ConnectorConfig config = new ConnectorConfig(source, resolved);
    config.validate();
    return config;
  }

  /** Where the settings came from, e.g. the file path. */
  public String source() {
    return source;
  }

  public String get(String key) {
    return values.get(key);
  }

  /** All settings including secrets, for handing to Debezium (without Tandem's own {@code tandem.*}); never log this. */
  public Properties toProperties() {
    Properties properties = new Properties();
    values.forEach((key, value) -> {
      if (!key.startsWith(TANDEM_PREFIX)) {
        properties.put(key, value);
      }
    });
    return properties;
  }

  /**
   * Whether {@code tandem.replica.identity.check=warn}: capture starts even on tables without {@code REPLICA
   * IDENTITY FULL} whose unchanged large values would arrive as placeholders ({@code refuse}, the default, stops).
   */
  public boolean identityCheckWarnsOnly() {
    return "warn".equals(values.get(CapturedTables.IDENTITY_CHECK));
  }

  /** All settings with secrets replaced by {@code ******}, sorted by key: safe to log. */
  public Map<String, String> masked() {
    Map<String, String> masked = new TreeMap<>();
    values.forEach((key, value) -> masked.put(key, isSecret(key) ? Secrets.MASK : Secrets.maskUrl(value)));
    return Collections.unmodifiableMap(masked);
  }

  /** {@code topic.prefix}, the start of every raw topic name ({@code legacy.<db>}). */
  public String topicPrefix() {
    return values.get("topic.prefix");
  }

  /** The captured database ({@code database.dbname}; for MariaDB the one in {@code database.include.list}). */
  public String database() {
    return kind().binlog() ? values.get("database.include.list").trim() : values.get("database.dbname");
  }

  /** Which database this file captures. */
  public SourceKind kind() {
    return SourceKind.of(values.get("connector.class")).orElseThrow();
  }

  public String slotName() {
    return values.get("slot.name");
  }

  public String publicationName() {
    return values.getOrDefault("publication.name", "dbz_publication");
  }

  /** Entries of {@code table.include.list}: regular expressions over {@code schema.table}; empty = all tables. */
  public List<String> tableIncludeList() {
    String list = values.get("table.include.list");
    if (list == null || list.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * The signal table ({@code signal.data.collection}, {@code schema.table}) through which {@link
   * RowResnapshot} asks for chosen rows to be read again; empty if the file sets none (then re-snapshots
   * are unavailable, capture works as before).
   */
  public Optional<String> signalTable() {
    String table = values.get("signal.data.collection");
    return table == null || table.isBlank() ? Optional.empty() : Optional.of(table.trim());
  }

  /**
   * {@code tandem.origin.table}: the table every Tandem sink transaction writes first ({@code
   * public.tandem_origin}); capture drops the rest of such a transaction, so a synced change is never
   * sent back (docs/coexistence.md, "No echo"). Empty: every change is produced.
   */
  public Optional<String> originTable() {
    return optional(ORIGIN_TABLE);
  }

  /**
   * {@code tandem.fence.table}: the write-fence table ({@code public.tandem_write_fence}); its changes are
   * produced only after everything captured before them is in Kafka, so seeing one proves the rest arrived.
   */
  public Optional<String> fenceTable() {
    return optional(FENCE_TABLE);
  }

  private Optional<String> optional(String key) {
    String value = values.get(key);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  // A marker table capture does not see would silently disable what it is for.
  private void validateCapturedTable(String key, String what) {
    Optional<String> table = optional(key);
    if (table.isEmpty()) {
      return;
    }
    if (!RowResnapshot.isSimpleTableName(table.get())) {
      throw new ConfigException(source, key, what + ", as schema.table of plain identifiers", table.get());
    }
    List<String> include = tableIncludeList();
    if (!include.isEmpty() && !matchesAny(include, table.get(), "table.include.list")) {
      throw new ConfigException(source, "table.include.list", "a list that also captures " + table.get() + " ("
          + key + "), e.g. by appending ," + table.get(), values.get("table.include.list"));
    }
  }

  /** JDBC URL of the captured database (for estimates; Debezium opens its own connections). */
  public String jdbcUrl() {
    if (kind().binlog()) {
      // MariaDB's driver speaks to MySQL 8 too; its caching_sha2_password needs the server's key without TLS.
      return "jdbc:mariadb://" + values.get("database.hostname") + ":" + values.get("database.port") + "/" + database()
          + (kind() == SourceKind.MYSQL ? "?allowPublicKeyRetrieval=true" : "");
    }
    String url = "jdbc:postgresql://" + values.get("database.hostname") + ":" + values.get("database.port")
        + "/" + database();
    String sslMode = values.get("database.sslmode");
    return sslMode == null || sslMode.isBlank() ? url : url + "?sslmode=" + sslMode;
  }

  /**
   * A JDBC connection to the captured database as the capture user, giving up after 10 s, named
   * {@code applicationName} where the server shows names (PostgreSQL's {@code pg_stat_activity}).
   */
  java.sql.Connection connect(String applicationName) throws java.sql.SQLException {
    Properties props = new Properties();
    props.setProperty("user", user());
    props.setProperty("password", password());
    if (kind() == SourceKind.POSTGRES) {
      props.setProperty("ApplicationName", applicationName);
      props.setProperty("connectTimeout", "10"); // seconds
    } else {
      props.setProperty("connectTimeout", "10000"); // milliseconds
    }
    return java.sql.DriverManager.getConnection(jdbcUrl(), props);
  }

  public String user() {
    return values.get("database.user");
  }

  /** The database password; empty if none. Never log it. */
  public String password() {
    return values.getOrDefault("database.password", "");
  }

  /** Typed reads naming this config's source in errors. */
  ConfigValues values() {
    return new ConfigValues(source, values);
  }

  @Override
  public String toString() {
    return "ConnectorConfig" + masked() + " from " + source;
  }

  static boolean isSecret(String key) {
    return Secrets.isSecret(key);
  }

  private void validate() {
    ConfigValues read = values();
    read.requiredString("name", "a connector name");
    String connectorClass = read.requiredString("connector.class", SourceKind.expected());
    SourceKind kind = SourceKind.of(connectorClass).orElseThrow(() ->
        new ConfigException(source, "connector.class", SourceKind.expected(), connectorClass));
    read.requiredString("database.hostname", "a host name or address");
    if (!read.has("database.port")) {
      throw new ConfigException(source, "database.port", "a TCP port from 1 to 65535", null);
    }
    read.intInRange("database.port", kind == SourceKind.POSTGRES ? 5432 : 3306, 1, 65535);
    read.requiredString("database.user", "a database user");
    read.requiredString("topic.prefix", "a topic prefix such as legacy.<db>");
    if (kind.binlog()) {
      validateMariaDb(read);
      return;
    }
    read.requiredString("database.dbname", "a database name");
    read.requiredString("slot.name", "a replication slot name");
    String plugin = read.string("plugin.name", "decoderbufs");
    if (!plugin.equals("pgoutput")) {
      // pgoutput ships with PostgreSQL 10+; decoderbufs needs a server extension.
      throw new ConfigException(source, "plugin.name", "pgoutput", plugin);
    }
    validateCommon(read);
  }

  /**
   * MariaDB: one captured database (its tables are {@code <db>.<table>}, which Tandem treats as schema and
   * table), a replication client id unique among the server's replicas, DDL history in Kafka, and no DDL events
   * or tombstones in the raw topics.
   */
  private void validateMariaDb(ConfigValues read) {
    String databases = read.requiredString("database.include.list", "the one legacy database to capture");
    if (databases.contains(",") || !IDENTIFIER.matcher(databases.trim()).matches()) {
      throw new ConfigException(source, "database.include.list", "one database name (letters, digits, _ and $)",
          databases);
    }
    if (!read.has("database.server.id")) {
      throw new ConfigException(source, "database.server.id", "a replication client id unique among the server's"
          + " replicas, from 1 to " + Integer.MAX_VALUE, null);
    }
    read.intInRange("database.server.id", 0, 1, Integer.MAX_VALUE);
    read.requiredString("schema.history.internal.kafka.topic", "the Kafka topic for the captured tables' DDL history");
    read.requiredString("schema.history.internal.kafka.bootstrap.servers", "the Kafka cluster of the DDL history");
    for (Map.Entry<String, String> fixed : MARIADB_CONTRACT.entrySet()) {
      String actual = read.string(fixed.getKey(), null);
      if (!fixed.getValue().equals(actual)) {
        throw new ConfigException(source, fixed.getKey(), fixed.getValue() + " (the raw topics hold row changes only)",
            actual);
      }
    }
    for (String key : List.of(ORIGIN_TABLE, FENCE_TABLE)) {
      optional(key).filter(table -> !table.startsWith(databases.trim() + ".")).ifPresent(table -> {
        throw new ConfigException(source, key, "a table of the captured database " + databases.trim(), table);
      });
    }
    signalTable().filter(table -> !table.startsWith(databases.trim() + ".")).ifPresent(table -> {
      throw new ConfigException(source, "signal.data.collection", "a table of the captured database "
          + databases.trim() + " (" + databases.trim() + ".<table>)", table);
    });
    validateCommon(read);
  }

  private static final java.util.regex.Pattern IDENTIFIER = java.util.regex.Pattern.compile("[A-Za-z0-9_$]+");
  private static final Map<String, String> MARIADB_CONTRACT = Map.of(
      "include.schema.changes", "false",
      "tombstones.on.delete", "false");

  private void validateCommon(ConfigValues read) {
    validateSignalTable(read);
    String identityCheck = read.string(CapturedTables.IDENTITY_CHECK, "refuse");
    if (!identityCheck.equals("refuse") && !identityCheck.equals("warn")) {
      throw new ConfigException(source, CapturedTables.IDENTITY_CHECK, "refuse or warn", identityCheck);
    }
    validateCapturedTable(ORIGIN_TABLE, "the origin table that marks transactions written by a Tandem sink");
    validateCapturedTable(FENCE_TABLE, "the write-fence table whose changes are cutover markers");
    Set<String> known = Set.of(CapturedTables.IDENTITY_CHECK, ORIGIN_TABLE, FENCE_TABLE);
    values.keySet().stream().filter(key -> key.startsWith(TANDEM_PREFIX) && !known.contains(key))
        .findFirst().ifPresent(key -> {
          throw new ConfigException(source, key, "a known Tandem key " + new java.util.TreeSet<>(known), values.get(key));
        });
    CONTRACT.forEach((key, expected) -> {
      String actual = read.string(key, null);
      if (!expected.equals(actual)) {
        throw new ConfigException(source, key, expected + " (the raw-topic format in docs/data-model.md relies on it)", actual);
      }
    });
    validateEmbeddedEngine(read);
    }

  // What Debezium's embedded engine needs that a Kafka Connect worker would supply itself.
  private void validateEmbeddedEngine(ConfigValues read) {
    String offsetStorage = read.requiredString("offset.storage",
        "org.apache.kafka.connect.storage.KafkaOffsetBackingStore (offsets in Kafka)");
    if (offsetStorage.equals(KafkaOffsetBackingStore.class.getName())) {
      read.requiredString("offset.storage.topic", "the Kafka topic for Debezium's offsets");
      read.intInRange("offset.storage.partitions", 1, -1, 10_000);
      read.intInRange("offset.storage.replication.factor", -1, -1, Short.MAX_VALUE);
      if (!read.has("offset.storage.partitions") || !read.has("offset.storage.replication.factor")) {
        // Debezium's embedded engine refuses to start without them.
        String missing = read.has("offset.storage.partitions") ? "offset.storage.replication.factor"
            : "offset.storage.partitions";
        throw new ConfigException(source, missing, "an integer (-1: the broker's default)", null);
      }
    }
    read.millis("offset.flush.interval.ms", Duration.ofMinutes(1));
    read.millis("heartbeat.interval.ms", Duration.ZERO);
  }

  /**
   * Debezium's offsets must live next to the raw topics: the file's {@code bootstrap.servers}, when it
   * sets one, must name the cluster capture produces to.
   *
   * @throws ConfigException naming this file when it names another cluster
   */
  public void requireCluster(String bootstrapServers) {
    String servers = values.get("bootstrap.servers");
    if (servers != null && !servers.equals(bootstrapServers)) {
      throw new ConfigException(source, "bootstrap.servers", "the Kafka cluster the pipeline uses ("
          + bootstrapServers + "): Debezium's offsets must live next to the raw topics", servers);
    }
  }

  /** {@code heartbeat.interval.ms}; zero if heartbeats are off. */
  public Duration heartbeatInterval() {
    return values().millis("heartbeat.interval.ms", Duration.ZERO);
  }

  // The signal table must be captured (its inserts are how signals and watermarks reach Debezium) and
  // Debezium must listen to it; otherwise a re-snapshot request would wait forever without a word.
  private void validateSignalTable(ConfigValues read) {
    Optional<String> signal = signalTable();
    if (signal.isEmpty()) {
      return;
    }
    String table = signal.get();
    if (!RowResnapshot.isSimpleTableName(table)) {
      throw new ConfigException(source, "signal.data.collection",
          "the signal table as schema.table, each a plain identifier (letters, digits, _)", table);
    }
    List<String> include = tableIncludeList();
    if (!include.isEmpty() && !matchesAny(include, table, "table.include.list")) {
      throw new ConfigException(source, "table.include.list",
          "a list that also captures the signal table " + table + " (signal.data.collection; Debezium only sees"
              + " signals in captured tables), e.g. by appending ," + table, values.get("table.include.list"));
    }
    String exclude = values.get("table.exclude.list");
    if (exclude != null && !exclude.isBlank()) {
      List<String> excluded = java.util.Arrays.stream(exclude.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
      if (matchesAny(excluded, table, "table.exclude.list")) {
        throw new ConfigException(source, "table.exclude.list",
            "a list that does not exclude the signal table " + table + " (signal.data.collection)", exclude);
      }
    }
    String channels = read.string("signal.enabled.channels", "source");
    boolean sourceChannel = java.util.Arrays.stream(channels.split(",")).map(String::trim).anyMatch("source"::equals);
    if (!sourceChannel) {
      throw new ConfigException(source, "signal.enabled.channels",
          "a list including 'source' (the signal table channel, signal.data.collection=" + table + ")", channels);
    }
    read.intInRange("incremental.snapshot.chunk.size", 1024, 1, 1_000_000);
  }

  // Debezium reads the include/exclude lists as case-insensitive regular expressions over schema.table.
  private boolean matchesAny(List<String> regexes, String table, String key) {
    for (String regex : regexes) {
      try {
        if (Pattern.compile(regex, Pattern.CASE_INSENSITIVE).matcher(table).matches()) {
          return true;
        }
      } catch (PatternSyntaxException e) {
        throw new ConfigException(source, key, "comma-separated regular expressions over schema.table", regex);
      }
    }
    return false;
  }

  private static String substitute(String source, String key, String value, Map<String, String> env) {
    return Placeholders.resolve(source, key, value, env, isSecret(key));
  }
}
