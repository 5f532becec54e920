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
      try (ResultSet status = statement.executeQuery("SHOW MASTER STATUS")) {
        if (!status.next()) {
          throw new SQLException("SHOW MASTER STATUS returned nothing: the binlog is off (log_bin)");
        }
        // The next event starts at Position: one below it is above every written event, below every later one.
        return BinlogPosition.snapshot(status.getString("File"), status.getLong("Position"));
      }
    }
  }
}
