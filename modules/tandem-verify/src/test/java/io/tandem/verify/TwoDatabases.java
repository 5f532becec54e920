package io.tandem.verify;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh legacy and new database on one embedded PostgreSQL, for verifier tests. */
record TwoDatabases(Connector legacy, Connector fresh) {
  static TwoDatabases create(EmbeddedPostgresServer pg) {
    return new TwoDatabases(Connector.jdbc(pg.jdbcUrl(pg.createDatabase("legacy")), "postgres", ""),
        Connector.jdbc(pg.jdbcUrl(pg.createDatabase("fresh")), "postgres", ""));
  }

  void legacySql(String... sql) throws SQLException {
    run(legacy, sql);
  }

  void newSql(String... sql) throws SQLException {
    run(fresh, sql);
  }

  private static void run(Connector connector, String... sql) throws SQLException {
    try (Connection c = connector.open(); Statement s = c.createStatement()) {
      for (String each : sql) {
        s.execute(each);
      }
    }
  }
}
