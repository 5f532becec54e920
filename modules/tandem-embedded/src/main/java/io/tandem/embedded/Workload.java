package io.tandem.embedded;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LegacyShop}'s application at a fixed rate: inserts, updates and deletes of customers and
 * orders, one change per transaction, paced by the clock (not by sleeps that drift).
 */
public final class Workload implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Workload.class);

  private final Supplier<Connection> connections;
  private final int ratePerSecond;
  private final long firstNewCustomer;
  private final SplittableRandom random;
  private final AtomicLong changes = new AtomicLong();
  private volatile boolean running = true;

  public Workload(Supplier<Connection> connections, int ratePerSecond, long existingCustomers, long seed) {
    this.connections = connections;
    this.ratePerSecond = ratePerSecond;
    this.firstNewCustomer = existingCustomers + 1;
    this.random = new SplittableRandom(seed);
  }

  public long changes() {
    return changes.get();
  }

  public void stop() {
    running = false;
  }

  @Override
  public void run() {
    if (ratePerSecond <= 0) {
      return;
    }
    long nextCustomer = firstNewCustomer;
    long intervalNanos = 1_000_000_000L / ratePerSecond;
    long next = System.nanoTime();
    try (Connection connection = connections.get();
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO customers (cust_id, full_nm, email_addr, balance, status_cd, created_local, legacy_flags) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement updateBalance = connection.prepareStatement(
            "UPDATE customers SET balance = ?, updated_at = now() WHERE cust_id = ?");
        PreparedStatement updateStatus = connection.prepareStatement(
            "UPDATE customers SET status_cd = ?, updated_at = now() WHERE cust_id = ?");
        PreparedStatement insertOrder = connection.prepareStatement(
            "INSERT INTO orders (order_no, cust_id, total_amt, currency, order_status, placed_local) VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement deleteOrder = connection.prepareStatement("DELETE FROM orders WHERE order_no = ?")) {
      long orderNo = 1_000_000_000L;
      while (running) {
        long existing = nextCustomer - 1;
        int dice = random.nextInt(100);
        if (dice < 20) {
          LegacyShop.bindCustomer(insert, nextCustomer++, random);
          insert.executeUpdate();
        } else if (dice < 60) {
          updateBalance.setBigDecimal(1, LegacyShop.money(random));
          updateBalance.setLong(2, random.nextLong(1, existing + 1));
          updateBalance.executeUpdate();
        } else if (dice < 75) {
          updateStatus.setString(1, LegacyShop.STATUS[random.nextInt(LegacyShop.STATUS.length)]);
          updateStatus.setLong(2, random.nextLong(1, existing + 1));
          updateStatus.executeUpdate();
        } else if (dice < 92) {
          LegacyShop.bindOrder(insertOrder, orderNo++, random.nextLong(1, existing + 1), random);
          insertOrder.executeUpdate();
        } else {
          long customer = random.nextLong(1, firstNewCustomer);
          deleteOrder.setLong(1, customer * 10 + random.nextInt(2));
          deleteOrder.executeUpdate();
        }
        changes.incrementAndGet();
        next += intervalNanos;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        } else if (wait < -1_000_000_000L) {
          next = System.nanoTime(); // fell more than a second behind: do not try to catch up in a burst
        }
      }
    } catch (SQLException e) {
      LOG.error("Demo workload stopped: {}", e.getMessage(), e);
    }
  }
}
