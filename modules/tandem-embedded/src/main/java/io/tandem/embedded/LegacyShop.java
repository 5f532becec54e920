package io.tandem.embedded;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The legacy database of the demo and the end-to-end tests: a small shop with the oddities real legacy
 * schemas have — short column names, one-letter status codes, numeric(12,2) euros, wall-clock
 * timestamps in the office's time zone, and test accounts that must not be migrated (status 'X').
 */
public final class LegacyShop {
  public static final List<String> TABLES = List.of("public.customers", "public.addresses", "public.orders");

  /** Debezium's signal table, through which chosen rows are re-emitted (docs/capture.md). */
  public static final String SIGNAL_TABLE = "public.tandem_signal";

  static final String[] STATUS = {"A", "A", "A", "A", "S", "C", "X"};
  static final String[] CITIES = {"Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Eindhoven", "Groningen"};
  static final String[] ORDER_STATUS = {"1", "2", "3", "9"};

  private LegacyShop() {}

  /**
   * Creates the shop's tables and, with {@code signalTableDdl} (capture's {@code RowResnapshot.createTableSql}),
   * Debezium's signal table, which lets the verifier's repair have chosen rows read again.
   */
  public static void createSchema(Connection connection, String signalTableDdl) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE customers (
            cust_id       bigint PRIMARY KEY,
            full_nm       varchar(200) NOT NULL,
            email_addr    varchar(320),
            balance       numeric(12,2) NOT NULL DEFAULT 0,
            status_cd     char(1) NOT NULL,
            created_local timestamp NOT NULL,
            updated_at    timestamptz NOT NULL DEFAULT now(),
            legacy_flags  varchar(20)
          )""");
      statement.execute("""
          CREATE TABLE addresses (
            addr_id    bigint PRIMARY KEY,
            cust_id    bigint NOT NULL,
            line1      text NOT NULL,
            city       text NOT NULL,
            postcode   varchar(10),
            country_cd char(2)
          )""");
      statement.execute("""
          CREATE TABLE orders (
            order_no     bigint PRIMARY KEY,
            cust_id      bigint NOT NULL,
            total_amt    numeric(12,2) NOT NULL,
            currency     char(3) NOT NULL DEFAULT 'EUR',
            order_status smallint NOT NULL,
            placed_local timestamp NOT NULL
          )""");
      // Deletes and filter changes need the whole old row to compute keys and filters.
      for (String table : List.of("customers", "addresses", "orders")) {
        statement.execute("ALTER TABLE " + table + " REPLICA IDENTITY FULL");
      }
      // The capture user owns it.
      statement.execute(signalTableDdl);
    }
  }

  /** Inserts {@code customers} customers with one address each and two orders each. */
  public static void seed(Connection connection, int customers, long seed) throws SQLException {
    SplittableRandom random = new SplittableRandom(seed);
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (PreparedStatement customer = connection.prepareStatement(
            "INSERT INTO customers (cust_id, full_nm, email_addr, balance, status_cd, created_local, legacy_flags) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement address = connection.prepareStatement(
            "INSERT INTO addresses (addr_id, cust_id, line1, city, postcode, country_cd) VALUES (?, ?, ?, ?, ?, ?)");
        PreparedStatement order = connection.prepareStatement(
            "INSERT INTO orders (order_no, cust_id, total_amt, currency, order_status, placed_local) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (long id = 1; id <= customers; id++) {
        bindCustomer(customer, id, random);
        customer.addBatch();
        address.setLong(1, id);
        address.setLong(2, id);
        address.setString(3, random.nextInt(1, 400) + " Keizersgracht");
        address.setString(4, CITIES[random.nextInt(CITIES.length)]);
        address.setString(5, random.nextInt(10) == 0 ? null : (1000 + random.nextInt(9000)) + " AB");
        address.setString(6, random.nextInt(5) == 0 ? null : "NL");
        address.addBatch();
        for (int n = 0; n < 2; n++) {
          bindOrder(order, id * 10 + n, id, random);
          order.addBatch();
        }
        if (id % 1000 == 0) {
          customer.executeBatch();
          address.executeBatch();
          order.executeBatch();
        }
      }
      customer.executeBatch();
      address.executeBatch();
      order.executeBatch();
      connection.commit();
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  static void bindCustomer(PreparedStatement statement, long id, SplittableRandom random) throws SQLException {
    statement.setLong(1, id);
    statement.setString(2, "Customer " + id);
    statement.setString(3, random.nextInt(8) == 0 ? null : "customer" + id + "@example.com");
    statement.setBigDecimal(4, money(random));
    statement.setString(5, STATUS[random.nextInt(STATUS.length)]);
    statement.setTimestamp(6, Timestamp.valueOf(LocalDateTime.of(2015, 1, 1, 8, 0).plusMinutes(random.nextInt(5_000_000))));
    statement.setString(7, random.nextInt(3) == 0 ? "VIP;NEWSLETTER" : null);
  }

  static void bindOrder(PreparedStatement statement, long orderNo, long customer, SplittableRandom random)
      throws SQLException {
    statement.setLong(1, orderNo);
    statement.setLong(2, customer);
    statement.setBigDecimal(3, money(random));
    statement.setString(4, random.nextInt(10) == 0 ? "USD" : "EUR");
    statement.setShort(5, Short.parseShort(ORDER_STATUS[random.nextInt(ORDER_STATUS.length)]));
    statement.setTimestamp(6, Timestamp.valueOf(LocalDateTime.of(2024, 1, 1, 0, 0).plusMinutes(random.nextInt(900_000))));
  }

  static BigDecimal money(SplittableRandom random) {
    return BigDecimal.valueOf(random.nextLong(0, 10_000_000)).movePointLeft(2).setScale(2, RoundingMode.UNNECESSARY);
  }
}
