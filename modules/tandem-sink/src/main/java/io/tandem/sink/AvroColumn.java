package io.tandem.sink;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;

/**
 * One entity field as a new-DB column: how a plain Avro value (as {@code GenericData} reads it,
 * without logical-type conversions) becomes PostgreSQL input text.
 *
 * <p>Every value travels as text and is cast to the column's type by the database (see
 * {@link BoundTable}). That keeps one code path for every type PostgreSQL can parse (uuid, jsonb,
 * enums, domains), and a value the column refuses fails in the database with a data SQLState,
 * which is what routes it to the dead-letter topic.
 */
record AvroColumn(String name, Kind kind, boolean nullable, int scale) {

  /** The Avro shapes the sink understands. */
  enum Kind {
    BOOLEAN, INT, LONG, FLOAT, DOUBLE, STRING, ENUM, BYTES, DECIMAL,
    DATE, TIME_MILLIS, TIME_MICROS,
    TIMESTAMP_MILLIS, TIMESTAMP_MICROS, TIMESTAMP_NANOS,
    LOCAL_TIMESTAMP_MILLIS, LOCAL_TIMESTAMP_MICROS, LOCAL_TIMESTAMP_NANOS
  }

  private static final HexFormat HEX = HexFormat.of();

  /** Reads a field's type; refuses shapes that have no single column (records, arrays, wide unions). */
  static AvroColumn of(Schema.Field field) {
    Schema schema = field.schema();
    boolean nullable = false;
    if (schema.getType() == Schema.Type.UNION) {
      List<Schema> branches = schema.getTypes();
      Schema nonNull = null;
      for (Schema branch : branches) {
        if (branch.getType() == Schema.Type.NULL) {
          nullable = true;
        } else if (nonNull == null) {
          nonNull = branch;
        } else {
          nonNull = null;
          break;
        }
      }
      if (nonNull == null || !nullable || branches.size() != 2) {
        throw unsupported(field, "a union other than [\"null\", T]");
      }
      schema = nonNull;
    }
    LogicalType logical = schema.getLogicalType();
    Kind kind;
    int scale = 0;
    switch (schema.getType()) {
      case BOOLEAN -> kind = Kind.BOOLEAN;
      case INT -> kind = logical instanceof LogicalTypes.Date ? Kind.DATE
          : logical instanceof LogicalTypes.TimeMillis ? Kind.TIME_MILLIS : Kind.INT;
      case LONG -> kind = longKind(logical);
      case FLOAT -> kind = Kind.FLOAT;
      case DOUBLE -> kind = Kind.DOUBLE;
      case STRING -> kind = Kind.STRING;
      case ENUM -> kind = Kind.ENUM;
      case BYTES, FIXED -> {
        if (logical instanceof LogicalTypes.Decimal decimal) {
          kind = Kind.DECIMAL;
          scale = decimal.getScale();
        } else {
          kind = Kind.BYTES;
        }
      }
      default -> throw unsupported(field, schema.getType().getName());
    }
    return new AvroColumn(field.name(), kind, nullable, scale);
  }

  private static Kind longKind(LogicalType logical) {
    if (logical == null) {
      return Kind.LONG;
    }
    return switch (logical.getName()) {
      case "time-micros" -> Kind.TIME_MICROS;
      case "timestamp-millis" -> Kind.TIMESTAMP_MILLIS;
      case "timestamp-micros" -> Kind.TIMESTAMP_MICROS;
      case "timestamp-nanos" -> Kind.TIMESTAMP_NANOS;
      case "local-timestamp-millis" -> Kind.LOCAL_TIMESTAMP_MILLIS;
      case "local-timestamp-micros" -> Kind.LOCAL_TIMESTAMP_MICROS;
      case "local-timestamp-nanos" -> Kind.LOCAL_TIMESTAMP_NANOS;
      default -> Kind.LONG;
    };
  }

  private static IllegalArgumentException unsupported(Schema.Field field, String what) {
    return new IllegalArgumentException("field '" + field.name() + "' has type " + what
        + "; a sink column needs boolean, int, long, float, double, string, enum, bytes, fixed,"
        + " a logical type on those, or [\"null\", one of them]");
  }

  /** PostgreSQL input text for a plain Avro value; {@code null} stays SQL NULL. */
  String toText(Object value) {
    if (value == null) {
      return null;
    }
    return switch (kind) {
      case BOOLEAN -> ((Boolean) value) ? "t" : "f";
      case INT, LONG -> value.toString();
      case FLOAT -> floatText(((Number) value).doubleValue(), value.toString());
      case DOUBLE -> floatText((Double) value, value.toString());
      case STRING, ENUM -> value.toString();
      case BYTES -> "\\x" + HEX.formatHex(bytes(value));
      case DECIMAL -> new BigDecimal(new BigInteger(bytes(value)), scale).toPlainString();
      case DATE -> LocalDate.ofEpochDay((Integer) value).toString();
      case TIME_MILLIS -> LocalTime.ofNanoOfDay((Integer) value * 1_000_000L).toString();
      case TIME_MICROS -> LocalTime.ofNanoOfDay((Long) value * 1_000L).toString();
      case TIMESTAMP_MILLIS -> Instant.ofEpochMilli((Long) value).toString();
      case TIMESTAMP_MICROS -> micros((Long) value).toString();
      case TIMESTAMP_NANOS -> nanos((Long) value).toString();
      case LOCAL_TIMESTAMP_MILLIS -> LocalDateTime.ofInstant(Instant.ofEpochMilli((Long) value), ZoneOffset.UTC)
          .toString();
      case LOCAL_TIMESTAMP_MICROS -> LocalDateTime.ofInstant(micros((Long) value), ZoneOffset.UTC).toString();
      case LOCAL_TIMESTAMP_NANOS -> LocalDateTime.ofInstant(nanos((Long) value), ZoneOffset.UTC).toString();
    };
  }

  // PostgreSQL spells the special values this way; Java's toString is otherwise valid float input.
  private static String floatText(double d, String text) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return text;
  }

  private static Instant micros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private static Instant nanos(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  static byte[] bytes(Object value) {
    if (value instanceof ByteBuffer buffer) {
      ByteBuffer copy = buffer.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return bytes;
    }
    if (value instanceof GenericFixed fixed) {
      return fixed.bytes();
    }
    return (byte[]) value;
  }
}
