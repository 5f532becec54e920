package io.tandem.sink;

import io.tandem.core.sql.DatabaseKind;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The database a sink writes: PostgreSQL (the new database, or a PostgreSQL legacy), or a MariaDB legacy,
 * which only reverse sync writes (docs/coexistence.md, "A MariaDB legacy").
 */
enum SinkDialect {
  POSTGRES, MARIADB;

  static SinkDialect of(Connection connection) throws SQLException {
    return DatabaseKind.of(connection) == DatabaseKind.MARIADB ? MARIADB : POSTGRES;
  }

  static SinkDialect of(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      return of(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect: " + e.getMessage(), e);
    }
  }

  static SinkDialect ofUrl(String jdbcUrl) {
    return DatabaseKind.ofUrl(jdbcUrl) == DatabaseKind.MARIADB ? MARIADB : POSTGRES;
  }

  /** A string literal: quotes doubled, and on MariaDB backslashes too (they escape unless NO_BACKSLASH_ESCAPES). */
  String literal(String text) {
    String quoted = text.replace("'", "''");
    return "'" + (this == MARIADB ? quoted.replace("\\", "\\\\") : quoted) + "'";
  }

  /** A column's value as text, to compare with filter values. */
  String asText(String column) {
    return this == MARIADB ? "CAST(" + column + " AS CHAR)" : column + "::text";
  }

  String quote(String identifier) {
    return this == MARIADB ? "`" + identifier.replace("`", "``") + "`"
        : "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
