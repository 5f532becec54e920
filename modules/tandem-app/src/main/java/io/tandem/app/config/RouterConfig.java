package io.tandem.app.config;

import static io.tandem.app.config.ConfigKeys.ROUTER;
import static io.tandem.app.config.ConfigKeys.ROUTER_ENTITIES;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES_ENABLED;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES_MAX_LAG;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES_MAX_LAG_REPORT_AGE;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES_MAX_VERIFICATION_AGE;
import static io.tandem.app.config.ConfigKeys.ROUTER_GATES_STATUS_TOPIC;
import static io.tandem.app.config.ConfigKeys.ROUTER_HOST;
import static io.tandem.app.config.ConfigKeys.ROUTER_PORT;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_ENTITY;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_FALLBACK;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_IGNORE;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_KEY;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_LEGACY;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_NEW;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_PATH;
import static io.tandem.app.config.ConfigKeys.ROUTER_PROXY_TIMEOUT_MS;
import static io.tandem.app.config.ConfigKeys.ROUTER_REPLICATION_FACTOR;
import static io.tandem.app.config.ConfigKeys.ROUTER_SHADOW_SAMPLE_SIZE;
import static io.tandem.app.config.ConfigKeys.ROUTER_TOKENS;
import static io.tandem.app.config.ConfigKeys.ROUTER_TOKEN_NAME;
import static io.tandem.app.config.ConfigKeys.ROUTER_TOKEN_ROLE;
import static io.tandem.app.config.ConfigKeys.ROUTER_TOKEN_SHA256;
import static io.tandem.app.config.ConfigKeys.ROUTER_TOPIC;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Secrets;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.proxy.KeySource;
import io.tandem.router.proxy.ProxyRoute;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What {@code tandem router} reads from {@code tandem.yaml}: the {@code kafka} section (where the
 * routing log lives) and the {@code router} section. Other sections are not needed by a router
 * deployment, so they are not read.
 */
public record RouterConfig(Path file, TandemConfig.Kafka kafka, RouterSettings settings) {
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  public static RouterConfig load(Path file, Map<String, String> env) {
    ConfigReader read = new ConfigReader(file, env);
    JsonNode root = read.root(file);
    TandemConfig.Kafka kafka = TandemConfig.kafka(read, root);
    JsonNode section = read.section(root, ROUTER);
    if (section == null) {
      throw new ConfigException(read.source(), ROUTER.path(), "a section with entities and tokens", null);
    }
    Map<String, Object> kafkaClient = new LinkedHashMap<>(kafka.properties());
    kafkaClient.put("bootstrap.servers", kafka.bootstrapServers());
    Map<String, List<String>> entities = entities(read, section);
    List<ProxyRoute> routes = routes(read, section, entities);
    String topic = read.text(section, ROUTER_TOPIC);
    RouterSettings settings = new RouterSettings(read.text(section, ROUTER_HOST),
        read.integer(section, ROUTER_PORT, 0, 65535), kafkaClient, topic,
        (short) read.integer(section, ROUTER_REPLICATION_FACTOR, -1, Short.MAX_VALUE), entities,
        tokens(read, section), routes, read.integer(section, ROUTER_SHADOW_SAMPLE_SIZE, 0, 10_000),
        gates(read, section, topic));
    return new RouterConfig(file, kafka, settings);
  }

  private static RouterSettings.Gates gates(ConfigReader read, JsonNode router, String routingTopic) {
    JsonNode section = read.section(router, ROUTER_GATES); // absent: every default
    boolean enabled = read.bool(section, ROUTER_GATES_ENABLED);
    String statusTopic = read.text(section, ROUTER_GATES_STATUS_TOPIC).trim();
    if (statusTopic.isEmpty() || statusTopic.equals(routingTopic)) {
      throw read.error(ROUTER_GATES_STATUS_TOPIC.path(), "a topic name other than the routing log's (" + routingTopic
          + ")", statusTopic);
    }
    Duration maxVerificationAge = read.duration(section, ROUTER_GATES_MAX_VERIFICATION_AGE, Duration.ofSeconds(1));
    Duration maxLag = read.duration(section, ROUTER_GATES_MAX_LAG, Duration.ZERO);
    Duration maxLagReportAge = read.duration(section, ROUTER_GATES_MAX_LAG_REPORT_AGE, Duration.ofSeconds(1));
    return new RouterSettings.Gates(enabled, statusTopic, maxVerificationAge, maxLag, maxLagReportAge);
  }

  private static Map<String, List<String>> entities(ConfigReader read, JsonNode section) {
    JsonNode node = read.node(section, ROUTER_ENTITIES);
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw read.error(ROUTER_ENTITIES.path(), "a non-empty map: entity → list of attribute names", node);
    }
    Map<String, List<String>> entities = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : node.properties()) {
      String path = ROUTER_ENTITIES.path() + "." + entry.getKey();
      if (!NAME.matcher(entry.getKey()).matches()) {
        throw read.error(path, "an entity name matching " + NAME.pattern(), entry.getKey());
      }
      JsonNode list = entry.getValue();
      if (list == null || !list.isArray()) {
        throw read.error(path, "a list of attribute names ([] for none)", list);
      }
      List<String> attributes = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        String attribute = read.scalar(path + "[" + i + "]", list.get(i), "an attribute name");
        if (!ATTRIBUTE.matcher(attribute).matches() || attribute.equals("key")) {
          throw read.error(path + "[" + i + "]", "an attribute name matching " + ATTRIBUTE.pattern()
              + " other than 'key' (the cohort key is always available to rules as 'key')", attribute);
        }
        attributes.add(attribute);
      }
      entities.put(entry.getKey(), attributes);
    }
    return entities;
  }

  private static Map<String, RouterSettings.Token> tokens(ConfigReader read, JsonNode section) {
    List<JsonNode> items = read.list(section, ROUTER_TOKENS);
    if (items.isEmpty()) {
      throw read.error(ROUTER_TOKENS.path(), "at least one token (name, role, sha256)", "an empty list");
    }
    Map<String, RouterSettings.Token> tokens = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      String path = ROUTER_TOKENS.path() + "[" + i + "]";
      JsonNode item = read.item(items.get(i), path, "router.tokens[]");
      String name = read.text(item, ROUTER_TOKEN_NAME, path);
      String roleText = read.text(item, ROUTER_TOKEN_ROLE, path);
      Role role;
      try {
        role = Role.valueOf(roleText.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw read.error(path + ".role", "viewer, operator or admin", roleText);
      }
      String hash = read.text(item, ROUTER_TOKEN_SHA256, path).trim();
      if (!hash.matches("[0-9a-f]{64}")) {
        throw read.error(path + ".sha256", "the token's SHA-256: 64 lower-case hex digits", "(hidden)");
      }
      if (tokens.put(hash, new RouterSettings.Token(name, role)) != null) {
        throw read.error(path + ".sha256", "a hash no other token has", "(hidden)");
      }
    }
    return tokens;
  }

  private static List<ProxyRoute> routes(ConfigReader read, JsonNode section, Map<String, List<String>> entities) {
    List<ProxyRoute> routes = new ArrayList<>();
    List<JsonNode> items = read.list(section, ROUTER_PROXY);
    for (int i = 0; i < items.size(); i++) {
      String path = ROUTER_PROXY.path() + "[" + i + "]";
      JsonNode item = read.item(items.get(i), path, "router.proxy[]");
      String entity = read.text(item, ROUTER_PROXY_ENTITY, path);
      if (!entities.containsKey(entity)) {
        throw read.error(path + ".entity", "one of the entities " + entities.keySet(), entity);
      }
      KeySource key;
      String keyText = read.text(item, ROUTER_PROXY_KEY, path);
      try {
        key = KeySource.parse(keyText);
      } catch (IllegalArgumentException e) {
        throw read.error(path + ".key", ROUTER_PROXY_KEY.type() + " (" + e.getMessage() + ")", keyText);
      }
      URI legacy = uri(read, path + ".legacy", read.text(item, ROUTER_PROXY_LEGACY, path));
      URI fresh = uri(read, path + ".new", read.text(item, ROUTER_PROXY_NEW, path));
      List<String> ignore = new ArrayList<>();
      JsonNode ignoreNode = read.node(item, ROUTER_PROXY_IGNORE);
      if (ignoreNode != null) {
        if (!ignoreNode.isArray()) {
          throw read.error(path + ".ignoreFields", ROUTER_PROXY_IGNORE.type(), ignoreNode);
        }
        for (int j = 0; j < ignoreNode.size(); j++) {
          ignore.add(read.scalar(path + ".ignoreFields[" + j + "]", ignoreNode.get(j), "a dotted JSON path"));
        }
      }
      String fallbackText = read.text(item, ROUTER_PROXY_FALLBACK, path).trim();
      if (!fallbackText.equals("true") && !fallbackText.equals("false")) {
        throw read.error(path + ".fallbackToLegacy", "true or false", fallbackText);
      }
      String timeoutText = read.text(item, ROUTER_PROXY_TIMEOUT_MS, path).trim();
      int timeoutMs;
      try {
        timeoutMs = Integer.parseInt(timeoutText);
      } catch (NumberFormatException e) {
        timeoutMs = -1;
      }
      if (timeoutMs < 1 || timeoutMs > 600_000) {
        throw read.error(path + ".timeoutMs", ROUTER_PROXY_TIMEOUT_MS.type(), timeoutText);
      }
      try {
        routes.add(new ProxyRoute(read.text(item, ROUTER_PROXY_PATH, path), entity, key, legacy, fresh, ignore,
            Boolean.parseBoolean(fallbackText), Duration.ofMillis(timeoutMs)));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(read.source(), path, "a valid proxy route", e.getMessage());
      }
    }
    return routes;
  }

  private static URI uri(ConfigReader read, String path, String text) {
    try {
      URI uri = URI.create(text.trim());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw read.error(path, "an http(s) URL with a host", text);
  }

  /** Secrets masked: safe to log. */
  public String masked() {
    RouterSettings s = settings;
    return "RouterConfig[file=" + file + ", kafka=" + kafka + ", listen=" + s.host() + ":" + s.port() + ", topic="
        + s.topic() + ", entities=" + s.entities() + ", tokens=" + s.tokens().values().stream()
        .map(t -> t.name() + "(" + t.role().name().toLowerCase(Locale.ROOT) + ")").toList() + ", proxy routes="
        + s.routes().stream().map(ProxyRoute::pathTemplate).toList() + ", gates=" + (s.gates().enabled()
        ? "on(status topic " + s.gates().statusTopic() + ", verification within " + s.gates().maxVerificationAge()
            + ", lag at most " + s.gates().maxLag() + " reported within " + s.gates().maxLagReportAge() + ")"
        : "off") + "]";
  }

  @Override
  public String toString() {
    return masked();
  }
}
