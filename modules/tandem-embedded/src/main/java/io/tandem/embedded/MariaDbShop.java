package io.tandem.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@link LegacyShop} on MariaDB: the same tables, columns and oddities in MariaDB's types ({@code decimal},
 * {@code datetime(6)} wall-clock times, a {@code timestamp(6)} instant). {@link LegacyShop#seed} and
 * {@link Workload} speak SQL both databases understand, so they fill and change this shop unchanged.
 *
 * <p>MariaDB's database plays PostgreSQL's schema: the shop's tables are {@code <database>.customers} and so
 * on, and the repository's mappings, which read {@code public.*}, read them once their sources are renamed
 * ({@link #schemasReading}).
 */
public final class MariaDbShop {
  private static final List<String> TABLE_NAMES = List.of("customers", "addresses", "orders");
  private static final Pattern MAPPING_SOURCE = Pattern.compile("(?m)^source:\\s*public\\.");

  private MariaDbShop() {}

  /** The shop's tables as capture and the mappings name them: {@code <database>.<table>}. */
  public static List<String> tables(String database) {
    return TABLE_NAMES.stream().map(table -> database + "." + table).toList();
  }

  /**
   * Creates the shop's tables in the connection's database. No replica-identity step as on PostgreSQL: with
   * {@code binlog_row_image=FULL} every change carries the whole old row.
   */
  public static void createSchema(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("""
          CREATE TABLE customers (
            cust_id       bigint PRIMARY KEY,
            full_nm       varchar(200) NOT NULL,
            email_addr    varchar(320),
            balance       decimal(12,2) NOT NULL DEFAULT 0,
            status_cd     char(1) NOT NULL,
            created_local datetime(6) NOT NULL,
            updated_at    timestamp(6) NOT NULL DEFAULT current_timestamp(6),
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
            total_amt    decimal(12,2) NOT NULL,
            currency     char(3) NOT NULL DEFAULT 'EUR',
            order_status smallint NOT NULL,
            placed_local datetime(6) NOT NULL
          )""");
    }
  }

  /**
   * Copies a schemas folder ({@code avro/}, {@code mappings/}, {@code migrations/}) into {@code into}, the
   * mappings' {@code source: public.<table>} renamed to {@code source: <database>.<table>}.
   *
   * @return {@code into}
   */
  public static Path schemasReading(String database, Path schemas, Path into) throws IOException {
    try (Stream<Path> files = Files.walk(schemas)) {
      for (Path file : files.toList()) {
        Path copy = into.resolve(schemas.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(copy);
        } else if (file.getParent().getFileName().toString().equals("mappings")) {
          Files.writeString(copy, MAPPING_SOURCE.matcher(Files.readString(file))
              .replaceAll(Matcher.quoteReplacement("source: " + database + ".")));
        } else {
          Files.copy(file, copy);
        }
      }
    }
    return into;
  }
}
