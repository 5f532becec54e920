package io.tandem.app.config;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.stream.Collectors;

/** Every key of {@code tandem.yaml}, in documentation order. See {@link ConfigKey}. */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** Kafka client settings Tandem sets itself; {@code kafka.properties} may not hold them. */
  public static final Set<String> MANAGED_KAFKA_PROPERTIES = Set.of("bootstrap.servers", "group.id",
      "application.id", "acks", "enable.idempotence", "transactional.id", "enable.auto.commit", "isolation.level",
      "max.poll.records", "key.serializer", "value.serializer", "key.deserializer", "value.deserializer");

  // ---- kafka ----
  public static final ConfigKey KAFKA = ConfigKey.section("kafka", "required",
      "The Kafka cluster every component uses.");
  public static final ConfigKey KAFKA_BOOTSTRAP_SERVERS = ConfigKey.required("kafka.bootstrapServers",
      "string: `host:port[,host:port...]`",
      "Kafka brokers. Also Debezium's offset storage: Tandem sets `KAFKA_BOOTSTRAP_SERVERS` for the connector file "
          + "from it.");
  public static final ConfigKey KAFKA_PARTITIONS = ConfigKey.optional("kafka.partitions", "integer 1–10000", "3",
      "Partitions of the topics Tandem creates when they are missing: raw change topics "
          + "`<topic prefix>.<schema>.<table>` and `migrated.<entity>` (compacted). Dead-letter topics get 1. "
          + "Existing topics are left as they are.");
  public static final ConfigKey KAFKA_PROPERTIES = ConfigKey.described("kafka.properties",
      "map: Kafka client setting → string, number or boolean", "`{}`",
      "Extra settings for every Kafka client Tandem creates (topic admin, capture producer and Debezium's offset store, "
          + "Kafka Streams, sink consumer and dead-letter producer, embedded registry): `security.protocol`, `sasl.*`, `ssl.*`, timeouts. "
          + "Settings Tandem owns are refused (" + String.join(", ", MANAGED_KAFKA_PROPERTIES.stream()
          .sorted().map(k -> "`" + k + "`").toList()) + "). Values of secret keys (`sasl.jaas.config`, "
          + "`*password*`, ...) are masked. Where the connector file sets the same key for the offset store, the "
          + "file's value wins.");

  // ---- registry ----
  public static final ConfigKey REGISTRY = ConfigKey.section("registry", "required",
      "The schema registry: exactly one of `url` and `embedded`.");
  public static final ConfigKey REGISTRY_URL = ConfigKey.described("registry.url",
      "string: `http(s)://` URLs, comma-separated", "—",
      "A Confluent-compatible registry (Confluent, Karapace, Apicurio ccompat, Redpanda, another Tandem's "
          + "embedded registry). Several URLs are tried in order (failover).");
  public static final ConfigKey REGISTRY_EMBEDDED = ConfigKey.described("registry.embedded",
      "`true`, `false` or a section", "`false`",
      "Run Tandem's registry inside this process, its state in a compacted Kafka topic (docs/registry.md). "
          + "Every process started with the same `kafka` and `topic` serves the same registry, so each stage "
          + "deployment can embed its own instance. `true` = a section with every default.");
  public static final ConfigKey REGISTRY_EMBEDDED_HOST = ConfigKey.optional("registry.embedded.host", "string",
      "127.0.0.1", "Address the embedded registry listens on; `0.0.0.0` to serve other hosts.");
  public static final ConfigKey REGISTRY_EMBEDDED_PORT = ConfigKey.optional("registry.embedded.port",
      "integer 0–65535", "8081", "Its port; 0 = any free port.");
  public static final ConfigKey REGISTRY_EMBEDDED_TOPIC = ConfigKey.optional("registry.embedded.topic", "string",
      "_schemas", "Its storage topic (one partition, compacted; created if missing).");
  public static final ConfigKey REGISTRY_USER = ConfigKey.described("registry.user", "string", "—",
      "HTTP basic-auth user: sent to an external registry, required by the embedded one. Needs `password`.");
  public static final ConfigKey REGISTRY_PASSWORD = ConfigKey.described("registry.password", "string (secret)", "—",
      "Basic-auth password; needs `user`. Masked in logs and messages.");

  // ---- legacy ----
  public static final ConfigKey LEGACY = ConfigKey.section("legacy", "optional",
      "The legacy database, through the Debezium connector file (docs/capture.md). Read by `capture`, and by "
          + "`transform` unless `legacy.topicPrefix` is set.");
  public static final ConfigKey LEGACY_CONNECTOR = ConfigKey.optional("legacy.connector", "path",
      "connectors/legacy-postgres.properties",
      "Debezium PostgreSQL connector properties file; its `${VAR}` / `${VAR:-default}` placeholders are resolved "
          + "from `legacy.env`, then the process environment.");
  public static final ConfigKey LEGACY_ENV = ConfigKey.described("legacy.env",
      "map: variable name → string, number or boolean", "`{}`",
      "Values for the connector file's placeholders (`LEGACY_DB_HOST`, `LEGACY_DB_PASSWORD`, ...; see "
          + "docs/capture.md); they win over the process environment. `KAFKA_BOOTSTRAP_SERVERS` is refused: it "
          + "comes from `kafka.bootstrapServers`. Values of names containing `PASSWORD`, `SECRET`, `TOKEN`, ... "
          + "are masked.");
  public static final ConfigKey LEGACY_TOPIC_PREFIX = ConfigKey.described("legacy.topicPrefix", "string",
      "the connector file's `topic.prefix`",
      "Prefix of the raw change topics (`legacy.<db>`). Set it so that a deployment running `transform` without "
          + "`capture` does not read the connector file (nor need the legacy credentials). When the connector "
          + "file is read as well, both must agree.");

  // ---- target ----
  public static final ConfigKey TARGET = ConfigKey.section("target", "required with `sink`",
      "The new database the sink writes (and migrates at start).");
  public static final ConfigKey TARGET_JDBC_URL = ConfigKey.required("target.jdbcUrl",
      "string: `jdbc:postgresql://host[:port]/database[?...]`", "PostgreSQL JDBC URL of the new database.");
  public static final ConfigKey TARGET_USER = ConfigKey.required("target.user", "string", "Database user.");
  public static final ConfigKey TARGET_PASSWORD = ConfigKey.described("target.password", "string (secret)",
      "empty", "Database password. Masked in logs and messages.");

  // ---- schemas ----
  public static final ConfigKey SCHEMAS = ConfigKey.section("schemas", "optional", "Mappings, schemas, migrations.");
  public static final ConfigKey SCHEMAS_DIR = ConfigKey.optional("schemas.dir", "path", "schemas",
      "Holds `mappings/*.yaml` (every component), `avro/<entity>.avsc` (`transform`, `sink`) and "
          + "`migrations/new/` (`sink`: Flyway migrations applied to the new database at start).");

  // ---- transform ----
  public static final ConfigKey TRANSFORM = ConfigKey.section("transform", "optional", "The transform stage.");
  public static final ConfigKey TRANSFORM_APPLICATION_ID = ConfigKey.optional("transform.applicationId",
      "string of `A-Z a-z 0-9 . _ -`", "tandem-transform",
      "Kafka Streams application id: its consumer group and the prefix of its internal topics. Instances with "
          + "the same id share the partitions.");
  public static final ConfigKey TRANSFORM_THREADS = ConfigKey.optional("transform.threads", "integer 1–64", "1",
      "Stream threads in this process.");
  public static final ConfigKey TRANSFORM_STATE_DIR = ConfigKey.described("transform.stateDir", "path",
      "`<java.io.tmpdir>/tandem-streams`",
      "Kafka Streams state directory. Two instances on one host need two directories.");

  // ---- sink ----
  public static final ConfigKey SINK = ConfigKey.section("sink", "optional", "The sink stage.");
  public static final ConfigKey SINK_GROUP_ID = ConfigKey.optional("sink.groupId", "string", "tandem-sink",
      "Consumer group; instances with the same group share the partitions.");
  public static final ConfigKey SINK_MAX_POLL_RECORDS = ConfigKey.optional("sink.maxPollRecords",
      "integer 1–100000", "2000", "Records per poll = per database transaction.");
  public static final ConfigKey SINK_TOMBSTONE_RETENTION_HOURS = ConfigKey.optional("sink.tombstoneRetentionHours",
      "integer 0–87600", "168", "How long a deleted key's tombstone is kept (it rejects replayed changes older than "
          + "the delete); 0 = forever. Keep it above the raw and migrated topics' retention.");

  // ---- metrics ----
  public static final ConfigKey METRICS = ConfigKey.section("metrics", "optional",
      "Prometheus endpoint (`/metrics`, `/health`).");
  public static final ConfigKey METRICS_HOST = ConfigKey.optional("metrics.host", "string", "0.0.0.0",
      "Address it listens on.");
  public static final ConfigKey METRICS_PORT = ConfigKey.optional("metrics.port", "integer 0–65535", "9404",
      "Port; 0 = any free port.");

  // ---- verify ----
  public static final ConfigKey VERIFY = ConfigKey.section("verify", "optional",
      "The verifier (`tandem verify`, and the `verify` component of `tandem run`; docs/verify.md).");
  public static final ConfigKey VERIFY_CHUNK_SIZE = ConfigKey.optional("verify.chunkSize", "integer 100–1000000",
      "10000", "Legacy rows per chunk; a chunk's fingerprint is compared as one, rows only where it differs.");
  public static final ConfigKey VERIFY_LEGACY_ROWS_PER_SECOND = ConfigKey.optional("verify.legacyRowsPerSecond",
      "integer ≥ 0", "0", "Read budget on the legacy database, rows per second; 0 = unlimited.");
  public static final ConfigKey VERIFY_LEGACY_REPLICA_URL = ConfigKey.described("verify.legacyReplicaUrl",
      "JDBC URL", "(the primary)", "Read legacy rows from this replica instead of the primary (same user and "
          + "password as the connector). Re-checks then also read it: keep its replay lag small.");
  public static final ConfigKey VERIFY_RECHECK_DELAY_MS = ConfigKey.optional("verify.recheckDelayMs",
      "integer 0–3600000", "2000", "Wait before re-reading a differing row; raised to twice the latest "
          + "replication lag reported on the status topic, so a change still in flight is not reported.");
  public static final ConfigKey VERIFY_RECHECK_ROUNDS = ConfigKey.optional("verify.recheckRounds", "integer 1–100",
      "5", "Re-checks for a row whose legacy value keeps changing; after the last it is reported unsettled.");
  public static final ConfigKey VERIFY_INTERVAL_MS = ConfigKey.optional("verify.intervalMs",
      "integer 0–86400000", "600000", "`tandem run` with the `verify` component: pause between passes.");
  public static final ConfigKey VERIFY_STATUS_TOPIC = ConfigKey.optional("verify.statusTopic", "string",
      "tandem.status", "Compacted topic the passes are published to; the router's promotion gates read it.");
  public static final ConfigKey VERIFY_ROUTING_TOPIC = ConfigKey.optional("verify.routingTopic", "string",
      "tandem.routing", "The routing log: differences and passes are attributed to the router's cohorts.");
  public static final ConfigKey VERIFY_DEAD_LETTER_TOPICS = ConfigKey.optional("verify.deadLetterTopics",
      "comma-separated topics", "tandem.dlq.transform,tandem.dlq.sink",
      "Dead-letter topics: a difference whose key is in one is reported as dead-lettered, with the reason.");

  // ---- router ----
  public static final ConfigKey ROUTER = ConfigKey.section("router", "optional (required by `tandem router`)",
      "A cohort router replica (`tandem router --config`, docs/router.md). Replicas with the same `kafka` and "
          + "`topic` share one routing truth.");
  public static final ConfigKey ROUTER_HOST = ConfigKey.optional("router.host", "string", "0.0.0.0",
      "Address the router's HTTP server listens on.");
  public static final ConfigKey ROUTER_PORT = ConfigKey.optional("router.port", "integer 0–65535", "8088",
      "Its port (decision API, operator API, read proxy, `/metrics`, `/health`); 0 = any free port.");
  public static final ConfigKey ROUTER_TOPIC = ConfigKey.optional("router.topic", "string", "tandem.routing",
      "The routing log: one partition, kept forever (created if missing).");
  public static final ConfigKey ROUTER_REPLICATION_FACTOR = ConfigKey.optional("router.replicationFactor",
      "integer -1–32767", "-1", "Replication factor when the router creates the routing log; -1 = the broker's "
          + "default. Use 3 on a real cluster.");
  public static final ConfigKey ROUTER_SHADOW_SAMPLE_SIZE = ConfigKey.optional("router.shadowSampleSize",
      "integer 0–10000", "100", "Shadow-read mismatches kept for `GET /v1/shadow/mismatches`.");
  public static final ConfigKey ROUTER_ENTITIES = ConfigKey.required("router.entities",
      "map: entity → list of attribute names",
      "The entities the router routes, each with the request attributes its CEL rules may use (e.g. "
          + "`customer: [region, tier]`; `[]` for none). Declared in the routing log at start.");
  public static final ConfigKey ROUTER_TOKENS = ConfigKey.required("router.tokens", "list of maps",
      "Bearer tokens: `name` (the audit's actor), `role` (`viewer`, `operator`, `admin`) and `sha256` (the "
          + "token's SHA-256 in lower-case hex: `printf %s \"$TOKEN\" | sha256sum`). Tokens themselves are never configured.");
  public static final ConfigKey ROUTER_TOKEN_NAME = ConfigKey.required("router.tokens[].name", "string",
      "Who uses the token; recorded as the actor of every change made with it.");
  public static final ConfigKey ROUTER_TOKEN_ROLE = ConfigKey.required("router.tokens[].role",
      "`viewer`, `operator` or `admin`", "What it may do (docs/router.md).");
  public static final ConfigKey ROUTER_TOKEN_SHA256 = ConfigKey.required("router.tokens[].sha256",
      "64 lower-case hex digits", "SHA-256 of the token.");
  public static final ConfigKey ROUTER_PROXY = ConfigKey.described("router.proxy", "list of maps", "`[]`",
      "Read-proxy routes (docs/router.md, \"Read proxy\").");
  public static final ConfigKey ROUTER_PROXY_PATH = ConfigKey.required("router.proxy[].path", "string",
      "Path template, e.g. `/api/customers/{id}`.");
  public static final ConfigKey ROUTER_PROXY_ENTITY = ConfigKey.required("router.proxy[].entity", "string",
      "The entity whose cohorts decide (one of `router.entities`).");
  public static final ConfigKey ROUTER_PROXY_KEY = ConfigKey.required("router.proxy[].key",
      "`path:<variable>`, `header:<name>` or `query:<name>`", "Where the cohort key is in the request.");
  public static final ConfigKey ROUTER_PROXY_LEGACY = ConfigKey.required("router.proxy[].legacy", "URL",
      "Base URL of the legacy service.");
  public static final ConfigKey ROUTER_PROXY_NEW = ConfigKey.required("router.proxy[].new", "URL",
      "Base URL of the new service.");
  public static final ConfigKey ROUTER_PROXY_IGNORE = ConfigKey.described("router.proxy[].ignoreFields",
      "list of dotted JSON paths", "`[]`", "Fields a shadow comparison ignores (e.g. `updatedAt`, `meta.etag`).");
  public static final ConfigKey ROUTER_PROXY_FALLBACK = ConfigKey.optional("router.proxy[].fallbackToLegacy",
      "boolean", "true", "Serve legacy's answer when new fails (connection error, timeout, 5xx) for a read.");
  public static final ConfigKey ROUTER_PROXY_TIMEOUT_MS = ConfigKey.optional("router.proxy[].timeoutMs",
      "integer 1–600000", "5000", "Upstream timeout in milliseconds.");

  public static final String DURATION = "duration: `500ms`, `30s`, `5m`, `2h` or ISO-8601 (`PT1H`)";
  public static final ConfigKey ROUTER_GATES = ConfigKey.section("router.gates", "optional",
      "Promotion gates (docs/router.md, \"Promotion gates\"): a change that makes new serve keys it did not "
          + "(promoting a cohort into `NEW_READS` or `NEW`, growing a cohort new serves) is refused unless a clean "
          + "verification newer than `maxVerificationAge` covers the cohort and the entity's replication lag, "
          + "reported within `maxLagReportAge`, is at most `maxLag`. An admin may force it with a reason (audited).");
  public static final ConfigKey ROUTER_GATES_ENABLED = ConfigKey.optional("router.gates.enabled", "boolean", "true",
      "`false`: nothing is gated (forcing still needs the admin role).");
  public static final ConfigKey ROUTER_GATES_STATUS_TOPIC = ConfigKey.optional("router.gates.statusTopic", "string",
      "tandem.status", "Compacted topic the verifier (passes) and the pipeline (replication lag) publish to; "
          + "created compacted, one partition, if missing (replication factor `router.replicationFactor`).");
  public static final ConfigKey ROUTER_GATES_MAX_VERIFICATION_AGE = ConfigKey.optional(
      "router.gates.maxVerificationAge", DURATION, "1h",
      "How recent the clean verification must be (by the time the pass finished).");
  public static final ConfigKey ROUTER_GATES_MAX_LAG = ConfigKey.optional("router.gates.maxLag", DURATION, "5s",
      "The highest replication lag (legacy commit → visible in the new database) a gated change accepts.");
  public static final ConfigKey ROUTER_GATES_MAX_LAG_REPORT_AGE = ConfigKey.optional("router.gates.maxLagReportAge",
      DURATION, "60s", "How recent the lag report must be; an older one counts as no report.");

  /** All keys, sections first within their group, in the order of the documentation. */
  public static final List<ConfigKey> ALL = List.of(
      KAFKA, KAFKA_BOOTSTRAP_SERVERS, KAFKA_PARTITIONS, KAFKA_PROPERTIES,
      REGISTRY, REGISTRY_URL, REGISTRY_EMBEDDED, REGISTRY_EMBEDDED_HOST, REGISTRY_EMBEDDED_PORT,
      REGISTRY_EMBEDDED_TOPIC, REGISTRY_USER, REGISTRY_PASSWORD,
      LEGACY, LEGACY_CONNECTOR, LEGACY_ENV, LEGACY_TOPIC_PREFIX,
      TARGET, TARGET_JDBC_URL, TARGET_USER, TARGET_PASSWORD,
      SCHEMAS, SCHEMAS_DIR,
      TRANSFORM, TRANSFORM_APPLICATION_ID, TRANSFORM_THREADS, TRANSFORM_STATE_DIR,
      SINK, SINK_GROUP_ID, SINK_MAX_POLL_RECORDS, SINK_TOMBSTONE_RETENTION_HOURS,
      METRICS, METRICS_HOST, METRICS_PORT,
      VERIFY, VERIFY_CHUNK_SIZE, VERIFY_LEGACY_ROWS_PER_SECOND, VERIFY_LEGACY_REPLICA_URL, VERIFY_RECHECK_DELAY_MS,
      VERIFY_RECHECK_ROUNDS, VERIFY_INTERVAL_MS, VERIFY_STATUS_TOPIC, VERIFY_ROUTING_TOPIC, VERIFY_DEAD_LETTER_TOPICS,
      ROUTER, ROUTER_HOST, ROUTER_PORT, ROUTER_TOPIC, ROUTER_REPLICATION_FACTOR, ROUTER_SHADOW_SAMPLE_SIZE,
      ROUTER_ENTITIES, ROUTER_TOKENS, ROUTER_TOKEN_NAME, ROUTER_TOKEN_ROLE, ROUTER_TOKEN_SHA256,
      ROUTER_PROXY, ROUTER_PROXY_PATH, ROUTER_PROXY_ENTITY, ROUTER_PROXY_KEY, ROUTER_PROXY_LEGACY, ROUTER_PROXY_NEW,
      ROUTER_PROXY_IGNORE, ROUTER_PROXY_FALLBACK, ROUTER_PROXY_TIMEOUT_MS,
      ROUTER_GATES, ROUTER_GATES_ENABLED, ROUTER_GATES_STATUS_TOPIC, ROUTER_GATES_MAX_VERIFICATION_AGE,
      ROUTER_GATES_MAX_LAG, ROUTER_GATES_MAX_LAG_REPORT_AGE);

  /** The keys directly under {@code parent} ({@code ""} = top level). */
  public static List<ConfigKey> children(String parent) {
    return ALL.stream().filter(k -> k.parent().equals(parent)).toList();
  }

  public static ConfigKey byPath(String path) {
    return ALL.stream().filter(k -> k.path().equals(path)).findFirst()
        .orElseThrow(() -> new NoSuchElementException(path));
  }

  /** The key reference of docs/configuration.md: one markdown table, one row per key. */
  public static String markdownTable() {
    StringBuilder out = new StringBuilder();
    out.append("| key | type | default | meaning |\n");
    out.append("|---|---|---|---|\n");
    for (ConfigKey key : ALL) {
      String name = key.isSection() ? "**`" + key.path() + "`**" : "`" + key.path() + "`";
      out.append("| ").append(name)
          .append(" | ").append(escape(key.type()))
          .append(" | ").append(escape(key.defaultDoc()))
          .append(" | ").append(escape(key.meaning()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String escape(String cell) {
    return cell.lines().map(String::strip).collect(Collectors.joining(" ")).replace("|", "\\|");
  }
}
