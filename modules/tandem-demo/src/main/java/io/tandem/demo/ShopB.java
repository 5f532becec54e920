package io.tandem.demo;

import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.runtime.MergeSettings;
import io.tandem.verify.Connector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code tandem demo --merger}: a second legacy shop ({@code shop_b}, its clients numbered from 1 like shop A's
 * customers) on the same embedded PostgreSQL, merged into the same customer entity
 * (schemas/examples/merger). Every tenth client is also one of shop A's customers (same e-mail, other case).
 */
final class ShopB implements Runnable {
  static final String DATABASE = "shop_b";
  static final String SOURCE = "shop_b";
  /** The merger example's key rule: client n is customer 1,000,000,000 + n. */
  static final long KEY_OFFSET = 1_000_000_000L;

  private final EmbeddedPostgresServer postgres;
  private final int clients;
  private final int rate;
  private final AtomicLong changes = new AtomicLong();
  private volatile boolean running = true;

  ShopB(EmbeddedPostgresServer postgres, int clients, int rate) {
    this.postgres = postgres;
    this.clients = clients;
    this.rate = rate;
  }

  /** Creates the database and its clients; returns how many share an e-mail with a shop A customer. */
  int create(Path merger) throws Exception {
    try (Connection admin = postgres.connect("postgres"); Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + DATABASE);
    }
    try (Connection shop = postgres.connect(DATABASE); Statement statement = shop.createStatement()) {
      statement.execute(Files.readString(merger.resolve("shop_b.sql")));
      // Debezium's signal table, as in shop A: capture warns without it (re-reads of chosen rows need it).
      statement.execute(io.tandem.capture.RowResnapshot.createTableSql(io.tandem.embedded.LegacyShop.SIGNAL_TABLE));
      // Shop A's customer n has e-mail customern@example.com for 7 in 8 of them (LegacyShop): client n of every
      // tenth claims the same address, in capitals, as a customer of both shops would.
      statement.execute("INSERT INTO clients (client_no, display_name, mail, credit_cents, state, joined_at)"
          + " SELECT n, 'Client ' || n, CASE WHEN n % 10 = 0 THEN upper('customer' || n || '@example.com')"
          + " ELSE 'client' || n || '@shop-b.example' END, n * 7, CASE WHEN n % 13 = 0 THEN 'blocked' ELSE"
          + " 'active' END, timestamptz '2023-01-01 00:00:00+00' + n * interval '1 hour'"
          + " FROM generate_series(1, " + clients + ") n");
      statement.execute("ANALYZE");
    }
    return clients / 10;
  }

  MergeSettings.Source source(Path connector) {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", postgres.host());
    env.put("LEGACY_DB_PORT", Integer.toString(postgres.port()));
    env.put("LEGACY_DB_NAME", DATABASE);
    env.put("LEGACY_DB_USER", postgres.user());
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_SLOT_NAME", "tandem_shop_b");
    env.put("LEGACY_PUBLICATION_NAME", "tandem_shop_b");
    env.put("LEGACY_TABLES", "public.clients");
    env.put("LEGACY_SIGNAL_TABLE", io.tandem.embedded.LegacyShop.SIGNAL_TABLE);
    env.put("TANDEM_OFFSET_TOPIC", "tandem.capture.offsets.shop_b");
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return new MergeSettings.Source(SOURCE, connector, env);
  }

  Connector verifierConnector() {
    return Connector.jdbc(postgres.jdbcUrl(DATABASE), postgres.user(), "");
  }

  /** Shop B's own traffic: renames and credit changes of its clients, at {@code rate} changes per second. */
  @Override
  public void run() {
    SplittableRandom random = new SplittableRandom(11);
    try (Connection shop = postgres.connect(DATABASE);
        PreparedStatement update = shop.prepareStatement("UPDATE clients SET display_name = ?, credit_cents ="
            + " credit_cents + ?, changed_at = now() WHERE client_no = ?")) {
      long pause = rate <= 0 ? 0 : Math.max(1, 1000 / rate);
      while (running && rate > 0) {
        long client = random.nextLong(1, clients + 1);
        update.setString(1, "Client " + client + " (" + random.nextInt(1000) + ")");
        update.setLong(2, random.nextInt(-500, 500));
        update.setLong(3, client);
        update.executeUpdate();
        changes.incrementAndGet();
        Thread.sleep(pause);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("shop B workload: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void stop() {
    running = false;
  }

  long changes() {
    return changes.get();
  }
}
