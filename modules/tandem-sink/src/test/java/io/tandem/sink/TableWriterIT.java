package io.tandem.sink;

import static io.tandem.sink.Fixtures.customer;
import static io.tandem.sink.Fixtures.customerKey;
import static io.tandem.sink.Fixtures.customerTable;
import static io.tandem.sink.Fixtures.rows;
import static io.tandem.sink.Fixtures.scalar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SQL the sink runs, against a real PostgreSQL: conversions, position rules, tombstones, binding checks. */
class TableWriterIT {
  private static final Schema ALL_TYPES = new Schema.Parser().parse("""
      {"type":"record","name":"AllTypes","namespace":"t","fields":[
        {"name":"id","type":"long"},
        {"name":"i","type":["null","int"],"default":null},
        {"name":"f","type":["null","float"],"default":null},
        {"name":"d","type":"double"},
        {"name":"s","type":"string"},
        {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
        {"name":"b","type":"bytes"},
        {"name":"fx","type":{"type":"fixed","name":"F4","size":4}},
        {"name":"dec_bytes","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
        {"name":"dec_fixed","type":{"type":"fixed","name":"D8","size":8,"logicalType":"decimal","precision":18,"scale":4}},
        {"name":"dt","type":{"type":"int","logicalType":"date"}},
        {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
        {"name":"tm_micros","type":{"type":"long","logicalType":"time-micros"}},
        {"name":"ts_millis","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"ts_micros","type":{"type":"long","logicalType":"timestamp-micros"}},
        {"name":"lts_millis","type":{"type":"long","logicalType":"local-timestamp-millis"}},
        {"name":"lts_micros","type":{"type":"long","logicalType":"local-timestamp-micros"}},
        {"name":"u","type":{"type":"string","logicalType":"uuid"}},
        {"name":"j","type":"string"},
        {"name":"camelCase","type":"string"},
        {"name":"lowerMe","type":"string"}
      ]}""");
  private static final Schema ORDER_LINE = new Schema.Parser().parse("""
      {"type":"record","name":"OrderLine","namespace":"migrated","fields":[
        {"name":"order_id","type":"long"},{"name":"line_no","type":"int"},
        {"name":"sku","type":"string"},{"name":"qty","type":"int"}]}""");
  private static final Schema ORDER_LINE_KEY = new Schema.Parser().parse("""
      {"type":"record","name":"OrderLineKey","namespace":"migrated","fields":[
        {"name":"order_id","type":"long"},{"name":"line_no","type":"int"}]}""");

  private static EmbeddedPostgresServer pg;
  private String db;
  private final TableWriter writer = new TableWriter();
  private final EntityTable customers = customerTable("migrated.customer");

  @BeforeAll
  static void startPostgres() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @BeforeEach
  void freshDatabase() {
    db = Fixtures.migratedDatabase(pg, "writer");
  }

  @Test
  void convertsEveryAvroShapeToItsColumn() throws Exception {
    EntityTable table = EntityTable.builder("all_types", ALL_TYPES).table("sink_it.all_types").keyColumns("id").build();
    Schema decFixed = ALL_TYPES.getField("dec_fixed").schema();
    GenericRecord value = new GenericRecordBuilder(ALL_TYPES)
        .set("id", 1L).set("i", 42).set("f", 1.5f).set("d", 2.25).set("s", "héllo\t\"x\"\\")
        .set("e", new GenericData.EnumSymbol(ALL_TYPES.getField("e").schema(), "B"))
        .set("b", ByteBuffer.wrap(new byte[] {1, 2, (byte) 0xff}))
        .set("fx", new GenericData.Fixed(ALL_TYPES.getField("fx").schema(), new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}))
        .set("dec_bytes", Fixtures.decimal(new BigDecimal("12345.6789"), ALL_TYPES.getField("dec_bytes").schema()))
        .set("dec_fixed", new Conversions.DecimalConversion().toFixed(new BigDecimal("-1.5000"), decFixed,
            (LogicalTypes.Decimal) decFixed.getLogicalType()))
        .set("dt", 19_000).set("tm", 3_723_004).set("tm_micros", 3_723_004_005L)
        .set("ts_millis", 1_700_000_000_123L).set("ts_micros", 1_700_000_000_123_456L)
        .set("lts_millis", 1_700_000_000_123L).set("lts_micros", 1_700_000_000_123_456L)
        .set("u", "123e4567-e89b-12d3-a456-426614174000").set("j", "{\"a\": [1, 2]}")
        .set("camelCase", "c").set("lowerMe", "l")
        .build();
    GenericRecord nulls = new GenericRecordBuilder((GenericData.Record) value).set("id", 2L).set("i", null).set("f", null).build();

    assertThat(upsert(table, change(table, 1L, value, 10))).isEqualTo(1);
    assertThat(upsert(table, change(table, 2L, nulls, 10))).isEqualTo(1);

    assertThat(rows(pg, db, """
        select i, f, d, s, e, encode(b, 'hex'), encode(fx, 'hex'), dec_bytes, dec_fixed, dt, tm, tm_micros,
               to_char(ts_millis at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
               to_char(ts_micros at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
               lts_millis, lts_micros, u, j, "camelCase", lowerme, _tandem_position
        from sink_it.all_types order by id""")).containsExactly(
        List.of("42", "1.5", "2.25", "héllo\t\"x\"\\", "B", "0102ff", "deadbeef", "12345.6789", "-1.5000",
            LocalDate.ofEpochDay(19_000).toString(), "01:02:03.004", "01:02:03.004005",
            "2023-11-14 22:13:20.123000", "2023-11-14 22:13:20.123456",
            "2023-11-14 22:13:20.123", "2023-11-14 22:13:20.123456",
            "123e4567-e89b-12d3-a456-426614174000", "{\"a\": [1, 2]}", "c", "l", "10"),
        java.util.Arrays.asList(null, null, "2.25", "héllo\t\"x\"\\", "B", "0102ff", "deadbeef", "12345.6789", "-1.5000",
            LocalDate.ofEpochDay(19_000).toString(), "01:02:03.004", "01:02:03.004005",
            "2023-11-14 22:13:20.123000", "2023-11-14 22:13:20.123456",
            "2023-11-14 22:13:20.123", "2023-11-14 22:13:20.123456",
            "123e4567-e89b-12d3-a456-426614174000", "{\"a\": [1, 2]}", "c", "l", "10"));
  }

  @Test
  void aChangeAppliesOnlyIfItsPositionIsNewer() throws Exception {
    assertThat(upsert(customers, change(customers, 1L, customer(1, "first"), 10))).isEqualTo(1);
    assertThat(upsert(customers, change(customers, 1L, customer(1, "older"), 5))).isZero();
    assertThat(upsert(customers, change(customers, 1L, customer(1, "same position"), 10))).isZero();
    assertThat(upsert(customers, change(customers, 1L, customer(1, "newer"), 20))).isEqualTo(1);

    assertThat(rows(pg, db, "select name, _tandem_position, _tandem_commit_ts = to_timestamp(20) from sink_it.customer"))
        .containsExactly(List.of("newer", "20", "t"));
  }

  @Test
  void aDeleteLeavesATombstoneThatOlderChangesCannotPass() throws Exception {
    upsert(customers, change(customers, 1L, customer(1, "alive"), 10));

    assertThat(delete(customers, change(customers, 1L, null, 20))).isEqualTo(1);
    assertThat(scalar(pg, db, "select count(*) from sink_it.customer")).isEqualTo("0");
    assertThat(rows(pg, db, "select entity, key_json, position from tandem_sink_tombstones"))
        .containsExactly(List.of("customer", "{\"id\":1}", "20"));

    // A replay from before the delete does not bring the row back...
    assertThat(upsert(customers, change(customers, 1L, customer(1, "zombie"), 15))).isZero();
    assertThat(upsert(customers, change(customers, 1L, customer(1, "zombie"), 20))).isZero();
    assertThat(scalar(pg, db, "select count(*) from sink_it.customer")).isEqualTo("0");
    // ...an older delete does not move the tombstone back...
    assertThat(delete(customers, change(customers, 1L, null, 12))).isZero();
    assertThat(scalar(pg, db, "select position from tandem_sink_tombstones")).isEqualTo("20");
    // ...but a re-insert after the delete does.
    assertThat(upsert(customers, change(customers, 1L, customer(1, "reborn"), 30))).isEqualTo(1);
    assertThat(delete(customers, change(customers, 1L, null, 25))).isZero(); // older than the row: row stays
    assertThat(scalar(pg, db, "select position from tandem_sink_tombstones")).isEqualTo("25");
    assertThat(rows(pg, db, "select name, _tandem_position from sink_it.customer")).containsExactly(List.of("reborn", "30"));
  }

  @Test
  void compositeKeysWorkForUpsertsAndDeletes() throws Exception {
    EntityTable lines = EntityTable.builder("order_line", ORDER_LINE).table("sink_it.order_line")
        .keyColumns("order_id", "line_no").build();
    for (int line = 1; line <= 3; line++) {
      GenericRecord key = new GenericRecordBuilder(ORDER_LINE_KEY).set("order_id", 7L).set("line_no", line).build();
      GenericRecord value = new GenericRecordBuilder(ORDER_LINE).set("order_id", 7L).set("line_no", line)
          .set("sku", "sku-" + line).set("qty", line).build();
      upsert(lines, ChangeDecoder.change(lines, key, value, line, null, null));
    }
    GenericRecord key2 = new GenericRecordBuilder(ORDER_LINE_KEY).set("order_id", 7L).set("line_no", 2).build();
    Change delete = ChangeDecoder.change(lines, key2, null, 10, null, null);
    assertThat(delete.keyJson()).isEqualTo("{\"order_id\":7,\"line_no\":2}");
    assertThat(delete(lines, delete)).isEqualTo(1);

    assertThat(rows(pg, db, "select order_id, line_no, sku from sink_it.order_line order by line_no"))
        .containsExactly(List.of("7", "1", "sku-1"), List.of("7", "3", "sku-3"));
  }

  @Test
  void refusedValuesFailWithADataSqlState() throws Exception {
    SQLException blank = catchSql(() -> upsert(customers, change(customers, 1L, customer(1, ""), 1)));
    assertThat(SqlErrors.sqlState(blank)).isEqualTo("23514");
    assertThat(SqlErrors.isDataError(blank)).isTrue();
    assertThat(SqlErrors.describe(blank)).contains("23514", "customer_name_not_blank");

    GenericRecord longEmail = new GenericRecordBuilder((GenericData.Record) customer(2, "x")).set("email", "x".repeat(41)).build();
    SQLException tooLong = catchSql(() -> upsert(customers, change(customers, 2L, longEmail, 1)));
    assertThat(SqlErrors.sqlState(tooLong)).isEqualTo("22001"); // no silent truncation by the cast

    Schema jsonOnly = new Schema.Parser().parse("""
        {"type":"record","name":"AllTypes","namespace":"t","fields":[
          {"name":"id","type":"long"},{"name":"j","type":"string"}]}""");
    EntityTable badJson = EntityTable.builder("all_types", jsonOnly).table("sink_it.all_types").keyColumns("id").build();
    GenericRecord notJson = new GenericRecordBuilder(jsonOnly).set("id", 3L).set("j", "{not json").build();
    SQLException badType = catchSql(() -> upsert(badJson, ChangeDecoder.change(badJson, 3L, notJson, 1, null, null)));
    assertThat(SqlErrors.sqlState(badType)).isEqualTo("22P02");
  }

  @Test
  void bindingRefusesATableThatDoesNotFitTheEntity() throws Exception {
    Schema extra = new Schema.Parser().parse("""
        {"type":"record","name":"Customer","namespace":"migrated","fields":[
          {"name":"id","type":"long"},{"name":"nickname","type":"string"}]}""");
    try (Connection connection = pg.connect(db)) {
      assertThatThrownBy(() -> BoundTable.bind(connection,
          EntityTable.builder("customer", extra).table("sink_it.customer").keyColumns("id").build()))
          .hasMessageContaining("missing [nickname]");
      assertThatThrownBy(() -> BoundTable.bind(connection,
          EntityTable.builder("customer", Fixtures.CUSTOMER).table("sink_it.customer").keyColumns("name").build()))
          .hasMessageContaining("expected primary key [name], found [id]");
      assertThatThrownBy(() -> BoundTable.bind(connection,
          EntityTable.builder("customer", Fixtures.CUSTOMER).table("sink_it.nope").keyColumns("id").build()))
          .hasMessageContaining("no such table");
    }
  }

  private Change change(EntityTable table, long id, GenericRecord value, long position) {
    Object key = table == customers ? customerKey(id) : (Object) id;
    return ChangeDecoder.change(table, key, value, position, position * 1000, null);
  }

  private int upsert(EntityTable table, Change change) throws SQLException {
    try (Connection connection = pg.connect(db)) {
      connection.setAutoCommit(false);
      int n = writer.upsert(connection, BoundTable.bind(connection, table), List.of(change));
      connection.commit();
      return n;
    }
  }

  private int delete(EntityTable table, Change change) throws SQLException {
    try (Connection connection = pg.connect(db)) {
      connection.setAutoCommit(false);
      int n = writer.delete(connection, BoundTable.bind(connection, table), List.of(change));
      connection.commit();
      return n;
    }
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static SQLException catchSql(SqlAction action) {
    try {
      action.run();
    } catch (SQLException e) {
      return e;
    }
    throw new AssertionError("expected an SQLException");
  }
}
