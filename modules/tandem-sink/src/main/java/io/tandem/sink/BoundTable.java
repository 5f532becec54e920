package io.tandem.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An {@link EntityTable} checked against the new database's catalog, with the SQL the sink runs on
 * it. Column types come from the catalog, not from Avro: values are sent as text and cast to the
 * column's base type (no length or precision, so an explicit cast never truncates: a value too long
 * for {@code varchar(10)} still fails on assignment, with SQLState 22001, and goes to the DLQ).
 */
final class BoundTable {
  static final String POSITION = "_tandem_position";
  static final String COMMIT_TS = "_tandem_commit_ts";
  static final String TOMBSTONES = "tandem_sink_tombstones";
  /** Where reverse sync keeps each legacy key's newest applied position (and whether it was a delete). */
  static final String APPLIED = "tandem_applied_positions";

  private final SinkDialect dialect;
  private final EntityTable entity;
  private final String qualifiedName;
  /** The catalog's names of the entity's columns, in {@link EntityTable#avroColumns()} order. */
  private final List<String> columnNames;
  private final List<String> quotedColumns;
  private final List<String> baseTypes;
  private final String upsertSql;
  private final String deleteSql;

  private BoundTable(SinkDialect dialect, EntityTable entity, String qualifiedName, List<String> columnNames,
      List<String> baseTypes) {
    this.dialect = dialect;
    this.entity = entity;
    this.qualifiedName = qualifiedName;
    this.columnNames = List.copyOf(columnNames);
    this.quotedColumns = columnNames.stream().map(dialect::quote).toList();
    this.baseTypes = List.copyOf(baseTypes);
    boolean legacy = entity.legacy().isPresent();
    // A MariaDB legacy is written statement by statement (MariaDbLegacyWriter), not with PostgreSQL's arrays.
    this.upsertSql = dialect == SinkDialect.MARIADB ? null : legacy ? buildLegacyUpsert() : buildUpsert();
    this.deleteSql = dialect == SinkDialect.MARIADB ? null : legacy ? buildLegacyDelete() : buildDelete();
  }

  /** What the database's catalog says of the table. */
  private record Catalog(String qualifiedName, Map<String, String> types, List<String> requiredColumns,
      Set<String> primaryKey) {}

  /** Reads the table's columns and primary key and refuses a table that does not fit the entity. */
  static BoundTable bind(Connection connection, EntityTable entity) throws SQLException {
    String where = "entity '" + entity.entity() + "', table " + entity.table() + ": ";
    SinkDialect dialect = SinkDialect.of(connection);
    if (dialect == SinkDialect.MARIADB && entity.legacy().isEmpty()) {
      throw new IllegalStateException(where + "a MariaDB database is only written as a legacy, by reverse sync");
    }
    Catalog catalog = dialect == SinkDialect.MARIADB ? mariaDbCatalog(connection, entity, where)
        : postgresCatalog(connection, entity, where);
    String qualified = catalog.qualifiedName();
    Map<String, String> catalogTypes = catalog.types();
    List<String> requiredColumns = catalog.requiredColumns();
    Set<String> primaryKey = catalog.primaryKey();

    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    Set<String> keyNames = new HashSet<>();
    for (AvroColumn column : entity.avroColumns()) {
      String name = catalogName(catalogTypes, column.name());
      if (name == null) {
        missing.add(column.name());
        continue;
      }
      names.add(name);
      types.add(catalogTypes.get(name));
      if (entity.keyColumns().contains(column.name())) {
        keyNames.add(name);
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(where + "expected a column for every entity field, missing " + missing
          + " (table has " + catalogTypes.keySet() + ")");
    }
    if (entity.legacy().isPresent()) {
      EntityTable.LegacyWrites legacy = entity.legacy().get();
      for (String required : requiredColumns) {
        if (!names.contains(required)) {
          throw new IllegalStateException(where + "legacy column '" + required + "' is NOT NULL without a default and"
              + " reverse sync does not set it: declare 'reverse.columns." + required + "' (the value a row inserted"
              + " from new gets) in " + legacy.origin());
        }
      }
      if (!primaryKey.equals(keyNames)) {
        throw new IllegalStateException(where + "expected primary key " + entity.keyColumns() + " (the legacy key"
            + " reverse sync derives), found " + (primaryKey.isEmpty() ? "none" : primaryKey)
            + ": declare 'reverse.key' in " + legacy.origin());
      }
      requireAppliedPositions(connection, dialect, where);
      BoundTable bound = new BoundTable(dialect, entity, qualified, names, types);
      bound.checkStatements(connection);
      return bound;
    }
    if (!"pg_catalog.int8".equals(catalogTypes.get(POSITION))) {
      throw new IllegalStateException(where + "expected a column " + POSITION + " bigint not null, found "
          + (catalogTypes.containsKey(POSITION) ? catalogTypes.get(POSITION) : "none"));
    }
    if (!"pg_catalog.timestamptz".equals(catalogTypes.get(COMMIT_TS))) {
      throw new IllegalStateException(where + "expected a column " + COMMIT_TS + " timestamptz, found "
          + (catalogTypes.containsKey(COMMIT_TS) ? catalogTypes.get(COMMIT_TS) : "none"));
    }
    if (!primaryKey.equals(keyNames)) {
      throw new IllegalStateException(where + "expected primary key " + entity.keyColumns() + ", found "
          + (primaryKey.isEmpty() ? "none" : primaryKey));
    }
    BoundTable bound = new BoundTable(dialect, entity, qualified, names, types);
    bound.checkStatements(connection);
    return bound;
  }

  /**
   * A MariaDB legacy table ({@code database.table}, or a table of the connection's database): column types
   * as {@code DATA_TYPE} ({@code datetime}, {@code tinyint}, ...), which {@link MariaDbLegacyWriter} binds by.
   */
  private static Catalog mariaDbCatalog(Connection connection, EntityTable entity, String where) throws SQLException {
    String name = entity.table();
    int dot = name.indexOf('.');
    String schema = dot < 0 ? connection.getCatalog() : name.substring(0, dot);
    String table = dot < 0 ? name : name.substring(dot + 1);
    Map<String, String> types = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE = 'NO'"
        + " AND COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%auto_increment%' AND EXTRA NOT LIKE '%GENERATED%'"
        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          types.put(rs.getString(1), rs.getString(2).toLowerCase(Locale.ROOT));
          if (rs.getBoolean(3)) {
            required.add(rs.getString(1));
          }
        }
      }
    }
    if (types.isEmpty()) {
      throw new IllegalStateException(where + "no such table in the legacy MariaDB database " + schema);
    }
    Set<String> primaryKey = new HashSet<>();
    try (PreparedStatement ps = connection.prepareStatement("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY'")) {
      ps.setString(1, schema);
      ps.setString(2, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          primaryKey.add(rs.getString(1));
        }
      }
    }
    return new Catalog(SinkDialect.MARIADB.quote(schema) + "." + SinkDialect.MARIADB.quote(table), types, required,
        primaryKey);
  }

  private static Catalog postgresCatalog(Connection connection, EntityTable entity, String where) throws SQLException {
    String qualified = null;
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = to_regclass(?)")) {
      ps.setString(1, entity.table());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          qualified = rs.getString(1);
        }
      }
    }
    if (qualified == null) {
      throw new IllegalStateException(where + "no such table in the new database (run SinkSchema.migrate with the"
          + " entity's migration first)");
    }
    Map<String, String> catalogTypes = new LinkedHashMap<>();
    List<String> requiredColumns = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(
        // The type's own name, not format_type(): format_type(bpchar, NULL) is "character", which
        // casts to char(1) and would cut 'EUR' to 'E'; bpchar, varchar and numeric are unbounded.
        "SELECT a.attname, quote_ident(n.nspname) || '.' || quote_ident(t.typname),"
            + " a.attnotnull AND NOT a.atthasdef AND a.attidentity = '' AND a.attgenerated = '' FROM pg_attribute a"
            + " JOIN pg_type t ON t.oid = a.atttypid JOIN pg_namespace n ON n.oid = t.typnamespace"
            + " WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
      ps.setString(1, entity.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          catalogTypes.put(rs.getString(1), rs.getString(2));
          if (rs.getBoolean(3)) {
            requiredColumns.add(rs.getString(1));
          }
        }
      }
    }
    Set<String> primaryKey = new HashSet<>();
    try (PreparedStatement ps = connection.prepareStatement(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary")) {
      ps.setString(1, entity.table());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          primaryKey.add(rs.getString(1));
        }
      }
    }
    return new Catalog(qualified, catalogTypes, requiredColumns, primaryKey);
  }

  private static void requireAppliedPositions(Connection connection, SinkDialect dialect, String where)
      throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(dialect == SinkDialect.MARIADB
        ? "SELECT EXISTS (SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?)"
        : "SELECT to_regclass(?) IS NOT NULL")) {
      ps.setString(1, APPLIED);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (!rs.getBoolean(1)) {
          throw new IllegalStateException(where + "no table " + APPLIED + " in the legacy database (reverse sync"
              + " creates it with the legacy migrations, SinkSchema.migrateLegacy)");
        }
      }
    }
  }

  // Parsing the statements on the server now turns a cast PostgreSQL cannot do (say, boolean to
  // date) into a start-up error instead of a failure on the first record.
  private void checkStatements(Connection connection) throws SQLException {
    if (dialect == SinkDialect.MARIADB) {
      return; // its statements are built per batch (MariaDbLegacyWriter); bad values fail per row into the DLQ
    }
    for (String sql : List.of(upsertSql, deleteSql)) {
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        ps.getParameterMetaData();
      } catch (SQLException e) {
        throw new IllegalStateException("entity '" + entity.entity() + "', table " + qualifiedName
            + ": the sink's SQL does not fit the table: " + e.getMessage(), e);
      }
    }
  }

  // Avro field names are case-sensitive; unquoted DDL folds to lower case. Accept either.
  private static String catalogName(Map<String, String> catalog, String field) {
    if (catalog.containsKey(field)) {
      return field;
    }
    String lower = field.toLowerCase(Locale.ROOT);
    return catalog.containsKey(lower) ? lower : null;
  }

  static String quoteIdent(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  EntityTable entity() {
    return entity;
  }

  SinkDialect dialect() {
    return dialect;
  }

  String qualifiedName() {
    return qualifiedName;
  }

  List<String> quotedColumns() {
    return quotedColumns;
  }

  List<String> baseTypes() {
    return baseTypes;
  }

  String upsertSql() {
    return upsertSql;
  }

  String deleteSql() {
    return deleteSql;
  }

  /** The row of one key as JSON text (parameters: the key columns as text, in key order). */
  String currentRowSql() {
    StringJoiner match = new StringJoiner(" AND ");
    int[] keys = entity.keyIndexes();
    if (dialect == SinkDialect.MARIADB) {
      StringJoiner fields = new StringJoiner(", ");
      for (int i = 0; i < columnNames.size(); i++) {
        fields.add(dialect.literal(columnNames.get(i)) + ", t." + quotedColumns.get(i));
      }
      for (int k = 0; k < keys.length; k++) {
        match.add("t." + quotedColumns.get(keys[k]) + " = ?");
      }
      return "SELECT JSON_OBJECT(" + fields + ") FROM " + qualifiedName + " t WHERE " + match;
    }
    for (int k = 0; k < keys.length; k++) {
      match.add("t." + quotedColumns.get(keys[k]) + " = CAST(? AS " + baseTypes.get(keys[k]) + ")");
    }
    return "SELECT row_to_json(t)::text FROM " + qualifiedName + " t WHERE " + match;
  }

  /** The ON CONFLICT tail shared by every upsert form: newer positions win, nothing else does. */
  String onConflictClause() {
    StringJoiner keys = new StringJoiner(", ");
    for (int index : entity.keyIndexes()) {
      keys.add(quotedColumns.get(index));
    }
    StringJoiner sets = new StringJoiner(", ");
    Set<Integer> keyIndexes = new HashSet<>();
    for (int index : entity.keyIndexes()) {
      keyIndexes.add(index);
    }
    for (int i = 0; i < quotedColumns.size(); i++) {
      if (!keyIndexes.contains(i)) {
        sets.add(quotedColumns.get(i) + " = EXCLUDED." + quotedColumns.get(i));
      }
    }
    sets.add(quoteIdent(POSITION) + " = EXCLUDED." + quoteIdent(POSITION));
    sets.add(quoteIdent(COMMIT_TS) + " = EXCLUDED." + quoteIdent(COMMIT_TS));
    // A row an application wrote on new has no position: older than any change (docs/coexistence.md).
    return " ON CONFLICT (" + keys + ") DO UPDATE SET " + sets
        + " WHERE t." + quoteIdent(POSITION) + " IS NULL OR t." + quoteIdent(POSITION) + " < EXCLUDED." + quoteIdent(POSITION);
  }

  /** Column list of the INSERT, entity columns then the two sink columns. */
  String insertColumns() {
    StringJoiner columns = new StringJoiner(", ", "(", ")");
    quotedColumns.forEach(columns::add);
    columns.add(quoteIdent(POSITION)).add(quoteIdent(COMMIT_TS));
    return columns.toString();
  }

  /*
   * One statement for any number of rows: each column travels as one text[] parameter and unnest()
   * turns the arrays back into rows. The SQL text never changes, so the server plans it once, and
   * the same statement with one-element arrays is the row-by-row fallback.
   */
  private String buildUpsert() {
    int n = quotedColumns.size();
    StringJoiner select = new StringJoiner(", ");
    StringJoiner arrays = new StringJoiner(", ");
    StringJoiner aliases = new StringJoiner(", ");
    for (int i = 0; i < n; i++) {
      select.add("CAST(u.c" + i + " AS " + baseTypes.get(i) + ")");
      arrays.add("?::text[]");
      aliases.add("c" + i);
    }
    select.add("u.p").add("CAST(u.ts AS timestamptz)");
    arrays.add("?::text[]").add("?::int8[]").add("?::text[]");
    aliases.add("kj").add("p").add("ts");
    return "INSERT INTO " + qualifiedName + " AS t " + insertColumns()
        + " SELECT " + select + " FROM unnest(" + arrays + ") AS u(" + aliases + ")"
        + " WHERE NOT EXISTS (SELECT 1 FROM " + TOMBSTONES + " d WHERE d.entity = ? AND d.key_json = u.kj"
        + " AND d.position >= u.p)"
        + onConflictClause();
  }

  /*
   * One statement: remove rows older than the delete, raise the key's tombstone to the delete's
   * position, and count the deletes that were newer than everything stored for their key. The
   * sub-statements share one snapshot, so the count sees the rows as they were before the delete.
   */
  /** The key columns of a delete statement: typed select list, array parameters, aliases, match on {@code alias}. */
  private record DeleteKeys(StringJoiner select, StringJoiner arrays, StringJoiner aliases, StringJoiner match) {}

  private DeleteKeys deleteKeys(String alias) {
    int[] keys = entity.keyIndexes();
    DeleteKeys parts = new DeleteKeys(new StringJoiner(", "), new StringJoiner(", "), new StringJoiner(", "),
        new StringJoiner(" AND "));
    for (int k = 0; k < keys.length; k++) {
      parts.select().add("CAST(u.k" + k + " AS " + baseTypes.get(keys[k]) + ") AS k" + k);
      parts.arrays().add("?::text[]");
      parts.aliases().add("k" + k);
      parts.match().add("t." + quotedColumns.get(keys[k]) + " = " + alias + ".k" + k);
    }
    return parts;
  }

  private String buildDelete() {
    DeleteKeys parts = deleteKeys("d");
    StringJoiner select = parts.select();
    StringJoiner arrays = parts.arrays();
    StringJoiner aliases = parts.aliases();
    StringJoiner match = parts.match();
    select.add("u.kj").add("u.p");
    arrays.add("?::text[]").add("?::int8[]");
    aliases.add("kj").add("p");
    String position = quoteIdent(POSITION);
    return "WITH d AS (SELECT " + select + " FROM unnest(" + arrays + ") AS u(" + aliases + ")),"
        + " removed AS (DELETE FROM " + qualifiedName + " AS t USING d WHERE " + match
        + " AND (t." + position + " IS NULL OR t." + position + " < d.p)),"
        + " raised AS (INSERT INTO " + TOMBSTONES + " AS o (entity, key_json, position) SELECT ?, d.kj, d.p FROM d"
        + " ON CONFLICT (entity, key_json) DO UPDATE SET position = EXCLUDED.position, raised_at = now()"
        + " WHERE o.position < EXCLUDED.position RETURNING o.key_json)"
        + " SELECT count(*) FROM d WHERE d.kj IN (SELECT key_json FROM raised)"
        + " AND NOT EXISTS (SELECT 1 FROM " + qualifiedName + " t WHERE " + match + " AND t." + position + " >= d.p)";
  }

  /*
   * Reverse sync into a legacy table: the same parameters as the forward upsert, but the newest applied
   * position per key lives in APPLIED, only the columns reverse sync owns are updated (insert-only ones are
   * set on insert), and a row the mapping's filters keep out of the new model is never changed.
   */
  private String buildLegacyUpsert() {
    EntityTable.LegacyWrites legacy = entity.legacy().orElseThrow();
    int n = quotedColumns.size();
    StringJoiner select = new StringJoiner(", ");
    StringJoiner arrays = new StringJoiner(", ");
    StringJoiner aliases = new StringJoiner(", ");
    StringJoiner columns = new StringJoiner(", ", "(", ")");
    for (int i = 0; i < n; i++) {
      select.add("CAST(f.c" + i + " AS " + baseTypes.get(i) + ")");
      arrays.add("?::text[]");
      aliases.add("c" + i);
      columns.add(quotedColumns.get(i));
    }
    arrays.add("?::text[]").add("?::int8[]").add("?::text[]");
    aliases.add("kj").add("p").add("ts");
    Set<Integer> keyIndexes = new HashSet<>();
    StringJoiner keys = new StringJoiner(", ");
    for (int index : entity.keyIndexes()) {
      keyIndexes.add(index);
      keys.add(quotedColumns.get(index));
    }
    StringJoiner sets = new StringJoiner(", ");
    List<AvroColumn> avro = entity.avroColumns();
    for (int i = 0; i < n; i++) {
      if (!keyIndexes.contains(i) && !legacy.insertOnly().contains(avro.get(i).name())) {
        sets.add(quotedColumns.get(i) + " = EXCLUDED." + quotedColumns.get(i));
      }
    }
    String guard = protectedRows(dialect, "t.", legacy);
    String onConflict = sets.length() == 0 ? " ON CONFLICT (" + keys + ") DO NOTHING"
        : " ON CONFLICT (" + keys + ") DO UPDATE SET " + sets + (guard.isEmpty() ? "" : " WHERE " + guard);
    return "WITH u AS (SELECT u.*, x.ent FROM unnest(" + arrays + ") AS u(" + aliases + ")"
        + " CROSS JOIN (SELECT CAST(? AS text) AS ent) x),"
        + " f AS (SELECT * FROM u WHERE NOT EXISTS (SELECT 1 FROM " + APPLIED + " a WHERE a.entity = u.ent"
        + " AND a.key_json = u.kj AND a.position >= u.p)),"
        + " written AS (INSERT INTO " + qualifiedName + " AS t " + columns + " SELECT " + select + " FROM f"
        + onConflict + " RETURNING 1),"
        + " positioned AS (INSERT INTO " + APPLIED + " AS a (entity, key_json, position, deleted, commit_ts)"
        + " SELECT f.ent, f.kj, f.p, false, CAST(f.ts AS timestamptz) FROM f ON CONFLICT (entity, key_json) DO UPDATE"
        + " SET position = EXCLUDED.position, deleted = false, commit_ts = EXCLUDED.commit_ts, applied_at = now()"
        + " WHERE a.position < EXCLUDED.position)"
        + " SELECT count(*) FROM written";
  }

  private String buildLegacyDelete() {
    EntityTable.LegacyWrites legacy = entity.legacy().orElseThrow();
    DeleteKeys parts = deleteKeys("f");
    StringJoiner select = parts.select();
    StringJoiner arrays = parts.arrays();
    StringJoiner aliases = parts.aliases();
    StringJoiner match = parts.match();
    select.add("u.kj").add("u.p").add("x.ent");
    arrays.add("?::text[]").add("?::int8[]");
    aliases.add("kj").add("p");
    String guard = protectedRows(dialect, "t.", legacy);
    return "WITH d AS (SELECT " + select + " FROM unnest(" + arrays + ") AS u(" + aliases + ")"
        + " CROSS JOIN (SELECT CAST(? AS text) AS ent) x),"
        + " f AS (SELECT * FROM d WHERE NOT EXISTS (SELECT 1 FROM " + APPLIED + " a WHERE a.entity = d.ent"
        + " AND a.key_json = d.kj AND a.position >= d.p)),"
        + " removed AS (DELETE FROM " + qualifiedName + " AS t USING f WHERE " + match
        + (guard.isEmpty() ? "" : " AND " + guard) + "),"
        + " raised AS (INSERT INTO " + APPLIED + " AS a (entity, key_json, position, deleted)"
        + " SELECT f.ent, f.kj, f.p, true FROM f ON CONFLICT (entity, key_json) DO UPDATE"
        + " SET position = EXCLUDED.position, deleted = true, applied_at = now() WHERE a.position < EXCLUDED.position)"
        + " SELECT count(*) FROM f";
  }

  /**
   * SQL true for a legacy row the mapping's filters keep in the new model (empty: no filters).
   *
   * @param qualifier what precedes a column of the row, e.g. {@code "t."}; {@code ""} for a bare column
   */
  static String protectedRows(SinkDialect dialect, String qualifier, EntityTable.LegacyWrites legacy) {
    StringJoiner all = new StringJoiner(" AND ");
    for (io.tandem.core.mapping.RowFilter filter : legacy.protectedBy()) {
      String column = dialect.asText(qualifier + dialect.quote(filter.column()));
      StringJoiner values = new StringJoiner(", ", "(", ")");
      filter.values().forEach(v -> values.add(dialect.literal(v)));
      all.add(switch (filter.op()) {
        case EQUALS, IN -> "(" + column + " IN " + values + ")";
        case NOT_EQUALS, NOT_IN -> "(" + column + " IS NULL OR " + column + " NOT IN " + values + ")";
        case IS_NULL -> "(" + column + " IS NULL)";
        case NOT_NULL -> "(" + column + " IS NOT NULL)";
      });
    }
    return all.length() == 0 ? "" : "(" + all + ")";
  }
}
