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
 * columns, and the SQL for both. The new key must be an order-preserving copy of the legacy primary
 * key (integer columns copied or cast to int/long), so a legacy key range is the same new key range
 * and extra rows between legacy keys are found too.
 */
final class EntityPlan {
  private static final Set<Cast> ORDER_PRESERVING = EnumSet.of(Cast.NONE, Cast.INT, Cast.LONG);

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

  private EntityPlan(LegacyDialect dialect, Mapping mapping, EntitySchema schema, String newTable,
      List<String> legacyKeyColumns, List<LegacyValues.Wire> legacyKeyWires,
      java.util.Map<String, LegacyValues.Wire> legacyColumns, java.util.Map<String, Boolean> newColumnsNullable) {
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
      nullable[i] = newColumnsNullable.getOrDefault(forms.get(i).name(), true);
    }
    this.rowHashSql = RowHash.sql(forms, forms.stream().map(f -> quote(f.name())).toList(), nullable);
    this.canonicalSelect = String.join(", ", canonical);
    this.newKeyTuple = "(" + mapping.keyFields().stream().map(EntityPlan::quote).collect(Collectors.joining(", "))
        + ")";
  }

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
    List<String> keyFields = mapping.keyFields();
    if (keyFields.size() != columns.size()) {
      throw unaligned(mapping, columns, "it has " + keyFields.size() + " key field(s), the table " + columns.size()
          + " primary-key column(s)");
    }
    for (int i = 0; i < columns.size(); i++) {
      FieldRule rule = mapping.fields().get(keyFields.get(i));
      if (!columns.get(i).equals(rule.from())) {
        throw unaligned(mapping, columns, "key field '" + keyFields.get(i) + "' comes from '" + rule.from()
            + "', not from primary-key column '" + columns.get(i) + "'");
      }
      LegacyValues.Wire wire = wires.get(i);
      if ((wire != LegacyValues.Wire.INT && wire != LegacyValues.Wire.LONG) || !ORDER_PRESERVING.contains(rule.cast())) {
        throw unaligned(mapping, columns, "key column '" + columns.get(i)
            + "' must be an integer copied or cast to int/long (text keys sort by collation, which may differ)");
      }
    }
    java.util.Map<String, Boolean> nullable = new java.util.HashMap<>();
    try (PreparedStatement statement = fresh.prepareStatement(
        "SELECT attname, NOT attnotnull FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0"
            + " AND NOT attisdropped")) {
      statement.setString(1, qualified(newTable));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          nullable.put(rows.getString(1), rows.getBoolean(2));
        }
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + schema.entity() + ": cannot read new table " + newTable + ": "
          + e.getMessage());
    }
    return new EntityPlan(dialect, mapping, schema, newTable, columns, wires, all, nullable);
  }

  private static VerifyException unaligned(Mapping mapping, List<String> columns, String why) {
    return new VerifyException("mapping " + mapping.name() + " cannot be verified: the new key must be the legacy"
        + " primary key " + columns + " in the same order, but " + why);
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
