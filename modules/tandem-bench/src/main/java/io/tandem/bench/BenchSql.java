package io.tandem.bench;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** One statement on its own connection: the harnesses' set-up and checks, never their measured path. */
final class BenchSql {
  private BenchSql() {}

  static void exec(EmbeddedPostgresServer postgres, String db, String sql) throws SQLException {
    try (Connection c = postgres.connect(db); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static long queryLong(EmbeddedPostgresServer postgres, String db, String sql) throws SQLException {
    try (Connection c = postgres.connect(db); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
