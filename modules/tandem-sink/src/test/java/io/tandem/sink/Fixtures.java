package io.tandem.sink;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.postgresql.ds.PGSimpleDataSource;

/** Schemas, records and database helpers shared by the sink's tests. */
final class Fixtures {
  static final Schema CUSTOMER = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"migrated","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string"},
        {"name":"email","type":["null","string"],"default":null},
        {"name":"tier","type":{"type":"enum","name":"Tier","symbols":["BASIC","GOLD"]}},
        {"name":"balance","type":["null",{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}],"default":null},
        {"name":"active","type":"boolean"},
        {"name":"created_at","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
        {"name":"birthday","type":["null",{"type":"int","logicalType":"date"}],"default":null}
      ]}""");
  static final Schema CUSTOMER_KEY = new Schema.Parser().parse("""
      {"type":"record","name":"CustomerKey","namespace":"migrated","fields":[{"name":"id","type":"long"}]}""");

  static final String TEST_MIGRATIONS = "classpath:sink-it/migrations";

  private Fixtures() {}

  static EntityTable customerTable(String topic) {
    return EntityTable.builder("customer", CUSTOMER).topic(topic).table("sink_it.customer").keyColumns("id").build();
  }

  static GenericRecord customerKey(long id) {
    return new GenericRecordBuilder(CUSTOMER_KEY).set("id", id).build();
  }

  static GenericRecord customer(long id, String name) {
    return new GenericRecordBuilder(CUSTOMER)
        .set("id", id)
        .set("name", name)
        .set("email", name.isEmpty() ? null : name.toLowerCase() + "@example.com")
        .set("tier", new GenericData.EnumSymbol(CUSTOMER.getField("tier").schema(), "GOLD"))
        .set("balance", decimal(new BigDecimal("1234.50"), CUSTOMER.getField("balance").schema().getTypes().get(1)))
        .set("active", true)
        .set("created_at", 1_700_000_000_000L)
        .set("birthday", 19_000)
        .build();
  }

  static ByteBuffer decimal(BigDecimal value, Schema schema) {
    return new Conversions.DecimalConversion().toBytes(value, schema, (LogicalTypes.Decimal) schema.getLogicalType());
  }

  static DataSource dataSource(EmbeddedPostgresServer pg, String database) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(database));
    ds.setUser(pg.user());
    return ds;
  }

  /** A fresh database with the sink's migrations and the test tables. */
  static String migratedDatabase(EmbeddedPostgresServer pg, String prefix) {
    String database = pg.createDatabase(prefix);
    SinkSchema.migrate(dataSource(pg, database), List.of(SinkSchema.BUNDLED_LOCATION, TEST_MIGRATIONS));
    return database;
  }

  /** Every row of a query, each as a list of column values as text (null stays null). */
  static List<List<String>> rows(EmbeddedPostgresServer pg, String database, String sql) {
    try (Connection connection = pg.connect(database); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<List<String>> rows = new ArrayList<>();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.add(rs.getString(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static String scalar(EmbeddedPostgresServer pg, String database, String sql) {
    List<List<String>> rows = rows(pg, database, sql);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  static void execute(EmbeddedPostgresServer pg, String database, String sql) {
    try (Connection connection = pg.connect(database); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
