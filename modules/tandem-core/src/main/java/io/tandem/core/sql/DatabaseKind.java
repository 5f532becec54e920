package io.tandem.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The kind of database a JDBC connection reaches, for the few places whose SQL differs between PostgreSQL and
 * MariaDB (MySQL 8 speaks MariaDB's dialect for what Tandem asks: {@code information_schema}, backticks,
 * {@code ON DUPLICATE KEY UPDATE}).
 */
public enum DatabaseKind {
  POSTGRES, MARIADB, OTHER;

  /** The kind of the database behind {@code connection}, from the driver's product name. */
  public static DatabaseKind of(Connection connection) throws SQLException {
    return ofProduct(connection.getMetaData().getDatabaseProductName());
  }

  static DatabaseKind ofProduct(String productName) {
    String product = productName.toLowerCase(Locale.ROOT);
    if (product.contains("postgres")) {
      return POSTGRES;
    }
    return product.contains("mariadb") || product.contains("mysql") ? MARIADB : OTHER;
  }

  /** The kind a JDBC URL names ({@code jdbc:mariadb:} and {@code jdbc:mysql:} are MariaDB's dialect). */
  public static DatabaseKind ofUrl(String jdbcUrl) {
    if (jdbcUrl == null) {
      return OTHER;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRES;
    }
    return jdbcUrl.startsWith("jdbc:mariadb:") || jdbcUrl.startsWith("jdbc:mysql:") ? MARIADB : OTHER;
  }
}
