package io.tandem.capture;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Asks the capture engine to read chosen legacy rows again and produce them to the raw topics as
 * {@code r} changes, so that they flow through the normal pipeline (transform, sink) once more. Used by
 * the verifier's repair: rows whose new-database copy differs from legacy are re-emitted, and the
 * sink applies them because their position is newer than the stored one (docs/capture.md,
 * <i>Re-emitting chosen rows</i> and <i>Positions</i>).
 *
 * <p>Under the hood this inserts Debezium {@code execute-snapshot} signals (incremental snapshot with
 * an additional condition) into the legacy database's signal table ({@code signal.data.collection},
 * see {@link ConnectorConfig#signalTable()}):
 *
 * <pre>{@code
 * try (Connection legacy = DriverManager.getConnection(url, user, password)) {
 *   List<String> ids = RowResnapshot.request(legacy, "public.tandem_signal", "public.customers",
 *       List.of("cust_id"), List.of(List.of(17L), List.of(42L)));
 * }
 * }</pre>
 *
 * <p>The engine reads the rows in chunks between two watermarks and locks them {@code FOR SHARE SKIP
 * LOCKED} for the chunk: a row that an unfinished legacy transaction is changing is <b>not</b>
 * re-emitted this time (its pending change, carrying the whole row, repairs it when it commits; otherwise
 * ask again). Rows that no longer exist in legacy produce nothing. Requests are asynchronous: the rows
 * arrive once the engine has streamed up to the signal; re-check the result rather than waiting for it.
 */
public final class RowResnapshot {
  /** The signal table the shipped connector file uses unless {@code LEGACY_SIGNAL_TABLE} says otherwise. */
  public static final String DEFAULT_SIGNAL_TABLE = "public.tandem_signal";

  /**
   * Keys per signal: one signal is read in one chunk ({@code incremental.snapshot.chunk.size} is 1024 in
   * the shipped file), and its filter stays a few tens of kilobytes.
   */
  public static final int MAX_KEYS_PER_SIGNAL = 1000;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*");
  private static final String ID_PREFIX = "tandem-rs-"; // + 32 hex digits = 42, the width of the id column

  private RowResnapshot() {}

  /**
   * The DDL of a signal table in the shape Debezium requires (docs/capture.md says which grants it needs).
   *
   * @param signalTable {@code schema.table}
   */
  public static String createTableSql(String signalTable) {
    return createTableSql(SourceKind.POSTGRES, signalTable);
  }

  /**
   * The DDL of a signal table for this kind of legacy database.
   *
   * @param signalTable {@code schema.table} (MariaDB: {@code database.table}, in the captured database)
   */
  public static String createTableSql(SourceKind kind, String signalTable) {
    TableName name = TableName.parse("signalTable", signalTable);
    return "CREATE TABLE IF NOT EXISTS " + name.sql(Dialect.of(kind))
        + " (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data text)";
  }

  /**
   * Asks for the rows of {@code table} with the given primary-key values to be read and produced again.
   * Splits large key sets into several signals of at most {@link #MAX_KEYS_PER_SIGNAL} keys. With an
   * auto-commit connection the signals are inserted in one transaction; otherwise they take effect when
   * the caller commits.
   *
   * @param legacy a connection to the captured legacy database; needs SELECT on {@code table} and INSERT
   *     on the signal table
   * @param signalTable the connector's {@code signal.data.collection}, {@code schema.table}
   * @param table the captured table, {@code schema.table} as PostgreSQL spells it (case matters)
   * @param keyColumns the table's primary-key columns, in the order of each key tuple
   * @param keys one value tuple per row; each value an {@link Integer}, {@link Long}, {@link Short},
   *     {@link Byte}, {@link BigInteger}, {@link BigDecimal} (rendered as a number) or a {@link String}
   *     (rendered as a quoted literal: text, and the text form of any other type such as uuid or date)
   * @return the ids of the inserted signals, in order; empty if {@code keys} is empty
   * @throws IllegalArgumentException for a bad table name, key column or value (nothing is inserted)
   * @throws IllegalStateException if the signal table does not exist or is not captured
   * @throws SQLException if PostgreSQL refuses the keys (unknown column, type mismatch) or the insert
   */
  public static List<String> request(Connection legacy, String signalTable, String table, List<String> keyColumns,
      Collection<? extends List<?>> keys) throws SQLException {
    return request(legacy, signalTable, table, keyColumns, keys, MAX_KEYS_PER_SIGNAL);
  }

  static List<String> request(Connection legacy, String signalTable, String table, List<String> keyColumns,
      Collection<? extends List<?>> keys, int maxKeysPerSignal) throws SQLException {
    Objects.requireNonNull(legacy, "legacy");
    Dialect dialect = Dialect.of(legacy);
    TableName signal = TableName.parse("signalTable", signalTable);
    TableName source = TableName.parse("table", table);
    List<String> columns = quotedColumns(dialect, keyColumns);
    List<List<String>> chunks = chunks(renderedTuples(dialect, keyColumns.size(), keys), maxKeysPerSignal);
    if (chunks.isEmpty()) {
      return List.of();
    }
    checkSignalTable(legacy, dialect, signal);
    // A filter the database refuses would only show up as a warning in the capture engine's log (Debezium
    // skips the table): try it here first, without running it.
    for (List<String> chunk : chunks) {
      try (Statement statement = legacy.createStatement()) {
        statement.execute("EXPLAIN SELECT 1 FROM " + source.sql(dialect) + " WHERE " + keyPredicate(columns, chunk));
      }
    }
    List<String> ids = new ArrayList<>(chunks.size());
    boolean autoCommit = legacy.getAutoCommit();
    if (autoCommit) {
      legacy.setAutoCommit(false);
    }
    try (PreparedStatement insert = legacy.prepareStatement(
        "INSERT INTO " + signal.sql(dialect) + " (id, type, data) VALUES (?, 'execute-snapshot', ?)")) {
      for (List<String> chunk : chunks) {
        String id = ID_PREFIX + UUID.randomUUID().toString().replace("-", "");
        insert.setString(1, id);
        insert.setString(2, signalData(source, filter(dialect, source, columns, chunk)));
        insert.addBatch();
        ids.add(id);
      }
      insert.executeBatch();
      if (autoCommit) {
        legacy.commit();
      }
    } catch (SQLException | RuntimeException e) {
      if (autoCommit) {
        legacy.rollback();
      }
      throw e;
    } finally {
      if (autoCommit) {
        legacy.setAutoCommit(true);
      }
    }
    return List.copyOf(ids);
  }

  /** The signals' {@code data} for these keys, one per chunk of at most {@code maxKeysPerSignal} keys. */
  static List<String> signalData(String table, List<String> keyColumns, Collection<? extends List<?>> keys,
      int maxKeysPerSignal) {
    TableName source = TableName.parse("table", table);
    List<String> columns = quotedColumns(Dialect.POSTGRES, keyColumns);
    List<String> data = new ArrayList<>();
    for (List<String> chunk : chunks(renderedTuples(Dialect.POSTGRES, keyColumns.size(), keys), maxKeysPerSignal)) {
      data.add(signalData(source, filter(Dialect.POSTGRES, source, columns, chunk)));
    }
    return data;
  }

  /**
   * The additional condition for one signal: the chosen keys, locked {@code FOR SHARE SKIP LOCKED} by the
   * engine's chunk query so that no legacy transaction can change a re-read row between the read and the
   * window's end (docs/capture.md, <i>Positions</i>).
   */
  static String filter(String table, List<String> keyColumns, Collection<? extends List<?>> keys) {
    TableName source = TableName.parse("table", table);
    List<String> columns = quotedColumns(Dialect.POSTGRES, keyColumns);
    return filter(Dialect.POSTGRES, source, columns,
        new ArrayList<>(renderedTuples(Dialect.POSTGRES, keyColumns.size(), keys)));
  }

  /** A key value as a PostgreSQL literal: numbers as numbers, strings quoted; anything else is refused. */
  static String literal(Object value) {
    return literal(Dialect.POSTGRES, value);
  }

  private static String literal(Dialect dialect, Object value) {
    if (value == null) {
      throw new IllegalArgumentException("key values must not be null (primary-key columns are NOT NULL)");
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
        || value instanceof BigInteger) {
      return value.toString();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof String text && dialect == Dialect.MARIADB) {
      // A backslash escapes unless sql_mode has NO_BACKSLASH_ESCAPES: hex means the same in both modes.
      return text.indexOf('\\') < 0 ? "'" + text.replace("'", "''") + "'"
          : "_utf8mb4 X'" + java.util.HexFormat.of().formatHex(text.getBytes(java.nio.charset.StandardCharsets.UTF_8))
          + "'";
    }
    if (value instanceof String text) {
      if (text.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("key value contains a NUL character, which no PostgreSQL text can hold");
      }
      String quoted = text.replace("'", "''");
      // E'' treats backslashes the same whatever standard_conforming_strings says; '' only when it is on.
      return text.indexOf('\\') >= 0 ? "E'" + quoted.replace("\\", "\\\\") + "'" : "'" + quoted + "'";
    }
    throw new IllegalArgumentException("key value of type " + value.getClass().getName() + " is not supported: pass"
        + " integers as Long, Integer, Short, Byte or BigInteger, decimals as BigDecimal, and any other type"
        + " (text, uuid, date, ...) as its PostgreSQL text form, a String");
  }

  /** Whether {@code name} is {@code schema.table} with two plain identifiers (what the signal channel accepts). */
  static boolean isSimpleTableName(String name) {
    String[] parts = name.split("\\.", -1);
    return parts.length == 2 && IDENTIFIER.matcher(parts[0]).matches() && IDENTIFIER.matcher(parts[1]).matches();
  }

  private static String filter(Dialect dialect, TableName table, List<String> columns, List<String> tuples) {
    if (dialect == Dialect.MARIADB) {
      // The binlog is written at commit, so binlog order is commit order: a change the read did not see
      // commits either inside the window (Debezium drops the read row) or after its close marker (and
      // outranks the re-read). No lock is needed (docs/capture.md, "MariaDB").
      return keyPredicate(columns, tuples);
    }
    String list = String.join(", ", columns);
    return "(" + list + ") IN (SELECT " + list + " FROM " + table.sql(dialect) + " WHERE "
        + keyPredicate(columns, tuples) + " FOR SHARE SKIP LOCKED)";
  }

  private static String keyPredicate(List<String> columns, List<String> tuples) {
    return "(" + String.join(", ", columns) + ") IN (" + String.join(", ", tuples) + ")";
  }

  private static String signalData(TableName table, String filter) {
    // data-collections are regular expressions to Debezium: escape the dot so only this table matches.
    String collection = json(table.regex());
    return "{\"data-collections\":[" + collection + "],\"type\":\"incremental\",\"additional-conditions\":"
        + "[{\"data-collection\":" + collection + ",\"filter\":" + json(filter) + "}]}";
  }

  private static List<String> quotedColumns(Dialect dialect, List<String> keyColumns) {
    if (keyColumns == null || keyColumns.isEmpty()) {
      throw new IllegalArgumentException("keyColumns must name the table's primary-key columns");
    }
    List<String> quoted = new ArrayList<>(keyColumns.size());
    Set<String> seen = new LinkedHashSet<>();
    for (String column : keyColumns) {
      if (column == null || column.isEmpty() || column.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("key column names must be non-empty, got " + keyColumns);
      }
      if (!seen.add(column)) {
        throw new IllegalArgumentException("key column '" + column + "' is listed twice");
      }
      quoted.add(dialect.quote(column));
    }
    return quoted;
  }

  // Each tuple rendered once, in the caller's order: the same key asked for twice is read once.
  private static List<String> renderedTuples(Dialect dialect, int width, Collection<? extends List<?>> keys) {
    Objects.requireNonNull(keys, "keys");
    Set<String> tuples = new LinkedHashSet<>();
    for (List<?> key : keys) {
      if (key == null || key.size() != width) {
        throw new IllegalArgumentException("every key needs " + width + " value(s), one per key column, got " + key);
      }
      List<String> literals = new ArrayList<>(width);
      for (Object value : key) {
        literals.add(literal(dialect, value));
      }
      tuples.add("(" + String.join(", ", literals) + ")");
    }
    return new ArrayList<>(tuples);
  }

  private static List<List<String>> chunks(List<String> tuples, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("maxKeysPerSignal must be positive, got " + size);
    }
    List<List<String>> chunks = new ArrayList<>();
    for (int from = 0; from < tuples.size(); from += size) {
      chunks.add(List.copyOf(tuples.subList(from, Math.min(tuples.size(), from + size))));
    }
    return chunks;
  }

  private static void checkSignalTable(Connection legacy, Dialect dialect, TableName signal) throws SQLException {
    if (dialect == Dialect.MARIADB) {
      checkMariaDbSignalTable(legacy, signal);
      return;
    }
    try (PreparedStatement query = legacy.prepareStatement("""
        SELECT current_database(),
               EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = ? AND tablename = ?),
               EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables WHERE schemaname = ? AND tablename = ?)""")) {
      query.setString(1, signal.schema());
      query.setString(2, signal.table());
      query.setString(3, signal.schema());
      query.setString(4, signal.table());
      try (ResultSet row = query.executeQuery()) {
        row.next();
        String database = row.getString(1);
        if (!row.getBoolean(2)) {
          throw new IllegalStateException("signal table " + signal + " does not exist in database " + database
              + ": create it as the capture user (" + createTableSql(signal.toString())
              + "), then restart the capture engine (docs/capture.md, 'Re-emitting chosen rows')");
        }
        if (!row.getBoolean(3)) {
          throw new IllegalStateException("signal table " + signal + " in database " + database + " is in no"
              + " publication, so the capture engine would never see the request: it must be in the connector's"
              + " table.include.list (the shipped connector file adds it) and the engine restarted after the table"
              + " was created (docs/capture.md, 'Re-emitting chosen rows')");
        }
      }
    }
  }

  // MariaDB captures the tables of one database (its include lists are checked when the connector file loads).
  private static void checkMariaDbSignalTable(Connection legacy, TableName signal) throws SQLException {
    try (PreparedStatement query = legacy.prepareStatement("SELECT EXISTS (SELECT 1 FROM information_schema.TABLES"
        + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?)")) {
      query.setString(1, signal.schema());
      query.setString(2, signal.table());
      try (ResultSet row = query.executeQuery()) {
        row.next();
        if (!row.getBoolean(1)) {
          throw new IllegalStateException("signal table " + signal + " does not exist: create it in the captured"
              + " database (" + createTableSql(SourceKind.MARIADB, signal.toString()) + "); capture sees it at once"
              + " (docs/capture.md, 'Re-emitting chosen rows')");
        }
      }
    }
  }

  /** How the legacy database spells names and text. */
  private enum Dialect {
    POSTGRES, MARIADB;

    static Dialect of(SourceKind kind) {
      return kind.binlog() ? MARIADB : POSTGRES;
    }

    static Dialect of(Connection connection) throws SQLException {
      return switch (io.tandem.core.sql.DatabaseKind.of(connection)) {
        case POSTGRES -> POSTGRES;
        case MARIADB -> MARIADB;
        case OTHER -> throw new IllegalArgumentException("re-reads through a signal table are built for PostgreSQL"
            + " and MariaDB, not " + connection.getMetaData().getDatabaseProductName());
      };
    }

    String quote(String name) {
      return this == MARIADB ? "`" + name.replace("`", "``") + "`" : "\"" + name.replace("\"", "\"\"") + "\"";
    }
  }

  /** A JSON string literal. */
  private static String json(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /** {@code schema.table} of plain identifiers. */
  private record TableName(String schema, String table) {
    static TableName parse(String what, String name) {
      if (name == null || !isSimpleTableName(name)) {
        throw new IllegalArgumentException(what + " must be schema.table, each a plain identifier (letters, digits,"
            + " _ and $, not starting with a digit), got " + (name == null ? "null" : "'" + name + "'"));
      }
      int dot = name.indexOf('.');
      return new TableName(name.substring(0, dot), name.substring(dot + 1));
    }

    String sql(Dialect dialect) {
      return dialect.quote(schema) + "." + dialect.quote(table);
    }

    String regex() {
      return (schema + "." + table).replace(".", "\\.").replace("$", "\\$");
    }

    @Override
    public String toString() {
      return schema + "." + table;
    }
  }
}
