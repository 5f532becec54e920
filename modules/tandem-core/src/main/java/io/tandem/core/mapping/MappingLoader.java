package io.tandem.core.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Reads mapping files ({@code schemas/mappings/*.yaml}). Every mistake is reported with the file,
 * the key path (e.g. {@code fields.status.cast}) and what was expected; unknown keys are mistakes
 * too, so a typo never silently drops a rule.
 *
 * <pre>
 * entity: customer                 # publishes migrated.customer, schema schemas/avro/customer.avsc
 * source: public.customers         # legacy schema.table
 * key: [id]                        # new key fields (re-keying = choosing other fields)
 * fields:
 *   id: { from: cust_id, cast: long }
 *   full_name: name                # shorthand for { from: name }
 *   balance_cents: { from: balance, cast: cents }
 *   status: { from: status_code, cast: enum, values: { A: ACTIVE, C: CLOSED } }
 *   created_at: { from: created_local, cast: utc_instant, zone: Europe/Amsterdam }
 *   country: { default: NL }
 * drop: [legacy_flags]             # legacy columns deliberately not carried over
 * filter:                          # rows failing any condition are not in the new model
 *   - { column: status_code, op: not_in, values: [X] }
 * reverse:                         # what reverse sync (new → legacy) cannot derive; see ReverseMapping
 *   fields:
 *     country: ignore              # a constant: not carried back
 *   columns:
 *     legacy_flags: ""             # NOT NULL legacy column: the value a row inserted from new gets
 *   filter: protect                # legacy rows the filter keeps out are never written from new
 * </pre>
 */
public final class MappingLoader {
  private static final Set<String> TOP_LEVEL = Set.of("entity", "source", "key", "fields", "drop", "filter",
      "reverse", "pii", "join", "legacy", "merge");
  private static final Set<String> MERGE_KEYS = Set.of("match", "prefer", "fillNulls", "onDuplicate");
  private static final Set<String> JOIN_KEYS = Set.of("table", "column", "references");
  private static final Set<String> PII_KEYS = Set.of("hash_key_env");
  /** The environment variable holding the HMAC key of {@code protect: hash}, unless {@code pii.hash_key_env} names another. */
  public static final String DEFAULT_HASH_KEY_ENV = "TANDEM_PII_HASH_KEY";
  private static final Set<String> REVERSE_KEYS = Set.of("key", "fields", "columns", "filter");
  private static final Set<String> FIELD_KEYS = Set.of("from", "expr", "cast", "values", "zone", "scale",
      "default", "sensitive", "protect");
  private static final Set<String> FILTER_KEYS = Set.of("column", "op", "values", "when");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private MappingLoader() {}

  /** All {@code *.yaml} / {@code *.yml} files of a folder, sorted by name. */
  public static List<Mapping> loadAll(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new ConfigException(folder.toString(), "(folder)", "a folder of mapping files", "no such folder");
    }
    try (Stream<Path> files = Files.list(folder)) {
      List<Mapping> mappings = new ArrayList<>();
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
        mappings.add(load(file));
      }
      return mappings;
    } catch (IOException e) {
      throw new ConfigException(folder.toString(), "(folder)", "a readable folder", e.getMessage());
    }
  }

  public static Mapping load(Path file) {
    String source = file.toString();
    JsonNode root;
    try {
      root = YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException(source, "(file)", "valid YAML", e.getMessage().lines().findFirst().orElse(""));
    }
    return parse(source, root, System::getenv);
  }

  public static Mapping parse(String source, String yaml) {
    return parse(source, yaml, System::getenv);
  }

  /** As {@link #parse(String, String)}, with {@code environment} in place of the process environment. */
  public static Mapping parse(String source, String yaml, Function<String, String> environment) {
    try {
      return parse(source, YAML.readTree(yaml), environment);
    } catch (IOException e) {
      throw new ConfigException(source, "(file)", "valid YAML", e.getMessage().lines().findFirst().orElse(""));
    }
  }

  private static Mapping parse(String source, JsonNode root, Function<String, String> environment) {
    if (root == null || !root.isObject()) {
      throw new ConfigException(source, "(file)", "a YAML mapping with entity, source, key and fields", root);
    }
    rejectUnknown(source, "", root, TOP_LEVEL);
    String entity = identifier(source, "entity", root.get("entity"));
    String table = text(source, "source", root.get("source"), "the legacy table as <schema>.<table>");
    if (!table.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
      throw new ConfigException(source, "source", "the legacy table as <schema>.<table>", table);
    }
    JsonNode fieldsNode = root.get("fields");
    if (fieldsNode == null || !fieldsNode.isObject() || fieldsNode.isEmpty()) {
      throw new ConfigException(source, "fields", "a map of new field name → rule", fieldsNode);
    }
    Supplier<Protection.HashKey> hashKey = hashKey(source, root.get("pii"), environment);
    List<FieldRule> rules = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> fields = fieldsNode.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      rules.add(fieldRule(source, field.getKey(), field.getValue(), hashKey));
    }
    List<String> keys = stringList(source, "key", root.get("key"), true);
    for (String key : keys) {
      if (rules.stream().noneMatch(r -> r.target().equals(key))) {
        throw new ConfigException(source, "key", "names of fields defined under 'fields'", key);
      }
    }
    List<String> dropped = stringList(source, "drop", root.get("drop"), false);
    List<RowFilter> filters = new ArrayList<>();
    JsonNode filterNode = root.get("filter");
    if (filterNode != null && !filterNode.isNull()) {
      if (!filterNode.isArray()) {
        throw new ConfigException(source, "filter", "a list of { column, op, values } or { when }", filterNode);
      }
      for (int i = 0; i < filterNode.size(); i++) {
        filters.add(filter(source, "filter[" + i + "]", filterNode.get(i)));
      }
    }
    ReverseSpec reverse = reverse(source, root.get("reverse"));
    for (String field : reverse.ignoredFields()) {
      requireField(source, rules, "reverse.fields." + field, field);
    }
    for (String field : reverse.enumInverses().keySet()) {
      requireField(source, rules, "reverse.fields." + field, field);
    }
    List<Join> joins = joins(source, table, root.get("join"));
    String legacySource = root.has("legacy") ? identifier(source, "legacy", root.get("legacy"))
        : MergeRule.PRIMARY_SOURCE;
    MergeRule merge = merge(source, root.get("merge"));
    if (merge != null && !merge.prefer().contains(legacySource)) {
      throw new ConfigException(source, "merge.prefer", "a list naming this mapping's own source '" + legacySource
          + "' too", merge.prefer());
    }
    if ((merge != null || !legacySource.equals(MergeRule.PRIMARY_SOURCE)) && !joins.isEmpty()) {
      throw new ConfigException(source, "join", "no join in a merged entity's mapping (not supported)", "join");
    }
    return new Mapping(source, entity, table, keys, rules, dropped, filters, reverse, Fingerprint.of(root.toString()),
        joins).withSource(legacySource, merge);
  }

  private static MergeRule merge(String source, JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new ConfigException(source, "merge", "a map with match, prefer, fillNulls and onDuplicate", node);
    }
    rejectUnknown(source, "merge.", node, MERGE_KEYS);
    String text = text(source, "merge.match", node.get("match"), "a CEL expression over the new fields");
    Expression match;
    try {
      match = Expression.compile(text, false);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source, "merge.match", "a CEL expression over the new fields", e.getMessage());
    }
    List<String> prefer = stringList(source, "merge.prefer", node.get("prefer"), true);
    if (prefer.size() < 2 || new java.util.HashSet<>(prefer).size() != prefer.size()) {
      throw new ConfigException(source, "merge.prefer", "the sources feeding the entity (two or more, each once),"
          + " most trusted first", prefer);
    }
    for (String name : prefer) {
      if (!name.matches("[a-z][a-z0-9_]*")) {
        throw new ConfigException(source, "merge.prefer", "source names of lower-case letters, digits and _", name);
      }
    }
    JsonNode fill = node.get("fillNulls");
    if (fill != null && !fill.isBoolean()) {
      throw new ConfigException(source, "merge.fillNulls", "true or false", fill);
    }
    JsonNode onDuplicate = node.get("onDuplicate");
    MergeRule.OnDuplicate mode = MergeRule.OnDuplicate.MERGE;
    if (onDuplicate != null && !onDuplicate.isNull()) {
      if (!onDuplicate.isTextual() || !Set.of("merge", "report").contains(onDuplicate.asText())) {
        throw new ConfigException(source, "merge.onDuplicate", "merge or report", onDuplicate);
      }
      mode = MergeRule.OnDuplicate.valueOf(onDuplicate.asText().toUpperCase(java.util.Locale.ROOT));
    }
    return new MergeRule(match, prefer, fill != null && fill.asBoolean(), mode);
  }

  private static List<Join> joins(String source, String parentTable, JsonNode node) {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isObject() || node.isEmpty() || node.size() > Join.MAX_JOINS) {
      throw new ConfigException(source, "join", "a map of 1 to " + Join.MAX_JOINS
          + " list name → { table, column, references }", node);
    }
    List<Join> joins = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      String path = "join." + entry.getKey();
      if (!entry.getKey().matches("[a-z][a-z0-9_]*")) {
        throw new ConfigException(source, "join", "list names of lower-case letters, digits and _", entry.getKey());
      }
      JsonNode spec = entry.getValue();
      if (spec == null || !spec.isObject()) {
        throw new ConfigException(source, path, "{ table, column, references }", spec);
      }
      rejectUnknown(source, path + ".", spec, JOIN_KEYS);
      String table = text(source, path + ".table", spec.get("table"), "the child table as <schema>.<table>");
      if (!table.matches("[A-Za-z_][A-Za-z0-9_$]*\\.[A-Za-z_][A-Za-z0-9_$]*")) {
        throw new ConfigException(source, path + ".table", "the child table as <schema>.<table>", table);
      }
      if (table.equals(parentTable) || joins.stream().anyMatch(j -> j.table().equals(table))) {
        throw new ConfigException(source, path + ".table", "a table other than the source and the other joins'",
            table);
      }
      String references = text(source, path + ".references", spec.get("references"),
          "the parent column it holds (unique)");
      if (!joins.isEmpty() && !joins.get(0).references().equals(references)) {
        // The joined tables are keyed by the referenced value: one value for all of them.
        throw new ConfigException(source, path + ".references", "the parent column the other joins reference ('"
            + joins.get(0).references() + "')", references);
      }
      joins.add(new Join(entry.getKey(), table,
          text(source, path + ".column", spec.get("column"), "the child column holding the parent's value"),
          references));
    }
    return joins;
  }

  private static void requireField(String source, List<FieldRule> rules, String path, String field) {
    if (rules.stream().noneMatch(r -> r.target().equals(field))) {
      throw new ConfigException(source, path, "a field defined under 'fields'", field);
    }
  }

  private static ReverseSpec reverse(String source, JsonNode node) {
    if (node == null || node.isNull()) {
      return ReverseSpec.none();
    }
    if (!node.isObject()) {
      throw new ConfigException(source, "reverse", "a map with key, fields, columns or filter", node);
    }
    rejectUnknown(source, "reverse.", node, REVERSE_KEYS);
    List<String> legacyKey = stringList(source, "reverse.key", node.get("key"), false);
    Set<String> ignored = new java.util.LinkedHashSet<>();
    Map<String, Map<String, String>> inverses = new LinkedHashMap<>();
    JsonNode fields = node.get("fields");
    if (fields != null && !fields.isNull()) {
      if (!fields.isObject()) {
        throw new ConfigException(source, "reverse.fields", "a map of new field → ignore | { values: ... }", fields);
      }
      Iterator<Map.Entry<String, JsonNode>> entries = fields.fields();
      while (entries.hasNext()) {
        Map.Entry<String, JsonNode> entry = entries.next();
        String path = "reverse.fields." + entry.getKey();
        JsonNode value = entry.getValue();
        if (value.isTextual() && value.asText().equals("ignore")) {
          ignored.add(entry.getKey());
        } else if (value.isObject() && value.size() == 1 && value.get("values") != null && value.get("values").isObject()) {
          Map<String, String> codes = new LinkedHashMap<>();
          value.get("values").fields().forEachRemaining(e -> codes.put(e.getKey(), e.getValue().asText()));
          inverses.put(entry.getKey(), codes);
        } else {
          throw new ConfigException(source, path, "'ignore' or { values: { <symbol>: <legacy code> } }", value);
        }
      }
    }
    Map<String, Object> insertValues = new LinkedHashMap<>();
    JsonNode columns = node.get("columns");
    if (columns != null && !columns.isNull()) {
      if (!columns.isObject()) {
        throw new ConfigException(source, "reverse.columns", "a map of legacy column → value for rows inserted from new",
            columns);
      }
      columns.fields().forEachRemaining(e -> insertValues.put(e.getKey(),
          scalar(source, "reverse.columns." + e.getKey(), e.getValue())));
    }
    boolean protect = false;
    JsonNode filter = node.get("filter");
    if (filter != null && !filter.isNull()) {
      if (!filter.isTextual() || !filter.asText().equals("protect")) {
        throw new ConfigException(source, "reverse.filter", "'protect'", filter);
      }
      protect = true;
    }
    return new ReverseSpec(legacyKey, ignored, inverses, insertValues, protect);
  }

  /**
   * The HMAC key of {@code protect: hash}, read only when a field asks for it. The key itself never
   * appears in an error (only the variable's name and the key's length do).
   */
  private static Supplier<Protection.HashKey> hashKey(String source, JsonNode pii, Function<String, String> environment) {
    String variable = DEFAULT_HASH_KEY_ENV;
    if (pii != null && !pii.isNull()) {
      if (!pii.isObject()) {
        throw new ConfigException(source, "pii", "a map with hash_key_env", pii);
      }
      rejectUnknown(source, "pii.", pii, PII_KEYS);
      if (pii.has("hash_key_env")) {
        variable = text(source, "pii.hash_key_env", pii.get("hash_key_env"), "the name of an environment variable");
        if (!variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new ConfigException(source, "pii.hash_key_env", "the name of an environment variable", variable);
        }
      }
    }
    String name = variable;
    Protection.HashKey[] loaded = new Protection.HashKey[1];
    return () -> {
      if (loaded[0] == null) {
        String secret = environment.apply(name);
        if (secret == null || secret.length() < Protection.HashKey.MIN_LENGTH) {
          throw new ConfigException(source, "pii.hash_key_env", "environment variable " + name + " set to the secret"
              + " HMAC key of 'protect: hash' (at least " + Protection.HashKey.MIN_LENGTH + " characters)",
              secret == null ? "not set" : "a key of " + secret.length() + " characters");
        }
        loaded[0] = new Protection.HashKey(name, secret);
      }
      return loaded[0];
    };
  }

  private static FieldRule fieldRule(String source, String target, JsonNode node, Supplier<Protection.HashKey> hashKey) {
    String path = "fields." + target;
    if (!target.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      throw new ConfigException(source, path, "a field name of letters, digits and _ (an Avro name)", target);
    }
    if (node.isTextual()) {
      return FieldRule.copy(target, node.asText());
    }
    if (!node.isObject()) {
      throw new ConfigException(source, path, "a legacy column name or { from, cast, default, ... }", node);
    }
    rejectUnknown(source, path + ".", node, FIELD_KEYS);
    String from = node.has("from") ? text(source, path + ".from", node.get("from"), "a legacy column name") : null;
    Expression expression = null;
    if (node.has("expr")) {
      if (from != null) {
        throw new ConfigException(source, path + ".expr", "either 'from' or 'expr', not both", "both");
      }
      String text = text(source, path + ".expr", node.get("expr"), "a CEL expression over legacy columns");
      try {
        expression = Expression.compile(text, false);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source, path + ".expr", "a CEL expression over legacy columns", e.getMessage());
      }
    }
    boolean hasDefault = node.has("default");
    if (from == null && expression == null && !hasDefault) {
      throw new ConfigException(source, path, "'from' (a legacy column), 'expr' or a 'default' value", "none");
    }
    boolean sensitive = false;
    if (node.has("sensitive")) {
      if (!node.get("sensitive").isBoolean()) {
        throw new ConfigException(source, path + ".sensitive", "true or false", node.get("sensitive"));
      }
      sensitive = node.get("sensitive").asBoolean();
    }
    Protection protection = Protection.NONE;
    Protection.HashKey key = null;
    if (node.has("protect")) {
      String raw = node.get("protect").asText();
      protection = Protection.parse(raw).filter(p -> p != Protection.NONE).orElseThrow(() -> new ConfigException(source,
          path + ".protect", "one of mask, hash, drop", raw));
      if (protection == Protection.HASH) {
        key = hashKey.get();
      }
    }
    Cast cast = Cast.NONE;
    if (node.has("cast")) {
      String raw = node.get("cast").asText();
      cast = Cast.parse(raw).orElseThrow(() -> new ConfigException(source, path + ".cast",
          "one of " + Arrays.toString(Cast.values()).toLowerCase(), raw));
    }
    Map<String, String> values = new LinkedHashMap<>();
    if (cast == Cast.ENUM) {
      JsonNode valuesNode = node.get("values");
      if (valuesNode == null || !valuesNode.isObject() || valuesNode.isEmpty()) {
        throw new ConfigException(source, path + ".values", "a map of legacy code → enum symbol (cast: enum needs it)",
            valuesNode);
      }
      valuesNode.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asText()));
    } else if (node.has("values")) {
      throw new ConfigException(source, path + ".values", "no 'values' unless cast is enum", node.get("values"));
    }
    ZoneId zone = null;
    if (node.has("zone")) {
      try {
        zone = ZoneId.of(node.get("zone").asText());
      } catch (DateTimeException e) {
        throw new ConfigException(source, path + ".zone", "a time zone id such as Europe/Amsterdam or UTC",
            node.get("zone").asText());
      }
    } else if (cast == Cast.UTC_INSTANT) {
      throw new ConfigException(source, path + ".zone", "the legacy time zone (cast: utc_instant needs it)", null);
    }
    int scale = 0;
    if (node.has("scale")) {
      if (!node.get("scale").canConvertToInt() || node.get("scale").asInt() < 0) {
        throw new ConfigException(source, path + ".scale", "a non-negative whole number", node.get("scale"));
      }
      scale = node.get("scale").asInt();
    } else if (cast == Cast.DECIMAL) {
      throw new ConfigException(source, path + ".scale", "the number of decimal places (cast: decimal needs it)", null);
    }
    Object defaultValue = hasDefault ? scalar(source, path + ".default", node.get("default")) : null;
    return new FieldRule(target, from, cast, values, zone, scale, hasDefault, defaultValue, expression, protection,
        key, sensitive);
  }

  private static Object scalar(String source, String path, JsonNode node) {
    if (node.isNull()) {
      return null;
    }
    if (node.isBoolean()) {
      return node.asBoolean();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToInt() ? (Object) node.asInt() : (Object) node.asLong();
    }
    if (node.isNumber()) {
      return node.asDouble();
    }
    if (node.isTextual()) {
      return node.asText();
    }
    throw new ConfigException(source, path, "a single value (text, number, boolean or null)", node);
  }

  private static RowFilter filter(String source, String path, JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new ConfigException(source, path, "{ column, op, values }", node);
    }
    rejectUnknown(source, path + ".", node, FILTER_KEYS);
    if (node.has("when")) {
      if (node.size() != 1) {
        throw new ConfigException(source, path, "either { when } or { column, op, values }", node);
      }
      String text = text(source, path + ".when", node.get("when"), "a CEL condition over legacy columns");
      try {
        return RowFilter.when(Expression.compile(text, true));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source, path + ".when", "a CEL condition (true keeps the row) over legacy columns",
            e.getMessage());
      }
    }
    String column = text(source, path + ".column", node.get("column"), "a legacy column name");
    String rawOp = text(source, path + ".op", node.get("op"), "one of equals, not_equals, in, not_in, is_null, not_null");
    RowFilter.Op op = RowFilter.Op.parse(rawOp).orElseThrow(() -> new ConfigException(source, path + ".op",
        "one of equals, not_equals, in, not_in, is_null, not_null", rawOp));
    List<String> values = stringList(source, path + ".values", node.get("values"), false);
    boolean needsValues = op != RowFilter.Op.IS_NULL && op != RowFilter.Op.NOT_NULL;
    if (needsValues && values.isEmpty()) {
      throw new ConfigException(source, path + ".values", "at least one value for op " + rawOp, null);
    }
    return new RowFilter(column, op, values);
  }

  private static void rejectUnknown(String source, String prefix, JsonNode node, Set<String> allowed) {
    node.fieldNames().forEachRemaining(name -> {
      if (!allowed.contains(name)) {
        throw new ConfigException(source, prefix + name, "one of " + new java.util.TreeSet<>(allowed), "unknown key");
      }
    });
  }

  private static String identifier(String source, String key, JsonNode node) {
    String value = text(source, key, node, "a name of lower-case letters, digits and _");
    if (!value.matches("[a-z][a-z0-9_]*")) {
      throw new ConfigException(source, key, "a name of lower-case letters, digits and _", value);
    }
    return value;
  }

  private static String text(String source, String key, JsonNode node, String expected) {
    if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
      throw new ConfigException(source, key, expected, node == null ? null : node.toString());
    }
    return node.asText().trim();
  }

  private static List<String> stringList(String source, String key, JsonNode node, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        throw new ConfigException(source, key, "a list of field names", null);
      }
      return List.of();
    }
    List<String> values = new ArrayList<>();
    if (node.isValueNode()) {
      values.add(node.asText());
    } else if (node.isArray()) {
      node.forEach(v -> values.add(v.asText()));
    } else {
      throw new ConfigException(source, key, "a list of names", node);
    }
    if (required && values.isEmpty()) {
      throw new ConfigException(source, key, "at least one field name", "an empty list");
    }
    return values;
  }
}
