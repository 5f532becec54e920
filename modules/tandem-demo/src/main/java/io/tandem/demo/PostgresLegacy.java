package io.tandem.demo;

import io.tandem.capture.RowResnapshot;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.verify.Connector;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/** The default legacy: database {@code shop} on the embedded PostgreSQL that also holds the new database. */
final class PostgresLegacy implements DemoLegacy {
  static final String DATABASE = "shop";
  private final EmbeddedPostgresServer postgres;

  PostgresLegacy(EmbeddedPostgresServer postgres) {
    this.postgres = postgres;
  }

  @Override
  public void createShop(int customers) throws SQLException {
    try (Connection connection = postgres.connect("postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + DATABASE);
    }
    try (Connection legacy = connect()) {
      LegacyShop.createSchema(legacy, RowResnapshot.createTableSql(LegacyShop.SIGNAL_TABLE));
      LegacyShop.seed(legacy, customers, 42);
      try (Statement analyze = legacy.createStatement()) {
        analyze.execute("ANALYZE"); // row estimates for the snapshot progress bars
      }
    }
  }

  @Override
  public Connection connect() throws SQLException {
    return postgres.connect(DATABASE);
  }

  @Override
  public Map<String, String> connectorEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", postgres.host());
    env.put("LEGACY_DB_PORT", Integer.toString(postgres.port()));
    env.put("LEGACY_DB_NAME", DATABASE);
    env.put("LEGACY_DB_USER", postgres.user());
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_TABLES", String.join(",", LegacyShop.TABLES));
    env.put("LEGACY_SIGNAL_TABLE", LegacyShop.SIGNAL_TABLE);
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return env;
  }

  @Override
  public Path schemas(Path repositorySchemas) {
    return repositorySchemas; // the repository's mappings read public.*, where this shop lives
  }

  @Override
  public javax.sql.DataSource dataSource() {
    org.postgresql.ds.PGSimpleDataSource source = new org.postgresql.ds.PGSimpleDataSource();
    source.setURL(postgres.jdbcUrl(DATABASE));
    source.setUser(postgres.user());
    return source;
  }

  @Override
  public Connector verifierConnector() {
    return Connector.jdbc(postgres.jdbcUrl(DATABASE), postgres.user(), "");
  }

  @Override
  public void close() {
    // the database goes with the embedded server, which the demo closes
  }
}
