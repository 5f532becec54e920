package io.tandem.verify;

import io.tandem.core.mapping.Cast;
import io.tandem.core.mapping.FieldRule;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.model.EntitySchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.Schema;

/**
 * How one entity is verified: the legacy table read in primary-key order, the new table's canonical
 * columns, and the SQL for both. When the new key is an order-preserving copy of the legacy primary
 * key (integer columns copied or cast to int/long) the entity is <em>aligned</em>: a legacy key range
 * is the same new key range, compared chunk by chunk. Any other key (text, UUID, composite in another
 * order, computed) is compared by key buckets: both sides grouped by a hash of the new key's canonical
 * text ({@link #bucketOf}), computed in Java for the mapped legacy rows and in SQL by the new database.
 */
final class EntityPlan {
  private static final Set<Cast> ORDER_PRESERVING = EnumSet.of(Cast.NONE, Cast.INT, Cast.LONG);
  /** Key buckets of an unaligned entity: a power of two, so a bucket is the hash's low bits. */
  static final int BUCKETS = 1024;
  /** Field kinds whose canonical text casts back to the column's own type (an index can serve the look-up). */
  private static final Set<FieldForm.Kind> CASTS_BACK = EnumSet.of(FieldForm.Kind.INT, FieldForm.Kind.LONG,
      FieldForm.Kind.STRING, FieldForm.Kind.ENUM, FieldForm.Kind.DECIMAL, FieldForm.Kind.BOOLEAN);

  final Mapping mapping;
  final EntitySchema schema;
  final String legacyTable;
  final String newTable;
  final List<String> legacyKeyColumns;
  final List<LegacyValues.Wire> legacyKeyWires;
  final List<FieldForm> fields;
  final int[] keyFieldIndexes;
  private final String newKeyTuple;
  private final String rowHashSql;
  private final boolean[] nullable;
  private final String canonicalSelect;
  private final java.util.Map<String, Integer> fieldIndexes = new java.util.HashMap<>();

  final LegacyDialect dialect;
  private final java.util.Map<String, LegacyValues.Wire> legacyColumns;
  /** Whether the new key is the legacy primary key in order (chunks by key range), else key buckets. */
  final boolean aligned;
  /** Why an entity is not aligned (for a repair's advice), null when it is. */
  final String unalignedReason;
  /** The mapping's joined child tables ({@code join:}); empty for a one-table mapping. */
  final JoinedChildren children;
  private final String keyTextSql;
  private final String newByKeyTextSql;

  private EntityPlan(LegacyDialect dialect, Mapping mapping, EntitySchema schema, String newTable,
      List<String> legacyKeyColumns, List<LegacyValues.Wire> legacyKeyWires,
      java.util.Map<String, LegacyValues.Wire> legacyColumns, NewColumns newColumns, String unalignedReason,
      JoinedChildren children) {
    this.children = children;
    this.aligned = unalignedReason == null;
    this.unalignedReason = unalignedReason;
    this.dialect = dialect;
    this.legacyColumns = java.util.Map.copyOf(legacyColumns);
    this.mapping = mapping;
    this.schema = schema;
    this.legacyTable = dialect.qualified(mapping.sourceTable());
    this.newTable = qualified(newTable);
    this.legacyKeyColumns = List.copyOf(legacyKeyColumns);
    this.legacyKeyWires = List.copyOf(legacyKeyWires);
    List<FieldForm> forms = new ArrayList<>();
    for (Schema.Field field : schema.valueSchema().getFields()) {
      forms.add(FieldForm.of(field));
    }
    this.fields = List.copyOf(forms);
    for (int i = 0; i < forms.size(); i++) {
      fieldIndexes.put(forms.get(i).name(), i);
    }
    this.keyFieldIndexes = mapping.keyFields().stream()
        .mapToInt(key -> indexOf(forms, key)).toArray();
    List<String> canonical = forms.stream().map(f -> f.sql(quote(f.name()))).toList();
    this.nullable = new boolean[forms.size()];
    for (int i = 0; i < forms.size(); i++) {
      nullable[i] = newColumns.nullable.getOrDefault(forms.get(i).name(), true);
    }
    this.rowHashSql = RowHash.sql(forms, forms.stream().map(f -> quote(f.name())).toList(), nullable);
    this.canonicalSelect = String.join(", ", canonical);
    this.newKeyTuple = "(" + mapping.keyFields().stream().map(EntityPlan::quote).collect(Collectors.joining(", "))
        + ")";
    List<String> keyTexts = new ArrayList<>();
    List<String> keyMatches = new ArrayList<>();
    for (int index : keyFieldIndexes) {
      FieldForm form = forms.get(index);
      String column = quote(form.name());
      keyTexts.add(form.sql(column));
      String type = newColumns.types.get(form.name());
      keyMatches.add(CASTS_BACK.contains(form.kind()) && type != null ? column + " = CAST(? AS " + type + ")"
          : form.sql(column) + " = ?");
    }
    this.keyTextSql = String.join(" || ',' || ", keyTexts);
    this.newByKeyTextSql = "SELECT " + canonicalSelect + " FROM " + this.newTable + " WHERE "
        + String.join(" AND ", keyMatches);
  }

  /** The new table's columns: which may hold null, and each one's SQL type. */
  private record NewColumns(java.util.Map<String, Boolean> nullable, java.util.Map<String, String> types) {}

  /** Reads the legacy primary key and checks the mapping can be verified chunk by chunk. */
  static EntityPlan prepare(Connection legacy, Connection fresh, Mapping mapping, EntitySchema schema,
      String newTable) throws SQLException {
    LegacyDialect dialect = LegacyDialect.of(legacy);
    List<String> columns = new ArrayList<>();
    List<LegacyValues.Wire> wires = new ArrayList<>();
    java.util.Map<String, LegacyValues.Wire> all;
    try {
      dialect.primaryKey(legacy, mapping.sourceTable()).forEach((column, wire) -> {
        columns.add(column);
        wires.add(wire);
      });
      all = dialect.columns(legacy, mapping.sourceTable());
    } catch (SQLException e) {
      throw new VerifyException("mapping " + mapping.name() + ": cannot read the primary key of legacy table "
          + mapping.sourceTable() + ": " + e.getMessage());
    }
    try {
      mapping.typeCheck(LegacyValues.expressionTypes(all));
    } catch (io.tandem.core.config.ConfigException e) {
      throw new VerifyException(e.getMessage());
    }
    if (columns.isEmpty()) {
      throw new VerifyException("mapping " + mapping.name() + ": legacy table " + mapping.sourceTable()
          + " has no primary key; verification reads it in primary-key order");
    }
    String unalignedReason = unalignedReason(mapping, columns, wires);
    JoinedChildren children = JoinedChildren.describe(legacy, dialect, mapping, all);
    java.util.Map<String, Boolean> nullable = new java.util.HashMap<>();
    java.util.Map<String, String> types = new java.util.HashMap<>();
    try (PreparedStatement statement = fresh.prepareStatement(
        "SELECT attname, NOT attnotnull, format_type(atttypid, atttypmod) FROM pg_attribute"
            + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped")) {
      statement.setString(1, qualified(newTable));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          nullable.put(rows.getString(1), rows.getBoolean(2));
          types.put(rows.getString(1), rows.getString(3));
        }
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + schema.entity() + ": cannot read new table " + newTable + ": "
          + e.getMessage());
    }
    return new EntityPlan(dialect, mapping, schema, newTable, columns, wires, all, new NewColumns(nullable, types),
        unalignedReason, children);
  }


  /** Why the new key is not the legacy primary key's integers in order, or null when it is. */
  private static String unalignedReason(Mapping mapping, List<String> columns, List<LegacyValues.Wire> wires) {
    List<String> keyFields = mapping.keyFields();
    String prefix = "its new key is not the legacy primary key " + columns + " in the same order: ";
    if (keyFields.size() != columns.size()) {
      return prefix + "it has " + keyFields.size() + " key field(s), the table " + columns.size()
          + " primary-key column(s)";
    }
    for (int i = 0; i < columns.size(); i++) {
      FieldRule rule = mapping.fields().get(keyFields.get(i));
      if (rule.expression() != null || rule.protection() != io.tandem.core.mapping.Protection.NONE
          || !columns.get(i).equals(rule.from())) {
        return prefix + "key field '" + keyFields.get(i) + "' does not copy primary-key column '" + columns.get(i)
            + "'";
      }
      LegacyValues.Wire wire = wires.get(i);
      if ((wire != LegacyValues.Wire.INT && wire != LegacyValues.Wire.LONG) || !ORDER_PRESERVING.contains(rule.cast())) {
        return prefix + "key column '" + columns.get(i) + "' is not an integer copied or cast to int/long";
      }
    }
    return null;
  }

  /**
   * The key bucket of a new key's canonical text: PostgreSQL's {@code hashtextextended(text, 0)}, low
   * ten bits, as {@link #newBucketHashSql} computes it in the new database.
   */
  static int bucketOf(String keyText) {
    byte[] bytes = keyText.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return (int) (PgHash.hashExtended(bytes, bytes.length) & (BUCKETS - 1));
  }

  private String bucketSql() {
    return "(hashtextextended(" + keyTextSql + ", 0) & " + (BUCKETS - 1) + ")::int";
  }

  /** Per key bucket of the new table: bucket, row count and the sum of row hashes. */
  String newBucketHashSql() {
    return "SELECT b, count(*), coalesce(sum(h), 0)::text FROM (SELECT " + bucketSql() + " AS b, " + rowHashSql
        + " AS h FROM " + newTable + ") s GROUP BY b";
  }

  /** The canonical text of every field of the new rows whose key is in one of the buckets bound as an int array. */
  String newBucketRowsSql() {
    return "SELECT " + canonicalSelect + " FROM " + newTable + " WHERE " + bucketSql() + " = ANY (?)";
  }

  /** One new row by the canonical texts of its key fields (an unaligned entity's re-check). */
  String newByKeyTextSql() {
    return newByKeyTextSql;
  }

  String entity() {
    return schema.entity();
  }

  /** A fingerprint calculator for this entity (not thread-safe: one per thread). */
  RowHash rowHash() {
    return new RowHash(fields, nullable);
  }

  /** The position of a field in {@link #fields}, or -1. */
  int fieldIndex(Object name) {
    Integer index = fieldIndexes.get(name);
    return index == null ? -1 : index;
  }

  /**
   * The legacy columns the mapping reads (rules, filters, the key): a dropped or unmapped column is
   * neither sent by the legacy database nor decoded here.
   */
  private String legacySelectList() {
    java.util.Set<String> columns = new java.util.LinkedHashSet<>(legacyKeyColumns);
    columns.addAll(mapping.columnsRead());
    // A column the table lacks reads as null (absent), as it does in the topology.
    columns.retainAll(legacyColumns.keySet());
    return columns.stream().map(dialect::quote).collect(Collectors.joining(", "));
  }

  /** Legacy rows after {@code lower} (exclusive; none = from the start), in key order, at most {@code limit}. */
  String legacyChunkSql(boolean lower) {
    String key = legacyKeyTuple();
    return "SELECT " + legacySelectList() + " FROM " + legacyTable
        + (lower ? " WHERE " + key + " > " + placeholders(legacyKeyColumns.size())
        : "") + " ORDER BY " + String.join(", ", legacyKeyColumns.stream().map(dialect::quote).toList())
        + " LIMIT ?";
  }

  String legacyByKeySql() {
    return "SELECT " + legacySelectList() + " FROM " + legacyTable + " WHERE " + legacyKeyTuple() + " = "
        + placeholders(legacyKeyColumns.size());
  }

  /** How a column of a legacy read arrives on the raw topic. */
  LegacyValues.Wire wire(java.sql.ResultSetMetaData meta, int column) throws SQLException {
    return dialect.wire(meta, column, legacyColumns);
  }

  /** Row count and the sum of row hashes of the new rows in (lower, upper]. */
  String newChunkHashSql(boolean lower, boolean upper) {
    return "SELECT count(*), coalesce(sum(h), 0)::text FROM (SELECT " + rowHashSql + " AS h FROM " + newTable
        + range(lower, upper) + ") s";
  }

  /** The canonical text of every field of the new rows in (lower, upper]. */
  String newChunkRowsSql(boolean lower, boolean upper) {
    return "SELECT " + canonicalSelect + " FROM " + newTable + range(lower, upper);
  }

  String newByKeySql() {
    return "SELECT " + canonicalSelect + " FROM " + newTable + " WHERE " + newKeyTuple + " = "
        + placeholders(keyFieldIndexes.length);
  }


  private String range(boolean lower, boolean upper) {
    int n = keyFieldIndexes.length;
    if (!lower && !upper) {
      return "";
    }
    List<String> conditions = new ArrayList<>();
    if (lower) {
      conditions.add(newKeyTuple + " > " + placeholders(n));
    }
    if (upper) {
      conditions.add(newKeyTuple + " <= " + placeholders(n));
    }
    return " WHERE " + String.join(" AND ", conditions);
  }

  private String legacyKeyTuple() {
    return "(" + legacyKeyColumns.stream().map(dialect::quote).collect(Collectors.joining(", ")) + ")";
  }

  private static String placeholders(int n) {
    return "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
  }

  private static int indexOf(List<FieldForm> forms, String name) {
    for (int i = 0; i < forms.size(); i++) {
      if (forms.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new VerifyException("key field '" + name + "' is not a field of the entity schema");
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  static String qualified(String table) {
    return java.util.Arrays.stream(table.split("\\.")).map(EntityPlan::quote).collect(Collectors.joining("."));
  }
}
