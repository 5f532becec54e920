package io.tandem.capture;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.avro.JsonProperties;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns Debezium's Connect change records into the raw-topic Avro records of docs/data-model.md:
 * key {@code <ns>.Key}, value {@code <ns>.Change} with {@code <ns>.Row} before/after images, where
 * {@code <ns>} is the topic name made a valid Avro namespace.
 *
 * <p>Column types follow Debezium's semantic type names ({@code io.debezium.time.MicroTimestamp},
 * ...) so that every time column gets one Avro type whatever precision the column has. Converted
 * schemas are cached per Connect schema instance: Debezium reuses one instance per table until the
 * table changes, and equal Avro schemas are interned so the serializer's identity cache stays warm.
 */
final class ConnectToAvro {
  private static final Set<String> CHANGE_OPS = Set.of("c", "u", "d", "r");
  private static final int MAX_CACHED = 10_000;
  private static final long MICROS_PER_MILLI = 1_000L;
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private static final Schema STRING = Schema.create(Schema.Type.STRING);
  private static final Schema LONG = Schema.create(Schema.Type.LONG);
  private static final Schema BOOLEAN = Schema.create(Schema.Type.BOOLEAN);
  private static final Schema TIMESTAMP_MILLIS = LogicalTypes.timestampMillis().addToSchema(Schema.create(Schema.Type.LONG));

  /** A value converter compiled once per Connect schema. */
  private interface Converter extends Function<Object, Object> {}

  private record Compiled(Schema schema, Converter converter) {}

  /** The converted schemas of one table's envelope, and how to fill them. */
  private record ChangeShape(Schema change, Compiled row, SourceFields source) {}

  /** Identity on the Connect schema: deep hashing it on every record would cost more than converting. */
  private record Identity(String topic, org.apache.kafka.connect.data.Schema schema) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Identity other && other.schema == schema && other.topic.equals(topic);
    }

    @Override
    public int hashCode() {
      return 31 * topic.hashCode() + System.identityHashCode(schema);
    }
  }

  private final LongSupplier snapshotFloor;
  private final Map<Identity, Compiled> keys = new ConcurrentHashMap<>();
  private final Map<Identity, ChangeShape> changes = new ConcurrentHashMap<>();
  private final Map<Schema, Schema> interned = new ConcurrentHashMap<>();

  private final SourceKind kind;

  /** @param snapshotFloor the position of initial-snapshot rows ({@link SnapshotFloor}) */
  ConnectToAvro(LongSupplier snapshotFloor) {
    this(snapshotFloor, SourceKind.POSTGRES);
  }

  /**
   * @param snapshotFloor the position of initial-snapshot rows of PostgreSQL ({@link SnapshotFloor}); MariaDB's
   *     come from the binlog coordinates in each row ({@link BinlogPosition})
   */
  ConnectToAvro(LongSupplier snapshotFloor, SourceKind kind) {
    this.snapshotFloor = snapshotFloor;
    this.kind = kind;
  }

  /** Whether {@code record} is a row change (c, u, d, r) rather than a heartbeat, tombstone or message. */
  static boolean isChange(SourceRecord record) {
    if (!(record.value() instanceof Struct value)) {
      return false;
    }
    org.apache.kafka.connect.data.Schema schema = value.schema();
    if (schema.field("op") == null || schema.field("source") == null || schema.field("after") == null) {
      return false;
    }
    Object op = value.get("op");
    return op instanceof String s && CHANGE_OPS.contains(s);
  }

  /** {@code schema.table} from the record's source block, or null if it has none. */
  static String sourceTable(SourceRecord record) {
    if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
      return null;
    }
    Struct source = value.getStruct("source");
    if (source == null || source.schema().field("table") == null) {
      return null;
    }
    // MariaDB has databases where PostgreSQL has schemas: its "db" plays the schema's part.
    String schemaField = source.schema().field("schema") != null ? "schema" : "db";
    if (source.schema().field(schemaField) == null) {
      return null;
    }
    Object schema = source.get(schemaField);
    Object table = source.get("table");
    return schema == null || table == null ? null : schema + "." + table;
  }

  /**
   * Converts a change record (see {@link #isChange}).
   *
   * @throws ConversionException if a column type has no Avro mapping or the source position is missing
   */
  RawChange convert(SourceRecord record) {
    String topic = record.topic();
    Struct envelope = (Struct) record.value();
    ChangeShape shape = cached(changes, new Identity(topic, envelope.schema()), () -> changeShape(topic, envelope.schema()));
    SourceFields source = shape.source();
    Struct sourceStruct = envelope.getStruct("source");
    String op = envelope.getString("op");
    String marker = source.string(sourceStruct, "snapshot");
    boolean snapshot = "r".equals(op) && marker != null && !marker.equals("false");
    Long position;
    if (kind.binlog()) {
      String file = source.string(sourceStruct, "file");
      Long offset = source.number(sourceStruct, "pos");
      if (offset == null) {
        throw new ConversionException("source has no binlog pos: cannot give the change a position");
      }
      Long row = source.number(sourceStruct, "row");
      position = snapshot ? BinlogPosition.snapshot(file, offset)
          : BinlogPosition.of(file, offset, row == null ? 0 : row.intValue());
    } else {
      position = snapshot && !RawChange.INCREMENTAL.equals(marker)
          ? Long.valueOf(snapshotFloor.getAsLong())
          : position(source, sourceStruct, op, marker);
    }
    if (position == null) {
      throw new ConversionException("source has no lsn: cannot give the change a position");
    }
    Long commitTs = source.number(sourceStruct, "ts_ms");
    if (commitTs == null) {
      throw new ConversionException("source has no ts_ms: cannot give the change a commit time");
    }
    String schemaName = kind.binlog() ? source.string(sourceStruct, "db")
        : source.string(sourceStruct, "schema");
    String tableName = source.string(sourceStruct, "table");

    GenericData.Record value = new GenericData.Record(shape.change());
    value.put("op", op);
    value.put("before", convertRow(shape.row(), envelope.getWithoutDefault("before")));
    value.put("after", convertRow(shape.row(), envelope.getWithoutDefault("after")));
    value.put("position", position);
    value.put("commit_ts", commitTs);
    value.put("tx_id", source.number(sourceStruct, "txId"));
    value.put("snapshot", snapshot);
    value.put("source", source.string(sourceStruct, "db") + "." + schemaName + "." + tableName);

    GenericRecord key = null;
    if (record.key() != null && record.keySchema() != null) {
      Compiled keyShape = cached(keys, new Identity(topic, record.keySchema()),
          () -> record(record.keySchema(), "Key", namespace(topic), new HashMap<>(), true));
      key = (GenericRecord) keyShape.converter().apply(record.key());
    }
    return new RawChange(topic, key, value, schemaName + "." + tableName, op, position, snapshot ? marker : null);
  }

  /**
   * The change's position as Debezium gives it. Streamed changes carry their LSN in {@code source.lsn}
   * (initial-snapshot rows carry the slot's consistent point there, which {@link #convert} replaces by the
   * {@link SnapshotFloor}). Rows read again on request (Debezium incremental snapshot, {@code snapshot=incremental})
   * carry none in Debezium 3.6; their {@code source.sequence} ({@code ["<last commit lsn>","<lsn>"]})
   * holds the LSN of the event that closed their snapshot window, which is the position they get
   * (docs/capture.md, <i>Positions</i>).
   */
  private static Long position(SourceFields source, Struct sourceStruct, String op, String marker) {
    Long lsn = source.number(sourceStruct, "lsn");
    if (lsn != null || !"r".equals(op) || !RawChange.INCREMENTAL.equals(marker)) {
      return lsn;
    }
    return sequenceLsn(source.string(sourceStruct, "sequence"));
  }

  /** The second element of Debezium's PostgreSQL {@code sequence}, {@code ["<last commit lsn>","<lsn>"]}; null if absent. */
  static Long sequenceLsn(String sequence) {
    if (sequence == null) {
      return null;
    }
    String inner = sequence.trim();
    if (!inner.startsWith("[") || !inner.endsWith("]")) {
      return null;
    }
    String[] parts = inner.substring(1, inner.length() - 1).split(",");
    if (parts.length != 2) {
      return null;
    }
    String last = parts[1].trim();
    if (last.length() >= 2 && last.startsWith("\"") && last.endsWith("\"")) {
      last = last.substring(1, last.length() - 1);
    }
    try {
      return Long.parseLong(last);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The source transaction id ({@code source.txId}), or null if the record has none (snapshots may not). */
  static Long txId(SourceRecord record) {
    if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
      return null;
    }
    Struct source = value.getStruct("source");
    if (source == null) {
      return null;
    }
    if (source.schema().field("txId") == null) {
      return source.schema().field("gtid") != null && source.get("gtid") instanceof String gtid ? gtidId(gtid) : null;
    }
    return source.get("txId") instanceof Number n ? n.longValue() : null;
  }

  /**
   * A MariaDB transaction's id from its GTID {@code domain-server-sequence}: the sequence is unique within a
   * domain, so domain and sequence name the transaction (up to 2^15 domains and 2^48 transactions each).
   */
  static Long gtidId(String gtid) {
    int colon = gtid.lastIndexOf(':');
    if (colon > 0) {
      return mysqlGtidId(gtid.substring(0, colon), gtid.substring(colon + 1));
    }
    String[] parts = gtid.split("-");
    if (parts.length != 3) {
      return null;
    }
    try {
      long domain = Long.parseLong(parts[0]);
      long sequence = Long.parseLong(parts[2]);
      return domain << 48 | (sequence & 0xFFFF_FFFF_FFFFL);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** MySQL's GTID {@code source_uuid:sequence} (a set {@code uuid:1-5} names its last transaction). */
  private static Long mysqlGtidId(String uuid, String sequence) {
    try {
      java.util.UUID server = java.util.UUID.fromString(uuid);
      String last = sequence.substring(sequence.lastIndexOf('-') + 1);
      long mixed = (server.getMostSignificantBits() ^ server.getLeastSignificantBits()) * 0x9E37_79B9_7F4A_7C15L;
      return mixed + Long.parseLong(last);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The change's op (c, u, d, r), or null. */
  static String op(SourceRecord record) {
    return record.value() instanceof Struct value && value.schema().field("op") != null ? value.getString("op") : null;
  }

  /** Debezium's position of a record, for dead-letter headers; null if it has none. */
  static Long position(SourceRecord record) {
    try {
      Struct envelope = (Struct) record.value();
      Struct sourceStruct = envelope.getStruct("source");
      SourceFields source = new SourceFields(sourceStruct.schema());
      String op = envelope.schema().field("op") == null ? null : envelope.getString("op");
      return position(source, sourceStruct, op, source.string(sourceStruct, "snapshot"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code legacy.db.public.customers} as an Avro namespace: every part a valid Avro name. */
  static String namespace(String topic) {
    List<String> parts = new ArrayList<>();
    for (String part : topic.split("\\.", -1)) {
      parts.add(avroName(part));
    }
    return String.join(".", parts);
  }

  /** Characters Avro does not allow in a name become {@code _}; a leading digit gets a {@code _} in front. */
  static String avroName(String name) {
    StringBuilder out = new StringBuilder(name.length() + 1);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      out.append(allowed ? c : '_');
    }
    if (out.length() == 0 || (out.charAt(0) >= '0' && out.charAt(0) <= '9')) {
      out.insert(0, '_');
    }
    return out.toString();
  }

  private Object convertRow(Compiled row, Object value) {
    return value == null ? null : row.converter().apply(value);
  }

  private ChangeShape changeShape(String topic, org.apache.kafka.connect.data.Schema envelope) {
    String namespace = namespace(topic);
    org.apache.kafka.connect.data.Schema rowSchema = envelope.field("after").schema();
    if (rowSchema.type() != org.apache.kafka.connect.data.Schema.Type.STRUCT) {
      throw new ConversionException("envelope field 'after' is a " + rowSchema.type() + ", expected a STRUCT");
    }
    Compiled row = record(rowSchema, "Row", namespace, new HashMap<>(), false);
    Schema optionalRow = Schema.createUnion(Schema.create(Schema.Type.NULL), row.schema());
    List<Schema.Field> fields = List.of(
        new Schema.Field("op", STRING, "c insert, u update, d delete, r snapshot read"),
        new Schema.Field("before", optionalRow, "row before the change", JsonProperties.NULL_VALUE),
        new Schema.Field("after", optionalRow, "row after the change", JsonProperties.NULL_VALUE),
        new Schema.Field("position", LONG, "source position (PostgreSQL LSN)"),
        new Schema.Field("commit_ts", TIMESTAMP_MILLIS, "legacy commit time"),
        new Schema.Field("tx_id", Schema.createUnion(Schema.create(Schema.Type.NULL), LONG),
            "legacy transaction id", JsonProperties.NULL_VALUE),
        new Schema.Field("snapshot", BOOLEAN, "true for rows read by the initial snapshot"),
        new Schema.Field("source", STRING, "<db>.<schema>.<table>"));
    Schema change = intern(Schema.createRecord("Change", null, namespace, false, fields));
    org.apache.kafka.connect.data.Field sourceField = envelope.field("source");
    return new ChangeShape(change, row, new SourceFields(sourceField.schema()));
  }

  /**
   * A Connect STRUCT as an Avro record; {@code named} keeps nested record names unique within one
   * schema; a top-level schema is interned.
   */
  private Compiled record(org.apache.kafka.connect.data.Schema struct, String name, String namespace,
      Map<String, Schema> named, boolean topLevel) {
    List<Schema.Field> fields = new ArrayList<>();
    List<Converter> converters = new ArrayList<>();
    List<String> connectNames = new ArrayList<>();
    Map<String, String> columnByAvroName = new HashMap<>();
    for (Field field : struct.fields()) {
      String avroField = avroName(field.name());
      String clash = columnByAvroName.putIfAbsent(avroField, field.name());
      if (clash != null) {
        throw new ConversionException("columns '" + clash + "' and '" + field.name() + "' of " + namespace
            + " would both be the Avro field '" + avroField + "'");
      }
      Compiled type = optional(field.schema(), field.name(), namespace, named);
      Object defaultValue = defaultFor(field.schema(), type);
      fields.add(new Schema.Field(avroField, type.schema(), null, defaultValue));
      converters.add(type.converter());
      connectNames.add(field.name());
    }
    Schema schema = Schema.createRecord(name, null, namespace, false, fields);
    Schema previous = named.putIfAbsent(schema.getFullName(), schema);
    if (previous != null) {
      if (!previous.equals(schema)) {
        throw new ConversionException("two different structures both named " + schema.getFullName());
      }
      schema = previous;
    }
    Schema result = topLevel ? intern(schema) : schema;
    int size = converters.size();
    Converter converter = value -> {
      Struct in = (Struct) value;
      GenericData.Record out = new GenericData.Record(result);
      for (int i = 0; i < size; i++) {
        // Without default: Connect would turn a NULL column into the column's default value.
        Object fieldValue = in.getWithoutDefault(connectNames.get(i));
        out.put(i, fieldValue == null ? null : converters.get(i).apply(fieldValue));
      }
      return out;
    };
    return new Compiled(result, converter);
  }

  // Nullable columns are ["null", T] with default null (docs/data-model.md).
  private Compiled optional(org.apache.kafka.connect.data.Schema schema, String column, String namespace,
      Map<String, Schema> named) {
    Compiled type = type(schema, column, namespace, named);
    if (!schema.isOptional()) {
      return type;
    }
    return new Compiled(Schema.createUnion(Schema.create(Schema.Type.NULL), type.schema()), type.converter());
  }

  // A NOT NULL column with a database default keeps it, so adding such a column stays backward compatible.
  private static Object defaultFor(org.apache.kafka.connect.data.Schema connect, Compiled type) {
    if (connect.isOptional()) {
      return JsonProperties.NULL_VALUE;
    }
    Object connectDefault = connect.defaultValue();
    if (connectDefault == null) {
      return null;
    }
    Object converted;
    try {
      converted = type.converter().apply(connectDefault);
    } catch (RuntimeException e) {
      return null;
    }
    boolean jsonable = converted instanceof Number || converted instanceof Boolean || converted instanceof String;
    return jsonable ? converted : null;
  }

  private Compiled type(org.apache.kafka.connect.data.Schema schema, String column, String namespace,
      Map<String, Schema> named) {
    String semantic = schema.name();
    if (semantic != null) {
      Compiled logical = logical(semantic, schema);
      if (logical != null) {
        return logical;
      }
    }
    switch (schema.type()) {
      case INT8:
      case INT16:
        return new Compiled(Schema.create(Schema.Type.INT), v -> ((Number) v).intValue());
      case INT32:
        return new Compiled(Schema.create(Schema.Type.INT), v -> v);
      case INT64:
        return new Compiled(Schema.create(Schema.Type.LONG), v -> v);
      case FLOAT32:
        return new Compiled(Schema.create(Schema.Type.FLOAT), v -> v);
      case FLOAT64:
        return new Compiled(Schema.create(Schema.Type.DOUBLE), v -> v);
      case BOOLEAN:
        return new Compiled(Schema.create(Schema.Type.BOOLEAN), v -> v);
      case STRING:
        return new Compiled(Schema.create(Schema.Type.STRING), v -> v);
      case BYTES:
        return new Compiled(Schema.create(Schema.Type.BYTES), ConnectToAvro::bytes);
      case ARRAY: {
        Compiled element = optional(schema.valueSchema(), column, namespace, named);
        Converter each = element.converter();
        return new Compiled(Schema.createArray(element.schema()), v -> {
          List<?> in = (List<?>) v;
          List<Object> out = new ArrayList<>(in.size());
          for (Object item : in) {
            out.add(item == null ? null : each.apply(item));
          }
          return out;
        });
      }
      case MAP: {
        if (schema.keySchema().type() != org.apache.kafka.connect.data.Schema.Type.STRING) {
          throw new ConversionException("column '" + column + "' is a map with " + schema.keySchema().type()
              + " keys; Avro maps need string keys");
        }
        Compiled element = optional(schema.valueSchema(), column, namespace, named);
        Converter each = element.converter();
        return new Compiled(Schema.createMap(element.schema()), v -> {
          Map<?, ?> in = (Map<?, ?>) v;
          Map<String, Object> out = new HashMap<>(in.size() * 2);
          in.forEach((k, item) -> out.put((String) k, item == null ? null : each.apply(item)));
          return out;
        });
      }
      case STRUCT: {
        String name = semantic == null ? avroName(column) : avroName(semantic.substring(semantic.lastIndexOf('.') + 1));
        return record(schema, name, namespace, named, false);
      }
      default:
        throw new ConversionException("column '" + column + "' has Connect type " + schema.type()
            + (semantic == null ? "" : " (" + semantic + ")") + " with no Avro mapping");
    }
  }

  /** Debezium's and Connect's semantic types, mapped per docs/data-model.md; null if not a special type. */
  private static Compiled logical(String semantic, org.apache.kafka.connect.data.Schema schema) {
    switch (semantic) {
      case "io.debezium.time.Date":
        return new Compiled(date(), v -> v);
      case org.apache.kafka.connect.data.Date.LOGICAL_NAME:
        return new Compiled(date(), v -> (int) Math.floorDiv(((java.util.Date) v).getTime(), MILLIS_PER_DAY));
      case "io.debezium.time.MicroTimestamp":
        return new Compiled(localTimestampMicros(), v -> v);
      case "io.debezium.time.Timestamp":
        // timestamp(0..3) columns come as millis in adaptive mode; one Avro type for every precision.
        return new Compiled(localTimestampMicros(), v -> ((Long) v) * MICROS_PER_MILLI);
      case "io.debezium.time.NanoTimestamp":
        return new Compiled(localTimestampMicros(), v -> Math.floorDiv((Long) v, 1_000L));
      case org.apache.kafka.connect.data.Timestamp.LOGICAL_NAME:
        return new Compiled(localTimestampMicros(), v -> ((java.util.Date) v).getTime() * MICROS_PER_MILLI);
      case "io.debezium.time.MicroTime":
        return new Compiled(timeMicros(), v -> v);
      case "io.debezium.time.Time":
        return new Compiled(timeMicros(), v -> ((Integer) v) * MICROS_PER_MILLI);
      case "io.debezium.time.NanoTime":
        return new Compiled(timeMicros(), v -> Math.floorDiv((Long) v, 1_000L));
      case org.apache.kafka.connect.data.Time.LOGICAL_NAME:
        return new Compiled(timeMicros(), v -> ((java.util.Date) v).getTime() * MICROS_PER_MILLI);
      case "io.debezium.time.ZonedTimestamp":
        return new Compiled(Schema.create(Schema.Type.STRING), v -> instantText((String) v));
      case Decimal.LOGICAL_NAME:
        // Only with decimal.handling.mode=precise; the contract is the exact text either way.
        return new Compiled(Schema.create(Schema.Type.STRING), v -> ((BigDecimal) v).toPlainString());
      case "io.debezium.data.VariableScaleDecimal":
        return new Compiled(Schema.create(Schema.Type.STRING), v -> {
          Struct s = (Struct) v;
          return new BigDecimal(new BigInteger(s.getBytes("value")), s.getInt32("scale")).toPlainString();
        });
      default:
        return null;
    }
  }

  /**
   * One text per instant: MariaDB's binlog pads the fraction to the column's precision ({@code 07.100Z} for a
   * TIMESTAMP(3)) where its snapshot and PostgreSQL do not ({@code 07.1Z}); trailing zeros are dropped so a row
   * reads the same however it was captured (docs/data-model.md).
   */
  static String instantText(String text) {
    int dot = text.lastIndexOf('.');
    if (dot < 0 || !text.endsWith("Z")) {
      return text;
    }
    int end = text.length() - 1;
    while (end > dot + 1 && text.charAt(end - 1) == '0') {
      end--;
    }
    if (end == dot + 1) {
      end = dot; // no fraction left
    }
    for (int i = dot + 1; i < end; i++) {
      if (!Character.isDigit(text.charAt(i))) {
        return text;
      }
    }
    return text.substring(0, end) + "Z";
  }

  private static Schema date() {
    return LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
  }

  private static Schema localTimestampMicros() {
    return LogicalTypes.localTimestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Schema timeMicros() {
    return LogicalTypes.timeMicros().addToSchema(Schema.create(Schema.Type.LONG));
  }

  private static Object bytes(Object value) {
    if (value instanceof byte[] array) {
      return ByteBuffer.wrap(array);
    }
    if (value instanceof ByteBuffer buffer) {
      return buffer;
    }
    throw new ConversionException("expected bytes, got a " + value.getClass().getName());
  }

  private Schema intern(Schema schema) {
    if (interned.size() >= MAX_CACHED) {
      interned.clear();
    }
    Schema previous = interned.putIfAbsent(schema, schema);
    return previous == null ? schema : previous;
  }

  private static <K, V> V cached(Map<K, V> cache, K key, java.util.function.Supplier<V> compute) {
    V value = cache.get(key);
    if (value != null) {
      return value;
    }
    if (cache.size() >= MAX_CACHED) {
      cache.clear(); // schemas rebuilt per record would otherwise grow this without bound
    }
    value = compute.get();
    cache.put(key, value);
    return value;
  }

  /** Reads the source block's fields by name when present: connectors differ in which they carry. */
  private static final class SourceFields {
    private final org.apache.kafka.connect.data.Schema schema;

    SourceFields(org.apache.kafka.connect.data.Schema schema) {
      this.schema = schema;
    }

    Long number(Struct source, String name) {
      if (source == null || schema.field(name) == null) {
        return null;
      }
      Object value = source.get(name);
      return value == null ? null : ((Number) value).longValue();
    }

    String string(Struct source, String name) {
      if (source == null || schema.field(name) == null) {
        return null;
      }
      Object value = source.get(name);
      return value == null ? null : value.toString();
    }
  }
}
