package io.tandem.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresServerIT {
  @Test
  void startsWithLogicalDecodingAndSeparateDatabases() throws Exception {
    try (EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start()) {
      String first = postgres.createDatabase("legacy");
      String second = postgres.createDatabase("legacy");

      assertThat(first).isNotEqualTo(second);
      try (Connection connection = postgres.connect(first); Statement statement = connection.createStatement()) {
        ResultSet walLevel = statement.executeQuery("SHOW wal_level");
        walLevel.next();
        assertThat(walLevel.getString(1)).isEqualTo("logical");
        ResultSet version = statement.executeQuery("SHOW server_version_num");
        version.next();
        assertThat(version.getInt(1)).isGreaterThanOrEqualTo(170000);
      }
    }
  }
}
