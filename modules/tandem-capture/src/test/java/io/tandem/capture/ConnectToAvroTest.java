package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** Debezium-shaped Connect records to the raw-topic Avro format of docs/data-model.md. */
class ConnectToAvroTest {
  private static final String TOPIC = "legacy.shop.public.customers";

  private static final org.apache.kafka.connect.data.Schema KEY = SchemaBuilder.struct().name(TOPIC + ".Key")
      .field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA).build();

  private static final org.apache.kafka.connect.data.Schema ROW = SchemaBuilder.struct().name(TOPIC + ".Value")
      .field("id", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
      .field("name", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
      .field("balance", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
      .field("status", SchemaBuilder.string().optional().defaultValue("A").build())
      .field("created_at", SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").optional().build())
      .field("updated_at", SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").optional().build())
      .field("birthday", SchemaBuilder.int32().name("io.debezium.time.Date").optional().build())
      .field("stamped_ms", SchemaBuilder.int64().name("io.debezium.time.Timestamp").optional().build())
      .field("opens_at", SchemaBuilder.int64().name("io.debezium.time.MicroTime").optional().build())
      .field("small", org.apache.kafka.connect.data.Schema.OPTIONAL_INT16_SCHEMA)
      .field("active", org.apache.kafka.connect.data.Schema.BOOLEAN_SCHEMA)
      .field("photo", org.apache.kafka.connect.data.Schema.OPTIONAL_BYTES_SCHEMA)
      .field("ratio", org.apache.kafka.connect.data.Schema.OPTIONAL_FLOAT64_SCHEMA)
      .field("tags", SchemaBuilder.array(org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA).optional().build())
      .field("qty", SchemaBuilder.int32().defaultValue(0).build())
      .optional()
      .build();

  private static final org.apache.kafka.connect.data.Schema SOURCE = SchemaBuilder.struct()
      .name("io.debezium.connector.postgresql.Source")
      .field("ts_ms", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
      .field("snapshot", SchemaBuilder.string().optional().defaultValue("false").build())
      .field("db", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
      .field("schema", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
      .field("table", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
      .field("txId", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
      .field("lsn", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
      .build();

  private static final org.apache.kafka.connect.data.Schema ENVELOPE = envelope(ROW);

  private static final long SNAPSHOT_FLOOR = 999L;
  private final ConnectToAvro converter = new ConnectToAvro(() -> SNAPSHOT_FLOOR);

  private static org.apache.kafka.connect.data.Schema envelope(org.apache.kafka.connect.data.Schema row) {
    return SchemaBuilder.struct().name(TOPIC + ".Envelope")
        .field("before", row)
        .field("after", row)
        .field("source", SOURCE)
        .field("op", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
        .field("ts_ms", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
        .build();
  }

  private static Struct row(long id) {
    return new Struct(ROW)
        .put("id", id)
        .put("name", "Ada")
        .put("balance", "12.30")
        .put("created_at", 1_700_000_000_123_456L)
        .put("updated_at", "2024-03-01T10:15:30.123456Z")
        .put("birthday", 19_000)
        .put("stamped_ms", 1_700_000_000_123L)
        .put("opens_at", 34_200_000_000L)
        .put("small", (short) 7)
        .put("active", true)
        .put("photo", new byte[] {1, 2})
        .put("ratio", 0.5)
        .put("tags", List.of("a", "b"))
        .put("qty", 3);
  }

  private static Struct source(String snapshot, Long lsn) {
    return new Struct(SOURCE).put("ts_ms", 1_700_000_000_999L).put("snapshot", snapshot).put("db", "shop")
        .put("schema", "public").put("table", "customers").put("txId", 42L).put("lsn", lsn);
  }

  private static SourceRecord record(org.apache.kafka.connect.data.Schema envelope, String op, Struct before,
      Struct after, Struct source) {
    Struct value = new Struct(envelope).put("op", op).put("before", before).put("after", after).put("source", source);
    Struct key = new Struct(KEY).put("id", 1L);
    return new SourceRecord(Map.of(), Map.of(), TOPIC, null, KEY, key, envelope, value);
  }

  @Test
  void aMariaDbTransactionIsNamedByItsGtidsDomainAndSequence() {
    assertThat(ConnectToAvro.gtidId("0-1-1234")).isEqualTo(1234L);
    assertThat(ConnectToAvro.gtidId("0-2-1234")).as("the server does not name the transaction").isEqualTo(1234L);
    assertThat(ConnectToAvro.gtidId("1-1-1234")).isEqualTo((1L << 48) | 1234L);
    assertThat(ConnectToAvro.gtidId("not-a-gtid")).isNull();
    // MySQL: source_uuid:sequence; one server's transactions differ by their sequence.
    String server = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    assertThat(ConnectToAvro.gtidId(server + ":24") - ConnectToAvro.gtidId(server + ":23")).isEqualTo(1);
    assertThat(ConnectToAvro.gtidId(server + ":1-23")).isEqualTo(ConnectToAvro.gtidId(server + ":23"));
    assertThat(ConnectToAvro.gtidId("4e11fa47-71ca-11e1-9e33-c80aa9429562:23"))
        .isNotEqualTo(ConnectToAvro.gtidId(server + ":23"));
  }

  @Test
  void anInstantHasOneTextWhateverTheFractionPadding() {
    assertThat(ConnectToAvro.instantText("2038-01-19T03:14:07.100Z")).isEqualTo("2038-01-19T03:14:07.1Z");
    assertThat(ConnectToAvro.instantText("2026-10-25T01:30:00.000010Z")).isEqualTo("2026-10-25T01:30:00.00001Z");
    assertThat(ConnectToAvro.instantText("2026-10-25T01:30:00.000000Z")).isEqualTo("2026-10-25T01:30:00Z");
    assertThat(ConnectToAvro.instantText("2026-10-25T01:30:00.5Z")).isEqualTo("2026-10-25T01:30:00.5Z");
    assertThat(ConnectToAvro.instantText("2026-10-25T01:30:00Z")).isEqualTo("2026-10-25T01:30:00Z");
    assertThat(ConnectToAvro.instantText("2026-10-25T01:30:00.10+02:00")).as("not UTC text: untouched")
        .isEqualTo("2026-10-25T01:30:00.10+02:00");
  }

  @Test
  void snapshotReadBecomesChangeWithRowAndKey() {
    RawChange change = converter.convert(record(ENVELOPE, "r", null, row(1), source("last", 1234L)));

    GenericRecord value = change.value();
    assertThat(value.getSchema().getFullName()).isEqualTo(TOPIC + ".Change");
    assertThat(value.get("op")).isEqualTo("r");
    assertThat(value.get("before")).isNull();
    // Not Debezium's lsn (the slot's consistent point): the floor below every streamed change (CaptureEngineIT.aChangeInFlight...).
    assertThat(value.get("position")).isEqualTo(SNAPSHOT_FLOOR);
    assertThat(value.get("commit_ts")).isEqualTo(1_700_000_000_999L);
    assertThat(value.get("tx_id")).isEqualTo(42L);
    assertThat(value.get("snapshot")).isEqualTo(true);
    assertThat(value.get("source")).isEqualTo("shop.public.customers");
    assertThat(change.key().getSchema().getFullName()).isEqualTo(TOPIC + ".Key");
    assertThat(change.key().get("id")).isEqualTo(1L);
    assertThat(change.table()).isEqualTo("public.customers");
    assertThat(change.snapshotMarker()).isEqualTo("last");
    assertThat(GenericData.get().validate(value.getSchema(), value)).isTrue();
  }

  @Test
  void columnValuesFollowTheTypeTable() {
    GenericRecord after = (GenericRecord) converter.convert(record(ENVELOPE, "c", null, row(1), source("false", 9L)))
        .value().get("after");

    assertThat(after.get("balance")).isEqualTo("12.30");
    assertThat(after.get("created_at")).isEqualTo(1_700_000_000_123_456L);
    assertThat(after.get("updated_at")).isEqualTo("2024-03-01T10:15:30.123456Z");
    assertThat(after.get("birthday")).isEqualTo(19_000);
    assertThat(after.get("stamped_ms")).as("millis timestamps widen to micros").isEqualTo(1_700_000_000_123_000L);
    assertThat(after.get("opens_at")).isEqualTo(34_200_000_000L);
    assertThat(after.get("small")).isEqualTo(7);
    assertThat(after.get("photo")).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2}));
    assertThat(after.get("tags")).isEqualTo(List.of("a", "b"));
    assertThat(after.get("status")).as("NULL stays NULL, not the column default").isNull();
  }

  @Test
  void rowSchemaUsesLogicalTypesAndNullableUnions() {
    Schema row = converter.convert(record(ENVELOPE, "c", null, row(1), source("false", 9L))).value().getSchema()
        .getField("after").schema().getTypes().get(1);

    assertThat(row.getFullName()).isEqualTo(TOPIC + ".Row");
    assertThat(logical(row, "created_at")).isEqualTo("local-timestamp-micros");
    assertThat(logical(row, "stamped_ms")).isEqualTo("local-timestamp-micros");
    assertThat(logical(row, "birthday")).isEqualTo("date");
    assertThat(logical(row, "opens_at")).isEqualTo("time-micros");
    assertThat(nonNull(row, "updated_at").getType()).isEqualTo(Schema.Type.STRING);
    assertThat(nonNull(row, "balance").getType()).isEqualTo(Schema.Type.STRING);
    assertThat(row.getField("id").schema().getType()).isEqualTo(Schema.Type.LONG);
    assertThat(row.getField("name").schema().getTypes().get(0).getType()).isEqualTo(Schema.Type.NULL);
    assertThat(row.getField("name").defaultVal()).isEqualTo(org.apache.avro.JsonProperties.NULL_VALUE);
    assertThat(row.getField("qty").defaultVal()).as("NOT NULL column keeps its database default").isEqualTo(0);
    Schema change = converter.convert(record(ENVELOPE, "c", null, row(1), source("false", 9L))).value().getSchema();
    assertThat(change.getField("commit_ts").schema().getLogicalType().getName()).isEqualTo("timestamp-millis");
  }

  @Test
  void updatesCarryBothImagesAndAreNotSnapshot() {
    RawChange change = converter.convert(record(ENVELOPE, "u", row(1), row(1).put("name", "Grace"), source("false", 10L)));

    assertThat(((GenericRecord) change.value().get("before")).get("name")).isEqualTo("Ada");
    assertThat(((GenericRecord) change.value().get("after")).get("name")).isEqualTo("Grace");
    assertThat(change.value().get("snapshot")).isEqualTo(false);
    assertThat(change.snapshot()).isFalse();
  }

  @Test
  void schemasAreConvertedOncePerConnectSchema() {
    RawChange first = converter.convert(record(ENVELOPE, "c", null, row(1), source("false", 1L)));
    RawChange second = converter.convert(record(ENVELOPE, "c", null, row(2), source("false", 2L)));
    // A rebuilt but equal Connect schema still yields the very same Avro schema object.
    RawChange rebuilt = new ConnectToAvro(() -> SNAPSHOT_FLOOR).convert(record(envelope(ROW), "c", null, row(3), source("false", 3L)));

    assertThat(second.value().getSchema()).isSameAs(first.value().getSchema());
    assertThat(second.key().getSchema()).isSameAs(first.key().getSchema());
    assertThat(rebuilt.value().getSchema()).isEqualTo(first.value().getSchema());
  }

  @Test
  void onlyRowChangesAreChanges() {
    org.apache.kafka.connect.data.Schema heartbeat = SchemaBuilder.struct().name("io.debezium.connector.common.Heartbeat")
        .field("ts_ms", org.apache.kafka.connect.data.Schema.INT64_SCHEMA).build();

    assertThat(ConnectToAvro.isChange(record(ENVELOPE, "c", null, row(1), source("false", 1L)))).isTrue();
    assertThat(ConnectToAvro.isChange(record(ENVELOPE, "t", null, null, source("false", 1L)))).isFalse();
    assertThat(ConnectToAvro.isChange(new SourceRecord(Map.of(), Map.of(), "__debezium-heartbeat.legacy.shop", heartbeat,
        new Struct(heartbeat).put("ts_ms", 1L)))).isFalse();
    assertThat(ConnectToAvro.isChange(new SourceRecord(Map.of(), Map.of(), TOPIC, KEY, new Struct(KEY).put("id", 1L),
        null, null))).isFalse();
  }

  @Test
  void namesAvroCannotTakeAreRewritten() {
    assertThat(ConnectToAvro.namespace("legacy.my-db.public.9lives")).isEqualTo("legacy.my_db.public._9lives");
    assertThat(ConnectToAvro.avroName("größe")).isEqualTo("gr__e");
  }

  @Test
  void unconvertibleRecordsFailWithAReason() {
    org.apache.kafka.connect.data.Schema clash = SchemaBuilder.struct().name(TOPIC + ".Value").optional()
        .field("a-b", org.apache.kafka.connect.data.Schema.INT32_SCHEMA)
        .field("a_b", org.apache.kafka.connect.data.Schema.INT32_SCHEMA).build();
    org.apache.kafka.connect.data.Schema clashing = envelope(clash);
    SourceRecord record = record(clashing, "c", null, new Struct(clash).put("a-b", 1).put("a_b", 2), source("false", 1L));

    assertThatThrownBy(() -> converter.convert(record))
        .isInstanceOf(ConversionException.class).hasMessageContaining("a_b");
    assertThatThrownBy(() -> converter.convert(record(ENVELOPE, "c", null, row(1), source("false", null))))
        .isInstanceOf(ConversionException.class).hasMessageContaining("lsn");
  }

  @Test
  void rowsReadAgainOnRequestTakeTheirPositionFromTheSequence() {
    // Debezium 3.6's incremental-snapshot reads have no lsn and no txId, only the ordering pair.
    org.apache.kafka.connect.data.Schema source = SchemaBuilder.struct().name("io.debezium.connector.postgresql.Source")
        .field("ts_ms", org.apache.kafka.connect.data.Schema.INT64_SCHEMA)
        .field("snapshot", SchemaBuilder.string().optional().defaultValue("false").build())
        .field("db", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
        .field("sequence", org.apache.kafka.connect.data.Schema.OPTIONAL_STRING_SCHEMA)
        .field("schema", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
        .field("table", org.apache.kafka.connect.data.Schema.STRING_SCHEMA)
        .field("txId", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
        .field("lsn", org.apache.kafka.connect.data.Schema.OPTIONAL_INT64_SCHEMA)
        .build();
    org.apache.kafka.connect.data.Schema envelope = SchemaBuilder.struct().name(TOPIC + ".Envelope")
        .field("before", ROW).field("after", ROW).field("source", source)
        .field("op", org.apache.kafka.connect.data.Schema.STRING_SCHEMA).build();
    Struct read = new Struct(source).put("ts_ms", 1_700_000_001_000L).put("snapshot", "incremental").put("db", "shop")
        .put("sequence", "[\"26229488\",\"26229544\"]").put("schema", "public").put("table", "customers");

    SourceRecord record = record(envelope, "r", null, row(1), read);
    RawChange change = converter.convert(record);

    assertThat(change.value().get("position")).isEqualTo(26_229_544L);
    assertThat(change.value().get("tx_id")).isNull();
    assertThat(change.value().get("snapshot")).isEqualTo(true);
    assertThat(change.resnapshot()).isTrue();
    assertThat(ConnectToAvro.position(record)).isEqualTo(26_229_544L);
    assertThat(ConnectToAvro.sourceTable(record)).isEqualTo("public.customers");

    // Only for such reads: a streamed change without lsn still has no position.
    Struct streamed = new Struct(source).put("ts_ms", 1L).put("snapshot", "false").put("db", "shop")
        .put("sequence", "[null,\"5\"]").put("schema", "public").put("table", "customers");
    assertThatThrownBy(() -> converter.convert(record(envelope, "c", null, row(1), streamed)))
        .isInstanceOf(ConversionException.class).hasMessageContaining("lsn");
    assertThat(ConnectToAvro.sequenceLsn("[null,\"26227632\"]")).isEqualTo(26_227_632L);
    assertThat(ConnectToAvro.sequenceLsn("[\"1\",null]")).isNull();
    assertThat(ConnectToAvro.sequenceLsn("garbage")).isNull();
    assertThat(ConnectToAvro.sequenceLsn(null)).isNull();
  }

  private static Schema nonNull(Schema record, String field) {
    Schema schema = record.getField(field).schema();
    return schema.getType() == Schema.Type.UNION ? schema.getTypes().get(1) : schema;
  }

  private static String logical(Schema record, String field) {
    LogicalType type = nonNull(record, field).getLogicalType();
    return type == null ? null : type.getName();
  }
}
