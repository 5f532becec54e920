package io.tandem.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the verifier's legacy reads need from the legacy database's own catalog and SQL: the primary key,
 * the columns and how each arrives on the raw topic, quoting, and a cheap row estimate. The reads
 * themselves (keyset chunks, rows by key) are the same SQL in both.
 */
enum LegacyDialect {
  POSTGRES {
    @Override
    String quote(String identifier) {
      return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    @Override
    Map<String, LegacyValues.Wire> primaryKey(Connection legacy, String table) throws SQLException {
      Map<String, LegacyValues.Wire> key = new LinkedHashMap<>();
      try (PreparedStatement statement = legacy.prepareStatement("""
          SELECT a.attname, t.typname FROM pg_index i
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
          JOIN pg_type t ON t.oid = a.atttypid
          WHERE i.indrelid = ?::regclass AND i.indisprimary
          ORDER BY array_position(i.indkey::int2[], a.attnum)""")) {
        statement.setString(1, qualified(table));
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            key.put(rows.getString(1), LegacyValues.wireOf(rows.getString(2)));
          }
        }
      }
      return key;
    }

    @Override
    Map<String, LegacyValues.Wire> columns(Connection legacy, String table) throws SQLException {
      Map<String, LegacyValues.Wire> columns = new LinkedHashMap<>();
      try (PreparedStatement statement = legacy.prepareStatement("SELECT a.attname, t.typname FROM pg_attribute a"
          + " JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = ?::regclass AND a.attnum > 0"
          + " AND NOT a.attisdropped ORDER BY a.attnum")) {
        statement.setString(1, qualified(table));
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            columns.put(rows.getString(1), LegacyValues.wireOf(rows.getString(2)));
          }
        }
      }
      return columns;
    }

    @Override
    LegacyValues.Wire wire(ResultSetMetaData meta, int column, Map<String, LegacyValues.Wire> catalog)
        throws SQLException {
      // The driver names the type each value came as (a domain's base type, say), as pgoutput does.
      return LegacyValues.wireOf(meta.getColumnTypeName(column));
    }

    @Override
    long estimate(Connection legacy, String table) throws SQLException {
      try (PreparedStatement statement = legacy.prepareStatement(
          "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = ?::regclass")) {
        statement.setString(1, qualified(table));
        try (ResultSet rows = statement.executeQuery()) {
          return rows.next() ? rows.getLong(1) : 0;
        }
      }
    }
  },

  /** MariaDB (and MySQL): a legacy table is {@code database.table}. */
  MARIADB {
    @Override
    String quote(String identifier) {
      return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    void prepare(Connection legacy) throws SQLException {
      // TIMESTAMP values are read as the UTC wall clock (LegacyValues.Wire.UTC_TIMESTAMP_TEXT).
      try (Statement statement = legacy.createStatement()) {
        statement.execute("SET time_zone = '+00:00'");
      }
    }

    @Override
    Map<String, LegacyValues.Wire> primaryKey(Connection legacy, String table) throws SQLException {
      Map<String, LegacyValues.Wire> columns = columns(legacy, table);
      Map<String, LegacyValues.Wire> key = new LinkedHashMap<>();
      try (PreparedStatement statement = legacy.prepareStatement("SELECT COLUMN_NAME FROM"
          + " information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
          + " AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION")) {
        bindTable(statement, table);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            key.put(rows.getString(1), columns.get(rows.getString(1)));
          }
        }
      }
      return key;
    }

    @Override
    Map<String, LegacyValues.Wire> columns(Connection legacy, String table) throws SQLException {
      Map<String, LegacyValues.Wire> columns = new LinkedHashMap<>();
      try (PreparedStatement statement = legacy.prepareStatement("SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM"
          + " information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
        bindTable(statement, table);
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            columns.put(rows.getString(1), LegacyValues.mariaDbWireOf(rows.getString(2), rows.getString(3)));
          }
        }
      }
      if (columns.isEmpty()) {
        throw new SQLException("table " + table + " does not exist (or the user may not see it)");
      }
      return columns;
    }

    @Override
    LegacyValues.Wire wire(ResultSetMetaData meta, int column, Map<String, LegacyValues.Wire> catalog)
        throws SQLException {
      // The driver reports ENUM as CHAR and TINYINT(1) as BIT: the catalog's type says what Debezium sends.
      LegacyValues.Wire wire = catalog.get(meta.getColumnName(column));
      return wire == null ? LegacyValues.Wire.TEXT : wire;
    }

    @Override
    long estimate(Connection legacy, String table) throws SQLException {
      try (PreparedStatement statement = legacy.prepareStatement("SELECT coalesce(TABLE_ROWS, 0) FROM"
          + " information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
        bindTable(statement, table);
        try (ResultSet rows = statement.executeQuery()) {
          return rows.next() ? rows.getLong(1) : 0;
        }
      }
    }

    private void bindTable(PreparedStatement statement, String table) throws SQLException {
      int dot = table.indexOf('.');
      statement.setString(1, table.substring(0, dot));
      statement.setString(2, table.substring(dot + 1));
    }
  };

  /** The dialect of the database behind this connection. */
  static LegacyDialect of(Connection connection) throws SQLException {
    return switch (io.tandem.core.sql.DatabaseKind.of(connection)) {
      case POSTGRES -> POSTGRES;
      case MARIADB -> MARIADB;
      case OTHER -> throw new VerifyException("the verifier reads a legacy PostgreSQL or MariaDB, not "
          + connection.getMetaData().getDatabaseProductName());
    };
  }

  abstract String quote(String identifier);

  /** {@code schema.table} quoted part by part. */
  String qualified(String table) {
    StringBuilder sql = new StringBuilder();
    for (String part : table.split("\\.")) {
      sql.append(sql.length() == 0 ? "" : ".").append(quote(part));
    }
    return sql.toString();
  }

  /** Session settings every legacy connection of the verifier needs. */
  void prepare(Connection legacy) throws SQLException {}

  /** The primary-key columns in key order, each with how it arrives on the raw topic; empty if none. */
  abstract Map<String, LegacyValues.Wire> primaryKey(Connection legacy, String table) throws SQLException;

  /** Every column of the table, in table order, with how it arrives on the raw topic. */
  abstract Map<String, LegacyValues.Wire> columns(Connection legacy, String table) throws SQLException;

  /** How a column of a result arrives on the raw topic ({@code catalog}: {@link #columns} of the table). */
  abstract LegacyValues.Wire wire(ResultSetMetaData meta, int column, Map<String, LegacyValues.Wire> catalog)
      throws SQLException;

  /** Rows of the table estimated from statistics (for progress), 0 when unknown. */
  abstract long estimate(Connection legacy, String table) throws SQLException;
}
