package io.tandem.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A section of a YAML configuration file, read through the {@link ConfigSchema}: typed values from
 * {@link Setting}s, defaults, placeholders ({@code ${VAR}}, {@code ${VAR:-default}}) resolved from the
 * environment, unknown keys refused with a suggestion. Every failure is a {@link ConfigException} naming
 * the file, the key path and the expectation; values of secret keys are never echoed, URLs are masked.
 * An absent section reads as empty: every setting takes its default.
 */
public final class ConfigSection {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** What every section of one file shares. */
  private record File(String source, Map<String, String> env, Path base, ConfigSchema schema) {}

  private final File file;
  private final String path;
  private final String template;
  private final JsonNode node;

  private ConfigSection(File file, String path, String template, JsonNode node) {
    this.file = file;
    this.path = path;
    this.template = template;
    this.node = node;
  }

  /**
   * Parses {@code file}; the root must be a map whose keys the schema knows.
   *
   * @param env resolves placeholders (usually {@code System.getenv()})
   */
  public static ConfigSection load(Path file, Map<String, String> env, ConfigSchema schema) {
    Path parent = file.toAbsolutePath().normalize().getParent();
    File context = new File(file.toString(), Map.copyOf(env), parent == null ? Path.of("").toAbsolutePath() : parent,
        schema);
    String source = context.source();
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
    ConfigSection section = new ConfigSection(context, "", "", root);
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw new ConfigException(source, "(file)", "a YAML map with the sections " + schema.names(""), "an empty file");
    }
    if (!root.isObject()) {
      throw new ConfigException(source, "(file)", "a YAML map with the sections " + schema.names(""),
          section.describe("", root));
    }
    section.rejectUnknown(root, "", "");
    return section;
  }

  /** Where the file came from, as given. */
  public String source() {
    return file.source();
  }

  /** The folder relative paths resolve against: the config file's. */
  public Path base() {
    return file.base();
  }

  /** This section's concrete path ({@code ""} for the root, {@code router.tokens[1]} for a list item). */
  public String path() {
    return path;
  }

  /** Whether the section is in the file (an absent one reads as empty). */
  public boolean present() {
    return node != null;
  }

  /** The child section {@code definition} (a {@link Section}, or a setting whose value may be a map). */
  public ConfigSection section(ConfigDefinition definition) {
    JsonNode child = node(definition);
    String childPath = child(definition.name());
    if (child != null) {
      if (!child.isObject()) {
        throw error(childPath, "a section (a map) with the keys " + file.schema().names(definition.path()), child);
      }
      rejectUnknown(child, definition.path(), childPath);
    }
    return new ConfigSection(file, childPath, definition.path(), child);
  }

  /** {@code definition} as an absent section: every setting takes its default. */
  public ConfigSection empty(ConfigDefinition definition) {
    return new ConfigSection(file, child(definition.name()), definition.path(), null);
  }

  /** The value of {@code setting}: from the file, else its default; a missing required one is an error. */
  public <T> T get(Setting<T> setting) {
    String concrete = child(setting.name());
    JsonNode value = node(setting);
    if (value == null) {
      if (setting.required()) {
        throw new ConfigException(source(), concrete, "a value: " + setting.type(), null);
      }
      return setting.readDefault(this, concrete);
    }
    return setting.read(this, concrete, value);
  }

  /** The raw value node of {@code definition}; null when absent or empty. */
  public JsonNode node(ConfigDefinition definition) {
    if (node == null) {
      return null;
    }
    JsonNode value = node.get(definition.name());
    return value == null || value.isNull() ? null : value;
  }

  /**
   * The items of a list of maps ({@code router.tokens}); each item's keys are those of {@code template}
   * ({@code router.tokens[]}), and errors name the item ({@code router.tokens[1].role}).
   */
  public List<ConfigSection> items(String concretePath, JsonNode list, Section template) {
    List<ConfigSection> items = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String itemPath = concretePath + "[" + i + "]";
      JsonNode item = list.get(i);
      if (item == null || !item.isObject()) {
        throw error(itemPath, "a map with the keys " + file.schema().names(template.path()), item);
      }
      rejectUnknown(item, template.path(), itemPath);
      items.add(new ConfigSection(file, itemPath, template.path(), item));
    }
    return items;
  }

  /** A map of names to scalars (strings, numbers, booleans) as text, placeholders resolved. */
  public Map<String, String> stringMap(String valuePath, JsonNode value) {
    if (!value.isObject()) {
      throw error(valuePath, "a map of names to values", value);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : value.properties()) {
      String entryPath = valuePath + "." + field.getKey();
      if (field.getValue() == null || field.getValue().isNull()) {
        throw error(entryPath, "a value (use \"\" for an empty one)", null);
      }
      values.put(field.getKey(), scalar(entryPath, field.getValue(), "a string, number or boolean"));
    }
    return values;
  }

  /**
   * A scalar as text with placeholders resolved. Numbers and booleans are accepted as their text,
   * except for secrets, which must be strings (YAML would turn {@code 0123} into 123).
   */
  public String scalar(String valuePath, JsonNode value, String expected) {
    boolean secret = Secrets.isSecretPath(valuePath);
    if (value.isTextual()) {
      return resolve(valuePath, value.textValue());
    }
    if (!secret && (value.isNumber() || value.isBoolean())) {
      return value.asText();
    }
    throw error(valuePath, secret ? "a quoted string" : expected, value);
  }

  /** Replaces {@code ${VAR}} (must be set; empty is kept) and {@code ${VAR:-default}} (unset or empty). */
  public String resolve(String valuePath, String value) {
    return Placeholders.resolve(source(), valuePath, value, file.env(), Secrets.isSecretPath(valuePath));
  }

  /** An error for {@code valuePath}; {@code actual} (text or a YAML node) is hidden for secrets, URLs masked. */
  public ConfigException error(String valuePath, String expected, Object actual) {
    Object shown = actual instanceof JsonNode value ? describe(valuePath, value)
        : actual == null ? null
        : Secrets.isSecretPath(valuePath) ? "(hidden)"
        : Secrets.maskUrl(actual.toString());
    return new ConfigException(source(), valuePath, expected, shown);
  }

  /** The concrete path of a key of this section. */
  public String child(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private void rejectUnknown(JsonNode map, String templatePath, String concretePath) {
    List<String> allowed = file.schema().names(templatePath);
    Iterator<String> names = map.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        String full = concretePath.isEmpty() ? name : concretePath + "." + name;
        String hint = suggestion(name, allowed);
        throw new ConfigException(source(), full, "one of the keys " + allowed + (concretePath.isEmpty() ? ""
            : " of '" + concretePath + "'") + (hint == null ? "" : " (did you mean '" + hint + "'?)"),
            "an unknown key");
      }
    }
  }

  private String describe(String valuePath, JsonNode value) {
    if (value.isObject()) {
      return "a map";
    }
    if (value.isArray()) {
      return "a list";
    }
    if (Secrets.isSecretPath(valuePath)) {
      return "(hidden)";
    }
    return Secrets.maskUrl(value.asText());
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

  @Override
  public String toString() {
    return "ConfigSection[" + source() + ":" + (path.isEmpty() ? "(root)" : path) + (template.equals(path) ? ""
        : " as " + template) + "]";
  }
}
