package io.tandem.sink;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The database a sink writes: PostgreSQL (the new database, or a PostgreSQL legacy), or a MariaDB legacy,
 * which only reverse sync writes (docs/coexistence.md, "A MariaDB legacy").
 */
enum SinkDialect {
  POSTGRES, MARIADB;

  static SinkDialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    return product.contains("mariadb") || product.contains("mysql") ? MARIADB : POSTGRES;
  }

  static SinkDialect of(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      return of(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot connect: " + e.getMessage(), e);
    }
  }

  static SinkDialect ofUrl(String jdbcUrl) {
    return jdbcUrl != null && (jdbcUrl.startsWith("jdbc:mariadb:") || jdbcUrl.startsWith("jdbc:mysql:")) ? MARIADB
        : POSTGRES;
  }

  String quote(String identifier) {
    return this == MARIADB ? "`" + identifier.replace("`", "``") + "`"
        : "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
