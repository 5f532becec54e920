package io.tandem.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL 17 server from embedded binaries, with logical decoding enabled
 * ({@code wal_level=logical}), on a free port. Needs no installed database; works as root.
 * Tests create their own databases with {@link #createDatabase} so they never share state.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  public static EmbeddedPostgresServer start() {
    return start(java.util.Map.of());
  }

  /**
   * @param serverConfig settings over the defaults (benchmarks give PostgreSQL the memory a database
   *     server would have, e.g. {@code shared_buffers})
   */
  public static EmbeddedPostgresServer start(java.util.Map<String, String> serverConfig) {
    try {
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setPort(FreePorts.pick())
          .setServerConfig("wal_level", "logical")
          .setServerConfig("max_replication_slots", "20")
          .setServerConfig("max_wal_senders", "20")
          .setServerConfig("max_connections", "100")
          .setServerConfig("shared_buffers", "64MB")
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off");
      serverConfig.forEach(builder::setServerConfig);
      return new EmbeddedPostgresServer(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public String host() {
    return "127.0.0.1";
  }

  public String user() {
    return "postgres";
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** Creates a database with a unique name starting with {@code prefix} and returns that name. */
  public String createDatabase(String prefix) {
    String name = (prefix + "_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid()).toLowerCase();
    try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name, e);
    }
    return name;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user(), "");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
    }
  }
}
