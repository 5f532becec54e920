package io.tandem.verify;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** Opens a connection to one database. */
@FunctionalInterface
public interface Connector {
  Connection open() throws SQLException;

  static Connector jdbc(String url, String user, String password) {
    return () -> {
      Properties properties = new Properties();
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      properties.setProperty("ApplicationName", "tandem-verify");
      return DriverManager.getConnection(url, properties);
    };
  }
}
