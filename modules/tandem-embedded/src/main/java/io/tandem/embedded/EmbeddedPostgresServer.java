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
  private final int port;
  private final java.util.Map<String, String> serverConfig;
  // Set only for a restartable server: its data directory, kept between stop() and restart().
  private final java.nio.file.Path dataDir;
  private volatile EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, java.util.Map<String, String> serverConfig,
      java.nio.file.Path dataDir) {
    this.postgres = postgres;
    this.port = postgres.getPort();
    this.serverConfig = serverConfig;
    this.dataDir = dataDir;
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
      return new EmbeddedPostgresServer(builder(FreePorts.pick(), serverConfig).start(), serverConfig, null);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  /**
   * A server that {@link #stop()} shuts down (fast mode: sessions are disconnected, as in a database
   * restart) and {@link #restart()} brings back on the same port with the same data: replication slots,
   * databases and rows survive. For fault-injection tests.
   */
  public static EmbeddedPostgresServer startRestartable() {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("tandem-pg-");
      return new EmbeddedPostgresServer(builder(FreePorts.pick(), java.util.Map.of())
          .setDataDirectory(dir).setCleanDataDirectory(false).start(), java.util.Map.of(), dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start embedded PostgreSQL", e);
    }
  }

  /** Shuts a {@link #startRestartable() restartable} server down, keeping its data directory. */
  public synchronized void stop() {
    requireRestartable();
    if (postgres == null) {
      return;
    }
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
    } finally {
      postgres = null;
    }
  }

  /** Starts a {@link #stop() stopped} server again on the same port and data directory. */
  public synchronized void restart() {
    requireRestartable();
    if (postgres != null) {
      return;
    }
    try {
      postgres = builder(port, serverConfig).setDataDirectory(dataDir).setCleanDataDirectory(false).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not restart embedded PostgreSQL on port " + port, e);
    }
  }

  private void requireRestartable() {
    if (dataDir == null) {
      throw new IllegalStateException("this server was not started with startRestartable()");
    }
  }

  private static EmbeddedPostgres.Builder builder(int port, java.util.Map<String, String> serverConfig) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setPort(port)
          .setServerConfig("wal_level", "logical")
          .setServerConfig("max_replication_slots", "20")
          .setServerConfig("max_wal_senders", "20")
          .setServerConfig("max_connections", "100")
          .setServerConfig("shared_buffers", "64MB")
          .setServerConfig("fsync", "off")
          .setServerConfig("synchronous_commit", "off");
    serverConfig.forEach(builder::setServerConfig);
    return builder;
  }

  public int port() {
    return port;
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
  public synchronized void close() {
    try {
      if (postgres != null) {
        postgres.close();
        postgres = null;
      }
      if (dataDir != null) {
        org.apache.kafka.common.utils.Utils.delete(dataDir.toFile()); // kafka-clients is here anyway
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop embedded PostgreSQL", e);
    }
  }
}
