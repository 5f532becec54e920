package io.tandem.verify;

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

/**
 * Reads a legacy column over JDBC as the value the raw change topic carries for it
 * (docs/data-model.md, "Column types"), so the mapping sees exactly what the topology sees.
 */
final class LegacyValues {
  private LegacyValues() {}

  /** How one PostgreSQL type arrives on the raw topic. */
  enum Wire { INT, LONG, FLOAT, DOUBLE, BOOLEAN, DECIMAL_TEXT, TEXT, BYTES, DATE_DAYS, LOCAL_TIMESTAMP_MICROS,
    OFFSET_TIMESTAMP_TEXT, TIME_MICROS }

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
      default:
        return rows.getString(column);
    }
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
