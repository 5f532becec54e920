package io.tandem.router;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import io.tandem.core.tls.ServerTls;
import io.tandem.router.api.Role;
import io.tandem.router.proxy.KeySource;
import io.tandem.router.proxy.ProxyRoute;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.status.StatusCodec;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code router} section of {@code tandem.yaml}: its keys, defined once, and the reader that turns
 * it into {@link RouterSettings} (docs/router.md).
 */
public final class RouterConfigSection {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final String DURATION = "duration: `500ms`, `30s`, `5m`, `2h` or ISO-8601 (`PT1H`)";

  public static final Section SECTION = Section.of("router", "optional (required by `tandem router`)",
      "A cohort router replica (`tandem router --config`, docs/router.md). Replicas with the same `kafka` and "
          + "`topic` share one routing truth.");
  public static final Setting<String> HOST = Setting.text("router.host", "127.0.0.1",
      "Address the router's HTTP server listens on; the default serves this host only (loopback), `0.0.0.0` every "
          + "interface (what a router in front of other hosts' services needs).")
      .trimmed().requiring(h -> !h.isBlank(), "a host name or address");
  public static final Setting<Integer> PORT = Setting.integer("router.port", 8088, 0, 65535,
      "Its port (decision API, operator API, read proxy, `/metrics`, `/health`); 0 = any free port.");
  public static final ServerTls.Keys TLS = ServerTls.Keys.under("router",
      "the router (decision API, operator API, read proxy, `/metrics`, `/health`)", "TANDEM_ROUTER_KEYSTORE_PASSWORD");
  public static final Setting<String> TOPIC = Setting.text("router.topic", RoutingLog.DEFAULT_TOPIC,
      "The routing log: one partition, kept forever (created if missing).");
  public static final Setting<Integer> REPLICATION_FACTOR = Setting.integer("router.replicationFactor", -1, -1,
      Short.MAX_VALUE, "Replication factor when the router creates the routing log; -1 = the broker's default. "
          + "Use 3 on a real cluster.");
  public static final Setting<Integer> SHADOW_SAMPLE_SIZE = Setting.integer("router.shadowSampleSize", 100, 0,
      10_000, "Shadow-read mismatches kept for `GET /v1/shadow/mismatches`.");
  public static final Setting<Map<String, List<String>>> ENTITIES = Setting.requiredCustom("router.entities",
      "map: entity → list of attribute names",
      "The entities the router routes, each with the request attributes its CEL rules may use (e.g. "
          + "`customer: [region, tier]`; `[]` for none). Declared in the routing log at start.",
      RouterConfigSection::entities);
  public static final Setting<List<String>> MERGED_ENTITIES = Setting.custom("router.mergedEntities",
      "list of entity names", "`[]`",
      "Entities merged from several legacy sources (docs/mappings.md, \"Merger\"): the router follows their key "
          + "maps (`tandem.keymap.<entity>`) and answers `GET /v1/route/<entity>/<legacy key>?source=<source>` for "
          + "the new key that source's row became. Each must be under `router.entities`.", List.of(),
      RouterConfigSection::mergedEntities);
  public static final Setting<String> EVENTS_TOPIC = Setting.text("router.eventsTopic", CohortEvents.DEFAULT_TOPIC,
      "Where cohort lifecycle events go (created, phase changed, selector changed, deleted; docs/router.md, "
          + "\"Cohort events\"): the replica that made a change publishes one JSON record per cohort it changed.")
      .requiring(v -> v.matches("[A-Za-z0-9._-]{1,200}"), "a topic name");
  public static final Setting<List<RouterSettings.Webhook>> WEBHOOKS = Setting.custom("router.webhooks",
      "list of { url, secretEnv }", "`[]`",
      "URLs each cohort event is also POSTed to (JSON, 3 attempts, at most 10 webhooks). With `secretEnv`, the "
          + "environment variable holding an HMAC-SHA256 key: the body's signature goes in `X-Tandem-Signature: "
          + "sha256=<hex>`.", List.of(), RouterConfigSection::webhooks);
  public static final Section TOKENS = new Section("router.tokens", "list of maps", "(required)",
      "Bearer tokens: `name` (the audit's actor), `role` (`viewer`, `operator`, `admin`) and `sha256` (the "
          + "token's SHA-256 in lower-case hex: `printf %s \"$TOKEN\" | sha256sum`). Tokens themselves are never "
          + "configured.");
  private static final Section TOKEN = Section.of("router.tokens[]", "", "");
  public static final Setting<String> TOKEN_NAME = Setting.requiredText("router.tokens[].name", "string",
      "Who uses the token; recorded as the actor of every change made with it.");
  public static final Setting<String> TOKEN_ROLE = Setting.requiredText("router.tokens[].role",
      "`viewer`, `operator` or `admin`", "What it may do (docs/router.md).");
  public static final Setting<String> TOKEN_SHA256 = Setting.requiredText("router.tokens[].sha256",
      "64 lower-case hex digits", "SHA-256 of the token.");
  public static final Section PROXY = new Section("router.proxy", "list of maps", "`[]`",
      "Read-proxy routes (docs/router.md, \"Read proxy\").");
  private static final Section PROXY_ROUTE = Section.of("router.proxy[]", "", "");
  public static final Setting<String> PROXY_PATH = Setting.requiredText("router.proxy[].path", "string",
      "Path template, e.g. `/api/customers/{id}`.");
  public static final Setting<String> PROXY_ENTITY = Setting.requiredText("router.proxy[].entity", "string",
      "The entity whose cohorts decide (one of `router.entities`).");
  public static final Setting<String> PROXY_KEY = Setting.requiredText("router.proxy[].key",
      "`path:<variable>`, `header:<name>` or `query:<name>`", "Where the cohort key is in the request.");
  public static final Setting<String> PROXY_LEGACY = Setting.requiredText("router.proxy[].legacy", "URL",
      "Base URL of the legacy service.");
  public static final Setting<String> PROXY_NEW = Setting.requiredText("router.proxy[].new", "URL",
      "Base URL of the new service.");
  public static final Setting<List<String>> PROXY_IGNORE = Setting.custom("router.proxy[].ignoreFields",
      "list of dotted JSON paths", "`[]`", "Fields a shadow comparison ignores (e.g. `updatedAt`, `meta.etag`).",
      List.of(), RouterConfigSection::ignoreFields);
  public static final Setting<Boolean> PROXY_FALLBACK = Setting.bool("router.proxy[].fallbackToLegacy", true,
      "Serve legacy's answer when new fails (connection error, timeout, 5xx) for a read.");
  public static final Setting<Integer> PROXY_TIMEOUT_MS = Setting.integer("router.proxy[].timeoutMs", 5000, 1,
      600_000, "Upstream timeout in milliseconds.");
  public static final Setting<Integer> PROXY_MAX_BODY_BYTES = Setting.integer("router.proxy[].maxBodyBytes",
      (int) ProxyRoute.DEFAULT_MAX_BODY_BYTES, 0, (int) ProxyRoute.MAX_BODY_LIMIT,
      "Largest request body the route accepts (bodies are buffered: shadow reads and fallback re-send them). A "
          + "larger `Content-Length` is refused with 413 before the body is read; a chunked body is cut off with 413 "
          + "as soon as it grows past the limit.");
  public static final Section GATES = Section.of("router.gates", "optional",
      "Promotion gates (docs/router.md, \"Promotion gates\"): a change that makes new serve keys it did not "
          + "(promoting a cohort into `NEW_READS` or `NEW`, growing a cohort new serves) is refused unless a clean "
          + "verification newer than `maxVerificationAge` covers the cohort and the entity's replication lag, "
          + "reported within `maxLagReportAge`, is at most `maxLag`. An admin may force it with a reason (audited).");
  public static final Setting<Boolean> GATES_ENABLED = Setting.bool("router.gates.enabled", true,
      "`false`: nothing is gated (forcing still needs the admin role).");
  public static final Setting<String> GATES_STATUS_TOPIC = Setting.text("router.gates.statusTopic",
      StatusCodec.DEFAULT_TOPIC, "Compacted topic the verifier (passes) and the pipeline (replication lag) publish "
          + "to; created compacted, one partition, if missing (replication factor `router.replicationFactor`).")
      .trimmed();
  public static final Setting<Duration> GATES_MAX_VERIFICATION_AGE = Setting.duration(
      "router.gates.maxVerificationAge", "1h", Duration.ofSeconds(1),
      "How recent the clean verification must be (by the time the pass finished).").documentedAs(DURATION);
  public static final Setting<Duration> GATES_MAX_LAG = Setting.duration("router.gates.maxLag", "5s", Duration.ZERO,
      "The highest replication lag (legacy commit → visible in the new database) a gated change accepts.")
      .documentedAs(DURATION);
  public static final Setting<Duration> GATES_MAX_LAG_REPORT_AGE = Setting.duration("router.gates.maxLagReportAge",
      "60s", Duration.ofSeconds(1), "How recent the lag report must be; an older one counts as no report.")
      .documentedAs(DURATION);

  public static final Section LIMITS = Section.of("router.limits", "optional",
      "Bounds on what the operator API accepts (docs/router.md, \"Limits\"): a request over one is refused with a "
          + "problem naming the key (413 for the body, 422 for the rest) and changes nothing.");
  public static final Setting<Integer> LIMITS_MAX_BODY_BYTES = Setting.integer("router.limits.maxBodyBytes",
      RouterSettings.Limits.DEFAULT_MAX_BODY_BYTES, 1024, Integer.MAX_VALUE,
      "Largest request body in bytes; a larger one gets 413.");
  public static final Setting<Integer> LIMITS_MAX_KEYS = Setting.integer("router.limits.maxKeysPerCohort",
      RouterSettings.Limits.DEFAULT_MAX_KEYS_PER_COHORT, 1, Integer.MAX_VALUE,
      "Most keys in a cohort's explicit list (a list is replaced whole, so also per request).");
  public static final Setting<Integer> LIMITS_MAX_KEY_LENGTH = Setting.integer("router.limits.maxKeyLength",
      RouterSettings.Limits.DEFAULT_MAX_KEY_LENGTH, 1, 65_536, "Longest key in a list, and longest salt, in characters.");
  public static final Setting<Integer> LIMITS_MAX_RULE_LENGTH = Setting.integer("router.limits.maxRuleLength",
      RouterSettings.Limits.DEFAULT_MAX_RULE_LENGTH, 1, 1_000_000, "Longest CEL rule, in characters.");
  public static final Setting<Integer> LIMITS_MAX_RULE_NODES = Setting.integer("router.limits.maxRuleNodes",
      RouterSettings.Limits.DEFAULT_MAX_RULE_NODES, 1, 100_000,
      "Most nodes in a CEL rule's parsed expression (its complexity; `region == \"EU\"` has 3).");
  public static final Setting<Integer> LIMITS_MAX_REASON_LENGTH = Setting.integer("router.limits.maxReasonLength",
      RouterSettings.Limits.DEFAULT_MAX_REASON_LENGTH, 1, 100_000, "Longest `reason` of a change, in characters.");
  public static final Setting<Integer> LIMITS_COMPILED_VERSIONS = Setting.integer("router.limits.compiledVersions",
      io.tandem.routing.RoutingStateMachine.DEFAULT_MATERIALISED_VERSIONS, 1, 100_000,
      "Latest routing versions that keep their compiled key sets and rules in memory; older ones keep only their "
          + "definitions (shared with the log's commands) and are compiled again when a rollback or audit needs them.");
  public static final Setting<Integer> LIMITS_KEPT_VERSIONS = Setting.integer("router.limits.keptVersions",
      io.tandem.routing.RoutingStateMachine.DEFAULT_KEPT_VERSIONS, 1, 1_000_000,
      "Latest routing versions kept in memory (at least `compiledVersions`); a rollback to an older one recalls it "
          + "by replaying the routing log (seconds for a long log), and the promotion gate treats a verification made "
          + "at an older version as unknown.");
  public static final Setting<Integer> LIMITS_AUDIT_ENTRIES = Setting.integer("router.limits.auditEntries",
      io.tandem.routing.RoutingStateMachine.DEFAULT_AUDIT_ENTRIES, 1, 1_000_000,
      "Latest audit entries kept in memory; `GET /v1/audit?before=<offset>` reads older ones from the routing log "
          + "(the log is the audit trail: nothing is lost).");

  public static final List<ConfigDefinition> DEFINITIONS = concat(List.of(SECTION, HOST, PORT), TLS.definitions(),
      List.of(TOPIC, REPLICATION_FACTOR, SHADOW_SAMPLE_SIZE, ENTITIES, MERGED_ENTITIES, EVENTS_TOPIC, WEBHOOKS, TOKENS, TOKEN_NAME, TOKEN_ROLE, TOKEN_SHA256,
          PROXY, PROXY_PATH, PROXY_ENTITY, PROXY_KEY, PROXY_LEGACY, PROXY_NEW, PROXY_IGNORE, PROXY_FALLBACK,
          PROXY_TIMEOUT_MS, PROXY_MAX_BODY_BYTES, GATES, GATES_ENABLED, GATES_STATUS_TOPIC, GATES_MAX_VERIFICATION_AGE,
          GATES_MAX_LAG, GATES_MAX_LAG_REPORT_AGE, LIMITS, LIMITS_MAX_BODY_BYTES, LIMITS_MAX_KEYS,
          LIMITS_MAX_KEY_LENGTH, LIMITS_MAX_RULE_LENGTH, LIMITS_MAX_RULE_NODES, LIMITS_MAX_REASON_LENGTH,
          LIMITS_COMPILED_VERSIONS, LIMITS_KEPT_VERSIONS, LIMITS_AUDIT_ENTRIES));

  @SafeVarargs
  private static List<ConfigDefinition> concat(List<? extends ConfigDefinition>... groups) {
    List<ConfigDefinition> all = new ArrayList<>();
    for (List<? extends ConfigDefinition> group : groups) {
      all.addAll(group);
    }
    return List.copyOf(all);
  }

  private RouterConfigSection() {}

  /**
   * Reads the {@code router} section; empty when it is absent.
   *
   * @param kafka the client settings of the routing log's cluster ({@code bootstrap.servers}, security)
   */
  public static Optional<RouterSettings> read(ConfigSection root, Map<String, Object> kafka) {
    ConfigSection section = root.section(SECTION);
    if (!section.present()) {
      return Optional.empty();
    }
    Map<String, List<String>> entities = section.get(ENTITIES);
    List<ProxyRoute> routes = routes(section, entities);
    String topic = section.get(TOPIC);
    return Optional.of(new RouterSettings(section.get(HOST), section.get(PORT), kafka, topic,
        (short) (int) section.get(REPLICATION_FACTOR), entities, tokens(section), routes,
        section.get(SHADOW_SAMPLE_SIZE), gates(section, topic), limits(section), TLS.read(section),
        mergedEntities(section, entities), new RouterSettings.Events(section.get(EVENTS_TOPIC),
        section.get(WEBHOOKS))));
  }

  private static List<RouterSettings.Webhook> webhooks(ConfigSection section, String path, JsonNode node) {
    if (!node.isArray() || node.size() > 10) {
      throw section.error(path, "a list of at most 10 { url, secretEnv }", node);
    }
    List<RouterSettings.Webhook> webhooks = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String item = path + "[" + i + "]";
      JsonNode hook = node.get(i);
      if (!hook.isObject() || !hook.has("url")) {
        throw section.error(item, "{ url, secretEnv }", hook);
      }
      hook.fieldNames().forEachRemaining(key -> {
        if (!key.equals("url") && !key.equals("secretEnv")) {
          throw section.error(item + "." + key, "url or secretEnv", key);
        }
      });
      String url = section.scalar(item + ".url", hook.get("url"), "an http(s) URL");
      URI uri;
      try {
        uri = URI.create(url);
      } catch (IllegalArgumentException e) {
        throw section.error(item + ".url", "an http(s) URL", url);
      }
      if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
        throw section.error(item + ".url", "an http(s) URL", url);
      }
      Optional<String> secretEnv = Optional.empty();
      if (hook.has("secretEnv")) {
        String name = section.scalar(item + ".secretEnv", hook.get("secretEnv"), "an environment variable name");
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw section.error(item + ".secretEnv", "an environment variable name (never the secret itself)", name);
        }
        secretEnv = Optional.of(name);
      }
      webhooks.add(new RouterSettings.Webhook(uri, secretEnv));
    }
    return List.copyOf(webhooks);
  }

  private static List<String> mergedEntities(ConfigSection router, Map<String, List<String>> entities) {
    List<String> merged = router.get(MERGED_ENTITIES);
    for (int i = 0; i < merged.size(); i++) {
      if (!entities.containsKey(merged.get(i))) {
        throw router.error(MERGED_ENTITIES.path() + "[" + i + "]", "an entity under router.entities "
            + entities.keySet(), merged.get(i));
      }
    }
    return merged;
  }

  private static List<String> mergedEntities(ConfigSection section, String path, JsonNode node) {
    if (!node.isArray() || node.size() > 100) {
      throw section.error(path, "a list of at most 100 entity names", node);
    }
    List<String> names = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      String name = section.scalar(path + "[" + i + "]", node.get(i), "an entity name");
      if (!name.matches("[a-z][a-z0-9_]*")) {
        throw section.error(path + "[" + i + "]", "an entity name (lower-case letters, digits, _)", name);
      }
      names.add(name);
    }
    return List.copyOf(names);
  }

  private static RouterSettings.Limits limits(ConfigSection router) {
    ConfigSection section = router.section(LIMITS); // absent: every default
    int compiled = section.get(LIMITS_COMPILED_VERSIONS);
    int kept = section.get(LIMITS_KEPT_VERSIONS);
    if (kept < compiled) {
      throw section.error(LIMITS_KEPT_VERSIONS.path(), "an integer at least " + LIMITS_COMPILED_VERSIONS.path() + " ("
          + compiled + "): the compiled versions are kept ones", kept);
    }
    return new RouterSettings.Limits(section.get(LIMITS_MAX_BODY_BYTES), section.get(LIMITS_MAX_KEYS),
        section.get(LIMITS_MAX_KEY_LENGTH), section.get(LIMITS_MAX_RULE_LENGTH), section.get(LIMITS_MAX_RULE_NODES),
        section.get(LIMITS_MAX_REASON_LENGTH), section.get(LIMITS_COMPILED_VERSIONS), section.get(LIMITS_KEPT_VERSIONS),
        section.get(LIMITS_AUDIT_ENTRIES));
  }

  private static RouterSettings.Gates gates(ConfigSection router, String routingTopic) {
    ConfigSection section = router.section(GATES); // absent: every default
    String statusTopic = section.get(GATES_STATUS_TOPIC);
    if (statusTopic.isEmpty() || statusTopic.equals(routingTopic)) {
      throw section.error(GATES_STATUS_TOPIC.path(), "a topic name other than the routing log's (" + routingTopic
          + ")", statusTopic);
    }
    return new RouterSettings.Gates(section.get(GATES_ENABLED), statusTopic, section.get(GATES_MAX_VERIFICATION_AGE),
        section.get(GATES_MAX_LAG), section.get(GATES_MAX_LAG_REPORT_AGE));
  }

  private static Map<String, List<String>> entities(ConfigSection section, String path, JsonNode node) {
    if (!node.isObject() || node.isEmpty()) {
      throw section.error(path, "a non-empty map: entity → list of attribute names", node);
    }
    Map<String, List<String>> entities = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String entityPath = path + "." + entry.getKey();
      if (!NAME.matcher(entry.getKey()).matches()) {
        throw section.error(entityPath, "an entity name matching " + NAME.pattern(), entry.getKey());
      }
      JsonNode list = entry.getValue();
      if (list == null || !list.isArray()) {
        throw section.error(entityPath, "a list of attribute names ([] for none)", list);
      }
      List<String> attributes = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String attribute = section.scalar(entityPath + "[" + i + "]", list.get(i), "an attribute name");
        if (!ATTRIBUTE.matcher(attribute).matches() || attribute.equals("key")) {
          throw section.error(entityPath + "[" + i + "]", "an attribute name matching " + ATTRIBUTE.pattern()
              + " other than 'key' (the cohort key is always available to rules as 'key')", attribute);
        }
        attributes.add(attribute);
      }
      entities.put(entry.getKey(), attributes);
    }
    return entities;
  }

  private static Map<String, RouterSettings.Token> tokens(ConfigSection router) {
    JsonNode list = router.node(TOKENS);
    String path = router.child(TOKENS.name());
    if (list == null) {
      throw new ConfigException(router.source(), path, "a value: list of maps", null);
    }
    if (!list.isArray()) {
      throw router.error(path, "list of maps", list);
    }
    if (list.isEmpty()) {
      throw router.error(path, "at least one token (name, role, sha256)", "an empty list");
    }
    Map<String, RouterSettings.Token> tokens = new LinkedHashMap<>();
    for (ConfigSection item : router.items(path, list, TOKEN)) {
      String name = item.get(TOKEN_NAME);
      String roleText = item.get(TOKEN_ROLE);
      Role role;
      try {
        role = Role.valueOf(roleText.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw item.error(item.child("role"), "viewer, operator or admin", roleText);
      }
      String hash = item.get(TOKEN_SHA256).trim();
      if (!hash.matches("[0-9a-f]{64}")) {
        throw item.error(item.child("sha256"), "the token's SHA-256: 64 lower-case hex digits", "(hidden)");
      }
      if (tokens.put(hash, new RouterSettings.Token(name, role)) != null) {
        throw item.error(item.child("sha256"), "a hash no other token has", "(hidden)");
      }
    }
    return tokens;
  }

  private static List<ProxyRoute> routes(ConfigSection router, Map<String, List<String>> entities) {
    JsonNode list = router.node(PROXY);
    String path = router.child(PROXY.name());
    if (list == null) {
      return List.of();
    }
    if (!list.isArray()) {
      throw router.error(path, "list of maps", list);
    }
    List<ProxyRoute> routes = new ArrayList<>();
    for (ConfigSection item : router.items(path, list, PROXY_ROUTE)) {
      String entity = item.get(PROXY_ENTITY);
      if (!entities.containsKey(entity)) {
        throw item.error(item.child("entity"), "one of the entities " + entities.keySet(), entity);
      }
      KeySource key;
      String keyText = item.get(PROXY_KEY);
      try {
        key = KeySource.parse(keyText);
      } catch (IllegalArgumentException e) {
        throw item.error(item.child("key"), PROXY_KEY.type() + " (" + e.getMessage() + ")", keyText);
      }
      URI legacy = uri(item, item.child("legacy"), item.get(PROXY_LEGACY));
      URI fresh = uri(item, item.child("new"), item.get(PROXY_NEW));
      try {
        routes.add(new ProxyRoute(item.get(PROXY_PATH), entity, key, legacy, fresh, item.get(PROXY_IGNORE),
            item.get(PROXY_FALLBACK), Duration.ofMillis(item.get(PROXY_TIMEOUT_MS)), item.get(PROXY_MAX_BODY_BYTES)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(item.source(), item.path(), "a valid proxy route", e.getMessage());
      }
    }
    return routes;
  }

  private static List<String> ignoreFields(ConfigSection section, String path, JsonNode node) {
    if (!node.isArray()) {
      throw section.error(path, PROXY_IGNORE.type(), node);
    }
    List<String> fields = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      fields.add(section.scalar(path + "[" + i + "]", node.get(i), "a dotted JSON path"));
    }
    return fields;
  }

  private static URI uri(ConfigSection section, String path, String text) {
    try {
      URI uri = URI.create(text.trim());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw section.error(path, "an http(s) URL with a host", text);
  }

  /** The settings as safe to log: tokens by name and role only. */
  public static String masked(RouterSettings s) {
    return "Router[listen=" + s.host() + ":" + s.port() + s.tls().map(t -> " " + t).orElse(" (plain HTTP)")
        + ", topic=" + s.topic() + ", entities=" + s.entities()
        + ", tokens=" + s.tokens().values().stream().map(t -> t.name() + "(" + t.role().name().toLowerCase(Locale.ROOT)
        + ")").toList() + ", proxy routes=" + s.routes().stream().map(ProxyRoute::pathTemplate).toList() + ", gates="
        + (s.gates().enabled() ? "on(status topic " + s.gates().statusTopic() + ", verification within "
            + s.gates().maxVerificationAge() + ", lag at most " + s.gates().maxLag() + " reported within "
            + s.gates().maxLagReportAge() + ")" : "off") + ", limits=" + s.limits() + "]";
  }
}
