package io.tandem.app.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Durations;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Placeholders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads from a parsed {@code tandem.yaml}, driven by the {@link ConfigKey} definitions. Every
 * failure is a {@link ConfigException} naming the file, the key path and the expectation; values of
 * secret keys are never echoed.
 */
final class ConfigReader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final String source;
  private final Map<String, String> env;
  private final Path base;

  ConfigReader(Path file, Map<String, String> env) {
    this.source = file.toString();
    this.env = env;
    Path parent = file.toAbsolutePath().normalize().getParent();
    this.base = parent == null ? Path.of("").toAbsolutePath() : parent;
  }

  String source() {
    return source;
  }

  /** The folder relative paths resolve against: the config file's. */
  Path base() {
    return base;
  }

  /** Parses the file; the root must be a map whose keys are known sections. */
  JsonNode root(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException(source, "(file)", "a readable YAML file", "no such file");
    } catch (JsonProcessingException e) {
      // Only the problem and where: YAML errors may quote the offending line, which may hold a secret.
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr();
      String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
      if (problem.contains("Duplicate field")) {
        problem = problem.replaceAll("Duplicate field '([^']*)'.*", "duplicate key '$1'");
      } else {
        problem = "malformed YAML";
      }
      throw new ConfigException(source, "(file)", "valid YAML without duplicate keys", problem + where);
    } catch (IOException e) {
      throw new ConfigException(source, "(file)", "a readable YAML file", e.getMessage());
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(source, "(file)", "a YAML map with the sections " + names(""), "an empty file");
    }
    if (!root.isObject()) {
      throw new ConfigException(source, "(file)", "a YAML map with the sections " + names(""), describe("", root));
    }
    rejectUnknown(root, "");
    return root;
  }

  /** A section (a map) under {@code parent}; null when absent. Its unknown keys are refused. */
  JsonNode section(JsonNode parent, ConfigKey key) {
    JsonNode node = node(parent, key);
    if (node == null) {
      return null;
    }
    if (!node.isObject()) {
      throw error(key.path(), "a section (a map) with the keys " + names(key.path()), node);
    }
    rejectUnknown(node, key.path());
    return node;
  }

  /** The value node of {@code key} in {@code section}; null when absent or empty. */
  JsonNode node(JsonNode section, ConfigKey key) {
    if (section == null) {
      return null;
    }
    JsonNode node = section.get(key.name());
    return node == null || node.isNull() ? null : node;
  }

  /** A string value with placeholders resolved; the default (or null) when absent; an error when required. */
  String text(JsonNode section, ConfigKey key) {
    JsonNode node = node(section, key);
    if (node == null) {
      return missing(key);
    }
    return scalar(key.path(), node, "a string");
  }

  int integer(JsonNode section, ConfigKey key, int min, int max) {
    String expected = "an integer from " + min + " to " + max;
    JsonNode node = node(section, key);
    String text = node == null ? missing(key) : scalar(key.path(), node, expected);
    if (text == null) {
      throw new IllegalStateException(key.path() + " has no default");
    }
    if (node != null && (node.isFloatingPointNumber() || node.isBoolean())) {
      throw error(key.path(), expected, node);
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value < min || value > max) {
        throw error(key.path(), expected, text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw error(key.path(), expected, text);
    }
  }

  /** A boolean: {@code true} or {@code false} (also from a placeholder); the default when absent. */
  boolean bool(JsonNode section, ConfigKey key) {
    JsonNode node = node(section, key);
    String text = node == null ? missing(key) : scalar(key.path(), node, "true or false");
    String value = text == null ? "" : text.trim();
    if (!value.equals("true") && !value.equals("false")) {
      throw error(key.path(), "true or false", node != null ? node : text);
    }
    return Boolean.parseBoolean(value);
  }

  /** A duration ({@link Durations}) of at least {@code min}; the default when absent. */
  java.time.Duration duration(JsonNode section, ConfigKey key, java.time.Duration min) {
    String expected = Durations.SYNTAX + (min.isZero() ? ", not negative" : ", at least " + min.toMillis() + "ms");
    JsonNode node = node(section, key);
    String text = node == null ? missing(key) : scalar(key.path(), node, expected);
    if (node != null && !node.isTextual()) {
      throw error(key.path(), expected, node); // a bare number has no unit
    }
    java.time.Duration value;
    try {
      value = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw error(key.path(), expected, text);
    }
    if (value.compareTo(min) < 0) {
      throw error(key.path(), expected, text);
    }
    return value;
  }

  /** A path; relative ones resolve against the config file's folder. */
  Path path(JsonNode section, ConfigKey key) {
    String text = text(section, key);
    if (text == null) {
      return null;
    }
    if (text.isBlank()) {
      throw error(key.path(), "a file system path", text);
    }
    try {
      return base.resolve(text.trim()).normalize();
    } catch (java.nio.file.InvalidPathException e) {
      throw error(key.path(), "a file system path", text);
    }
  }

  /** A map of names to scalar values (strings, numbers, booleans) with placeholders resolved. */
  Map<String, String> stringMap(JsonNode section, ConfigKey key) {
    JsonNode node = node(section, key);
    if (node == null) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw error(key.path(), "a map of names to values", node);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String path = key.path() + "." + field.getKey();
      if (field.getValue() == null || field.getValue().isNull()) {
        throw error(path, "a value (use \"\" for an empty one)", null);
      }
      values.put(field.getKey(), scalar(path, field.getValue(), "a string, number or boolean"));
    }
    return values;
  }

  /**
   * A scalar as text with placeholders resolved. Numbers and booleans are accepted as their text,
   * except for secrets, which must be strings (YAML would turn {@code 0123} into 123).
   */
  String scalar(String path, JsonNode node, String expected) {
    boolean secret = Secrets.isSecret(path);
    if (node.isTextual()) {
      return resolve(path, node.textValue());
    }
    if (!secret && (node.isNumber() || node.isBoolean())) {
      return node.asText();
    }
    throw error(path, secret ? "a quoted string" : expected, node);
  }

  /** Replaces {@code ${VAR}} (must be set; empty is kept) and {@code ${VAR:-default}} (unset or empty). */
  String resolve(String path, String value) {
    return Placeholders.resolve(source, path, value, env, Secrets.isSecret(path));
  }

  /** An error for {@code path}; {@code actual} (text or a YAML node) is hidden for secrets, URLs are masked. */
  ConfigException error(String path, String expected, Object actual) {
    Object shown = actual instanceof JsonNode node ? describe(path, node)
        : actual == null ? null
        : Secrets.isSecret(path) ? "(hidden)"
        : Secrets.maskUrl(actual.toString());
    return new ConfigException(source, path, expected, shown);
  }

  private String missing(ConfigKey key) {
    if (key.required()) {
      throw new ConfigException(source, key.path(), "a value: " + key.type(), null);
    }
    return key.defaultValue();
  }

  /** The items of a list-valued key; empty when absent. */
  List<JsonNode> list(JsonNode section, ConfigKey key) {
    JsonNode node = node(section, key);
    if (node == null) {
      if (key.required()) {
        throw new ConfigException(source, key.path(), "a value: " + key.type(), null);
      }
      return List.of();
    }
    if (!node.isArray()) {
      throw error(key.path(), key.type(), node);
    }
    List<JsonNode> items = new java.util.ArrayList<>();
    node.forEach(items::add);
    return items;
  }

  /**
   * A list item that must be a map with the keys of {@code template} (e.g. {@code router.tokens[]});
   * errors name the concrete {@code path} (e.g. {@code router.tokens[1]}).
   */
  JsonNode item(JsonNode node, String path, String template) {
    if (node == null || !node.isObject()) {
      throw error(path, "a map with the keys " + names(template), node);
    }
    rejectUnknown(node, template, path);
    return node;
  }

  /** A string value of a list item's key; errors name {@code itemPath.key}. */
  String text(JsonNode item, ConfigKey key, String itemPath) {
    String path = itemPath + "." + key.name();
    JsonNode node = node(item, key);
    if (node == null) {
      if (key.required()) {
        throw new ConfigException(source, path, "a value: " + key.type(), null);
      }
      return key.defaultValue();
    }
    return scalar(path, node, "a string");
  }

  private void rejectUnknown(JsonNode map, String path) {
    rejectUnknown(map, path, path);
  }

  private void rejectUnknown(JsonNode map, String template, String path) {
    List<String> allowed = ConfigKeys.children(template).stream().map(ConfigKey::name).toList();
    Iterator<String> names = map.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String full = path.isEmpty() ? name : path + "." + name;
        String hint = suggestion(name, allowed);
        throw new ConfigException(source, full, "one of the keys " + allowed + (path.isEmpty() ? "" : " of '" + path
            + "'") + (hint == null ? "" : " (did you mean '" + hint + "'?)"), "an unknown key");
      }
    }
  }

  private static String names(String parent) {
    return ConfigKeys.children(parent).stream().map(ConfigKey::name).toList().toString();
  }

  private String describe(String path, JsonNode node) {
    if (node.isObject()) {
      return "a map";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (Secrets.isSecret(path)) {
      return "(hidden)";
    }
    return Secrets.maskUrl(node.asText());
  }

  /** The allowed name closest to a typo: same ignoring case, or at most two edits away. */
  private static String suggestion(String name, List<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : allowed) {
      int distance = candidate.equalsIgnoreCase(name) ? 0
          : distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
