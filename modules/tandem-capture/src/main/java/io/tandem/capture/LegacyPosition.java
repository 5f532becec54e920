package io.tandem.capture;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The legacy database's position now, numbered as capture numbers its changes: above every change
 * committed before the call, below every change committed after it. A change Tandem writes itself (the
 * verifier's repair deletes) takes it, so that a later legacy change of the same key outranks it.
 */
public final class LegacyPosition {
  private LegacyPosition() {}

  /** @param legacy a connection to the captured database (MariaDB: the user needs BINLOG MONITOR) */
  public static long current(Connection legacy, SourceKind kind) throws SQLException {
    try (Statement statement = legacy.createStatement()) {
      if (kind == SourceKind.POSTGRES) {
        try (ResultSet lsn = statement.executeQuery("SELECT (pg_current_wal_lsn() - '0/0')::bigint")) {
          lsn.next();
          return lsn.getLong(1);
        }
      }
      try (ResultSet status = statement.executeQuery(binlogStatus(legacy))) {
        if (!status.next()) {
          throw new SQLException("the binlog status is empty: the binlog is off (log_bin)");
        }
        // The next event starts at Position: one below it is above every written event, below every later one.
        return BinlogPosition.snapshot(status.getString("File"), status.getLong("Position"));
      }
    }
  }

  // MySQL 8.4 removed SHOW MASTER STATUS for SHOW BINARY LOG STATUS (8.2+); MariaDB has only the former.
  private static String binlogStatus(Connection legacy) throws SQLException {
    var meta = legacy.getMetaData();
    boolean mysql = !meta.getDatabaseProductVersion().toLowerCase(java.util.Locale.ROOT).contains("mariadb");
    boolean newer = meta.getDatabaseMajorVersion() > 8
        || meta.getDatabaseMajorVersion() == 8 && meta.getDatabaseMinorVersion() >= 2;
    return mysql && newer ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS";
  }
}
