package io.tandem.verify;

import io.tandem.core.mapping.Expression;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a legacy column over JDBC as the value the raw change topic carries for it
 * (docs/data-model.md, "Column types"), so the mapping sees exactly what the topology sees.
 */
final class LegacyValues {
  private LegacyValues() {}

  /** How one legacy column type arrives on the raw topic. */
  enum Wire { INT, LONG, FLOAT, DOUBLE, BOOLEAN, DECIMAL_TEXT, TEXT, BYTES, DATE_DAYS, LOCAL_TIMESTAMP_MICROS,
    OFFSET_TIMESTAMP_TEXT, TIME_MICROS,
    /** MariaDB TIMESTAMP, read in a UTC session as its UTC wall clock: the same ISO text as a timestamptz. */
    UTC_TIMESTAMP_TEXT,
    /** MariaDB TIME: a duration (negative or beyond 24 h too) in microseconds. */
    DURATION_MICROS }

  /** How each column looks to a mapping expression: its raw-topic value's CEL type. */
  static Map<String, Expression.ColumnType> expressionTypes(Map<String, Wire> columns) {
    Map<String, Expression.ColumnType> types = new java.util.LinkedHashMap<>();
    columns.forEach((column, wire) -> types.put(column, switch (wire) {
      case INT, LONG, DATE_DAYS, LOCAL_TIMESTAMP_MICROS, TIME_MICROS, DURATION_MICROS -> Expression.ColumnType.INT;
      case FLOAT, DOUBLE -> Expression.ColumnType.DOUBLE;
      case BOOLEAN -> Expression.ColumnType.BOOL;
      case BYTES -> Expression.ColumnType.BYTES;
      case DECIMAL_TEXT, TEXT, OFFSET_TIMESTAMP_TEXT, UTC_TIMESTAMP_TEXT -> Expression.ColumnType.STRING;
    }));
    return types;
  }

  /**
   * How a MariaDB column arrives on the raw topic with the shipped connector file (docs/data-model.md,
   * "MariaDB column types").
   *
   * @param dataType {@code information_schema.COLUMNS.DATA_TYPE}, e.g. {@code int}
   * @param columnType {@code COLUMN_TYPE}, e.g. {@code int(10) unsigned}, {@code tinyint(1)}
   */
  static Wire mariaDbWireOf(String dataType, String columnType) {
    String type = columnType.toLowerCase(Locale.ROOT);
    boolean unsigned = type.contains("unsigned");
    switch (dataType.toLowerCase(Locale.ROOT)) {
      case "tinyint":
      case "smallint":
      case "mediumint":
      case "year":
        return Wire.INT;
      case "int":
      case "integer":
        return unsigned ? Wire.LONG : Wire.INT;
      case "bigint":
        return unsigned ? Wire.DECIMAL_TEXT : Wire.LONG; // bigint.unsigned.handling.mode=precise
      case "float":
        return Wire.FLOAT;
      case "double":
      case "real":
        return Wire.DOUBLE;
      case "decimal":
      case "numeric":
        return Wire.DECIMAL_TEXT;
      case "bit":
        return type.equals("bit(1)") ? Wire.BOOLEAN : Wire.BYTES;
      case "binary":
      case "varbinary":
      case "tinyblob":
      case "blob":
      case "mediumblob":
      case "longblob":
        return Wire.BYTES;
      case "date":
        return Wire.DATE_DAYS;
      case "datetime":
        return Wire.LOCAL_TIMESTAMP_MICROS;
      case "timestamp":
        return Wire.UTC_TIMESTAMP_TEXT;
      case "time":
        return Wire.DURATION_MICROS;
      default:
        // char, varchar, text, enum (its label), set (labels comma-separated), json: strings on the wire
        return Wire.TEXT;
    }
  }

  static Wire wireOf(String pgTypeName) {
    switch (pgTypeName.toLowerCase(Locale.ROOT)) {
      case "int2":
      case "int4":
      case "serial":
      case "smallserial":
        return Wire.INT;
      case "int8":
      case "bigserial":
        return Wire.LONG;
      case "float4":
        return Wire.FLOAT;
      case "float8":
        return Wire.DOUBLE;
      case "bool":
        return Wire.BOOLEAN;
      case "numeric":
        return Wire.DECIMAL_TEXT;
      case "bytea":
        return Wire.BYTES;
      case "date":
        return Wire.DATE_DAYS;
      case "timestamp":
        return Wire.LOCAL_TIMESTAMP_MICROS;
      case "timestamptz":
        return Wire.OFFSET_TIMESTAMP_TEXT;
      case "time":
        return Wire.TIME_MICROS;
      default:
        // text, varchar, bpchar, uuid, json(b), enums: strings on the wire
        return Wire.TEXT;
    }
  }

  static Object read(ResultSet rows, int column, Wire wire) throws SQLException {
    switch (wire) {
      case INT: {
        int value = rows.getInt(column);
        return rows.wasNull() ? null : value;
      }
      case LONG: {
        long value = rows.getLong(column);
        return rows.wasNull() ? null : value;
      }
      case FLOAT: {
        float value = rows.getFloat(column);
        return rows.wasNull() ? null : value;
      }
      case DOUBLE: {
        double value = rows.getDouble(column);
        return rows.wasNull() ? null : value;
      }
      case BOOLEAN: {
        boolean value = rows.getBoolean(column);
        return rows.wasNull() ? null : value;
      }
      case DECIMAL_TEXT: {
        BigDecimal value = rows.getBigDecimal(column);
        return value == null ? null : value.toPlainString();
      }
      case BYTES:
        return rows.getBytes(column);
      case DATE_DAYS: {
        LocalDate value = rows.getObject(column, LocalDate.class);
        return value == null ? null : (int) value.toEpochDay();
      }
      case LOCAL_TIMESTAMP_MICROS: {
        LocalDateTime value = rows.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + value.getNano() / 1000;
      }
      case OFFSET_TIMESTAMP_TEXT: {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return value == null ? null : isoUtc(value);
      }
      case TIME_MICROS: {
        LocalTime value = rows.getObject(column, LocalTime.class);
        return value == null ? null : value.toNanoOfDay() / 1000;
      }
      case UTC_TIMESTAMP_TEXT: {
        LocalDateTime value = rows.getObject(column, LocalDateTime.class);
        return value == null ? null : isoUtc(value.atOffset(ZoneOffset.UTC));
      }
      case DURATION_MICROS: {
        String value = rows.getString(column);
        return value == null ? null : durationMicros(value);
      }
      default:
        return rows.getString(column);
    }
  }

  /** {@code [-]H+:MM:SS[.ffffff]}, MariaDB's text of a TIME, in microseconds. */
  static long durationMicros(String text) {
    boolean negative = text.startsWith("-");
    String[] parts = (negative ? text.substring(1) : text).split(":");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a TIME value: " + text);
    }
    String[] seconds = parts[2].split("\\.");
    long micros = (Long.parseLong(parts[0]) * 3600 + Long.parseLong(parts[1]) * 60 + Long.parseLong(seconds[0]))
        * 1_000_000L;
    if (seconds.length > 1) {
      String fraction = (seconds[1] + "000000").substring(0, 6);
      micros += Long.parseLong(fraction);
    }
    return negative ? -micros : micros;
  }

  /**
   * Debezium's ISO text of a timestamptz ({@code 2021-01-01T00:00:01.123Z}): what
   * {@code DateTimeFormatter.ISO_OFFSET_DATE_TIME} prints in UTC, without its cost per value.
   */
  static String isoUtc(OffsetDateTime value) {
    LocalDateTime utc = value.atZoneSameInstant(ZoneOffset.UTC).toLocalDateTime();
    int year = utc.getYear();
    if (year < 0 || year > 9999) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value.withOffsetSameInstant(ZoneOffset.UTC));
    }
    StringBuilder text = new StringBuilder(30);
    digits(text, year, 4).append('-');
    digits(text, utc.getMonthValue(), 2).append('-');
    digits(text, utc.getDayOfMonth(), 2).append('T');
    digits(text, utc.getHour(), 2).append(':');
    digits(text, utc.getMinute(), 2).append(':');
    digits(text, utc.getSecond(), 2);
    int nanos = utc.getNano();
    if (nanos > 0) {
      int width = 9;
      while (nanos % 10 == 0) {
        nanos /= 10;
        width--;
      }
      digits(text.append('.'), nanos, width);
    }
    return text.append('Z').toString();
  }

  private static StringBuilder digits(StringBuilder text, int value, int width) {
    String number = Integer.toString(value);
    for (int i = number.length(); i < width; i++) {
      text.append('0');
    }
    return text.append(number);
  }
}
