package io.tandem.verify;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * One entity field's canonical text, computed two ways that must agree: in Java from the Avro value
 * the mapping produces, and in SQL from the column the sink wrote. Comparing canonical texts (not
 * driver objects) keeps precision, time zones and enum/text differences from causing false alarms.
 */
record FieldForm(String name, Kind kind, int scale) {
  enum Kind { INT, LONG, BOOLEAN, STRING, ENUM, FLOAT, DOUBLE, BYTES, DECIMAL, DATE, TIME_MICROS, TIME_MILLIS,
    TIMESTAMP_MILLIS, TIMESTAMP_MICROS, LOCAL_TIMESTAMP_MILLIS, LOCAL_TIMESTAMP_MICROS }

  private static final HexFormat HEX = HexFormat.of();

  static FieldForm of(Schema.Field field) {
    Schema schema = field.schema();
    if (schema.getType() == Schema.Type.UNION) {
      List<Schema> branches = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).toList();
      if (branches.size() != 1) {
        throw new IllegalArgumentException("field '" + field.name() + "': only [\"null\", T] unions can be verified");
      }
      schema = branches.get(0);
    }
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case INT:
        if (logical instanceof LogicalTypes.Date) {
          return new FieldForm(field.name(), Kind.DATE, 0);
        }
        if (logical instanceof LogicalTypes.TimeMillis) {
          return new FieldForm(field.name(), Kind.TIME_MILLIS, 0);
        }
        return new FieldForm(field.name(), Kind.INT, 0);
      case LONG:
        if (logical instanceof LogicalTypes.TimestampMillis) {
          return new FieldForm(field.name(), Kind.TIMESTAMP_MILLIS, 0);
        }
        if (logical instanceof LogicalTypes.TimestampMicros) {
          return new FieldForm(field.name(), Kind.TIMESTAMP_MICROS, 0);
        }
        if (logical instanceof LogicalTypes.LocalTimestampMillis) {
          return new FieldForm(field.name(), Kind.LOCAL_TIMESTAMP_MILLIS, 0);
        }
        if (logical instanceof LogicalTypes.LocalTimestampMicros) {
          return new FieldForm(field.name(), Kind.LOCAL_TIMESTAMP_MICROS, 0);
        }
        if (logical instanceof LogicalTypes.TimeMicros) {
          return new FieldForm(field.name(), Kind.TIME_MICROS, 0);
        }
        return new FieldForm(field.name(), Kind.LONG, 0);
      case BOOLEAN:
        return new FieldForm(field.name(), Kind.BOOLEAN, 0);
      case STRING:
        return new FieldForm(field.name(), Kind.STRING, 0);
      case ENUM:
        return new FieldForm(field.name(), Kind.ENUM, 0);
      case FLOAT:
        return new FieldForm(field.name(), Kind.FLOAT, 0);
      case DOUBLE:
        return new FieldForm(field.name(), Kind.DOUBLE, 0);
      case BYTES:
        if (logical instanceof LogicalTypes.Decimal decimal) {
          return new FieldForm(field.name(), Kind.DECIMAL, decimal.getScale());
        }
        return new FieldForm(field.name(), Kind.BYTES, 0);
      default:
        throw new IllegalArgumentException("field '" + field.name() + "': " + schema.getType()
            + " has no single column and cannot be verified");
    }
  }

  /**
   * Whether the fingerprint hashes this field as a bigint ({@code hashint8extended}) rather than as
   * text: integers, dates, times and timestamps (their canonical text is that integer).
   */
  boolean integral() {
    switch (kind) {
      case INT:
      case LONG:
      case DATE:
      case TIME_MILLIS:
      case TIME_MICROS:
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MILLIS:
      case LOCAL_TIMESTAMP_MICROS:
        return true;
      default:
        return false;
    }
  }

  /** For an {@link #integral()} field: the bigint SQL whose decimal text is {@link #sql}. */
  String sqlInteger(String column) {
    String text = sql(column);
    return "(" + text.substring(0, text.length() - "::text".length()) + ")::bigint";
  }

  /** The canonical text of an Avro value of this field (null stays null). */
  String text(Object avro) {
    if (avro == null) {
      return null;
    }
    if (avro instanceof Long || avro instanceof Integer) {
      return avro.toString();
    }
    StringBuilder text = new StringBuilder();
    append(text, avro);
    return text.toString();
  }

  /** Appends the canonical text of a non-null Avro value (numbers without making a String). */
  void append(StringBuilder out, Object avro) {
    switch (kind) {
      case INT:
      case DATE:
      case TIME_MILLIS:
        out.append(((Number) avro).intValue());
        return;
      case LONG:
      case TIME_MICROS:
      case TIMESTAMP_MILLIS:
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MILLIS:
      case LOCAL_TIMESTAMP_MICROS:
        out.append(((Number) avro).longValue());
        return;
      case FLOAT:
        out.append(HEX.formatHex(ByteBuffer.allocate(Float.BYTES).putFloat(((Number) avro).floatValue()).array()));
        return;
      case DOUBLE:
        out.append(HEX.formatHex(ByteBuffer.allocate(Double.BYTES).putDouble(((Number) avro).doubleValue()).array()));
        return;
      case BYTES:
        out.append(HEX.formatHex(bytes(avro)));
        return;
      case DECIMAL:
        out.append(new BigDecimal(new BigInteger(bytes(avro)), scale).toPlainString());
        return;
      default:
        out.append(avro); // strings, enum symbols, booleans
    }
  }

  /**
   * SQL giving the same canonical text from the column the sink wrote (PostgreSQL 14+, where
   * {@code extract(epoch ...)} is exact numeric).
   */
  String sql(String column) {
    switch (kind) {
      case INT:
      case LONG:
      case BOOLEAN:
      case STRING:
      case ENUM:
        return column + "::text";
      case FLOAT:
        return "encode(float4send(" + column + "::float4), 'hex')";
      case DOUBLE:
        return "encode(float8send(" + column + "::float8), 'hex')";
      case BYTES:
        return "encode(" + column + "::bytea, 'hex')";
      case DECIMAL:
        return "round(" + column + "::numeric, " + scale + ")::text";
      case DATE:
        return "(" + column + "::date - date '1970-01-01')::text";
      // Cut to the field's precision the way the mapping cuts (Instant.toEpochMilli floors): an application
      // on new may write microseconds into a millisecond field, and rounding would call half of those a
      // difference. Microsecond fields need no cut (PostgreSQL keeps microseconds).
      case TIME_MILLIS:
        return "floor(extract(epoch from " + column + "::time) * 1000)::bigint::text";
      case TIME_MICROS:
        return "(extract(epoch from " + column + "::time) * 1000000)::bigint::text";
      case TIMESTAMP_MILLIS:
      case LOCAL_TIMESTAMP_MILLIS:
        return "floor(extract(epoch from " + column + ") * 1000)::bigint::text";
      case TIMESTAMP_MICROS:
      case LOCAL_TIMESTAMP_MICROS:
        return "(extract(epoch from " + column + ") * 1000000)::bigint::text";
      default:
        throw new IllegalStateException(kind.toString());
    }
  }

  private static byte[] bytes(Object avro) {
    if (avro instanceof byte[] bytes) {
      return bytes;
    }
    ByteBuffer buffer = ((ByteBuffer) avro).duplicate();
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
