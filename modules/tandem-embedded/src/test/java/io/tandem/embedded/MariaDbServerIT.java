package io.tandem.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class MariaDbServerIT {
  @Test
  void anEmbeddedServerRunsWithTheBinlogCaptureNeedsAndStopsOnClose() throws Exception {
    int port;
    try (MariaDbServer mariadb = MariaDbServer.startEmbedded()) {
      String shop = mariadb.createDatabase("shop");
      try (Connection connection = mariadb.connect(shop); Statement statement = connection.createStatement()) {
        ResultSet settings = statement.executeQuery(
            "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@server_id, @@port, DATABASE()");
        settings.next();
        assertThat(settings.getBoolean(1)).as("log_bin").isTrue();
        assertThat(settings.getString(2)).isEqualTo("ROW");
        assertThat(settings.getString(3)).isEqualTo("FULL");
        assertThat(settings.getLong(4)).isPositive();
        assertThat(settings.getInt(5)).isEqualTo(mariadb.port());
        assertThat(settings.getString(6)).isEqualTo(shop);
        // What capture's preflight reads: grant tables are on and the user may read the binlog.
        ResultSet grants = statement.executeQuery("SHOW GRANTS FOR CURRENT_USER()");
        grants.next();
        assertThat(grants.getString(1)).contains("ALL PRIVILEGES ON *.*");
      }
      assertThat(mariadb.version()).startsWith("11.4");
      port = mariadb.port();
    }
    assertThat(FreePorts.isFree(port)).as("port of the stopped server is free").isTrue();
  }

  @Test
  void aRunningServerIsUsedInADatabaseOfItsOwnThatCloseDrops() throws Exception {
    MariaDbServer machine;
    try {
      machine = MariaDbServer.running("127.0.0.1", 3306, "root", "");
    } catch (SQLException e) {
      Assumptions.abort("no MariaDB at 127.0.0.1:3306 (root, no password): " + e.getMessage());
      return;
    }
    String shop;
    try (machine) {
      shop = machine.createDatabase("shop");
      assertThat(databaseExists(machine, shop)).isTrue();
    }
    assertThat(databaseExists(machine, shop)).as("dropped at close").isFalse();
  }

  @Test
  void nothingAnsweringIsAnSqlException() {
    assertThatThrownBy(() -> MariaDbServer.running("127.0.0.1", FreePorts.pick(), "root", ""))
        .isInstanceOf(SQLException.class);
  }

  private static boolean databaseExists(MariaDbServer server, String name) throws SQLException {
    try (Connection connection = server.connect(""); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW DATABASES LIKE '" + name + "'")) {
      return rows.next();
    }
  }
}
