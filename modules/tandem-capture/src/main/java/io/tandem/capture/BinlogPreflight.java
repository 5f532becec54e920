package io.tandem.capture;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What MariaDB must give capture before Debezium starts, each refusal naming the server setting or privilege
 * and the fix: the binlog on ({@code log_bin}), row events ({@code binlog_format=ROW}) with whole rows
 * ({@code binlog_row_image=FULL}: the sink upserts whole rows and the transform maps every column), and a user
 * that may read the binlog ({@code REPLICATION SLAVE} and {@code BINLOG MONITOR}, or {@code REPLICATION CLIENT}).
 */
final class BinlogPreflight {
  private BinlogPreflight() {}

  /** @throws IllegalStateException listing every setting or privilege that is missing */
  static void check(ConnectorConfig config) {
    List<String> problems = new ArrayList<>();
    try (Connection connection = config.connect("tandem-capture-preflight");
        Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery("SELECT @@log_bin, @@binlog_format, @@binlog_row_image")) {
        rows.next();
        if (!rows.getBoolean(1)) {
          problems.add("log_bin is OFF: turn the binlog on (log_bin = <name> in the server's configuration, restart)");
        }
        if (!"ROW".equalsIgnoreCase(rows.getString(2))) {
          problems.add("binlog_format is " + rows.getString(2) + ": set binlog_format = ROW");
        }
        if (!"FULL".equalsIgnoreCase(rows.getString(3))) {
          problems.add("binlog_row_image is " + rows.getString(3) + ": set binlog_row_image = FULL");
        }
      }
      String grants = grants(statement);
      boolean all = grants.contains("ALL PRIVILEGES ON *.*");
      if (!all && !grants.contains("REPLICATION SLAVE") && !grants.contains("REPLICATION REPLICA")) {
        problems.add("user " + config.user() + " lacks REPLICATION SLAVE: GRANT REPLICATION SLAVE ON *.* TO it");
      }
      if (!all && !grants.contains("BINLOG MONITOR") && !grants.contains("REPLICATION CLIENT")
          && !grants.contains("SUPER")) {
        problems.add("user " + config.user() + " lacks BINLOG MONITOR: GRANT BINLOG MONITOR ON *.* TO it");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the binlog settings of " + config.jdbcUrl() + " as "
          + config.user() + ": " + e.getMessage(), e);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException((config.kind() == SourceKind.MYSQL ? "MySQL" : "MariaDB") + " at "
          + config.jdbcUrl() + " cannot be captured: "
          + String.join("; ", problems) + " (docs/capture.md, \"MariaDB\")");
    }
  }

  private static String grants(Statement statement) throws SQLException {
    StringBuilder all = new StringBuilder();
    try (ResultSet rows = statement.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
      while (rows.next()) {
        all.append(rows.getString(1).toUpperCase(Locale.ROOT)).append('\n');
      }
    }
    return all.toString();
  }
}
