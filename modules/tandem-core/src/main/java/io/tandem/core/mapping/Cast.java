package io.tandem.core.mapping;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * Conversions from legacy column values (as they arrive on raw change topics: strings for
 * numerics, microseconds for local timestamps, days for dates) to new-model values.
 */
public enum Cast {
  /** Copy as it is. */
  NONE,
  STRING,
  INT,
  LONG,
  DOUBLE,
  BOOLEAN,
  /** Exact decimal (e.g. "12.30") to a long number of cents; refuses fractions of a cent. */
  CENTS,
  /** Exact decimal to BigDecimal with the rule's scale. */
  DECIMAL,
  /** Legacy code to enum symbol through the rule's table; an unknown code is an error. */
  ENUM,
  /** Local timestamp in the rule's zone (or an offset timestamp) to a UTC instant. */
  UTC_INSTANT,
  /** Date from days since epoch, a LocalDate or ISO text. */
  DATE;

  public static Optional<Cast> parse(String text) {
    try {
      return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  Object apply(Object value, FieldRule rule) {
    if (value == null) {
      return null;
    }
    if (value instanceof CharSequence chars && !(value instanceof String)) {
      value = chars.toString(); // Avro's Utf8
    }
    try {
      return switch (this) {
        case NONE -> value;
        case STRING -> value.toString();
        case INT -> Math.toIntExact(integral(value));
        case LONG -> integral(value);
        case DOUBLE -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
        case BOOLEAN -> bool(value);
        case CENTS -> decimal(value).movePointRight(2).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        case DECIMAL -> decimal(value).setScale(rule.scale(), RoundingMode.UNNECESSARY);
        case ENUM -> enumSymbol(value, rule);
        case UTC_INSTANT -> instant(value, rule);
        case DATE -> date(value);
      };
    } catch (ArithmeticException e) {
      throw new MappingException(rule.target(), "cannot cast " + describe(value, rule) + " to " + name().toLowerCase(Locale.ROOT)
          + " without losing precision");
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new MappingException(rule.target(), "cannot cast " + describe(value, rule) + " to " + name().toLowerCase(Locale.ROOT));
    }
  }

  /** The value for an error message; a sensitive field's value is never shown (it would reach logs and DLQs). */
  static String describe(Object value, FieldRule rule) {
    String type = " (" + value.getClass().getSimpleName() + ")";
    return rule.sensitive() ? "a sensitive value" + type : "'" + value + "'" + type;
  }

  /** An integral value of any numeric form (reverse mapping shares it). */
  static long integral(Object value) {
    if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    return decimal(value).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
  }

  /** An exact decimal of any numeric form (reverse mapping shares it). */
  static BigDecimal decimal(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long || value instanceof Integer) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Number n) {
      return new BigDecimal(n.toString());
    }
    return new BigDecimal(value.toString().trim());
  }

  private static Boolean bool(Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "true", "t", "yes", "y", "1" -> true;
      case "false", "f", "no", "n", "0" -> false;
      default -> throw new NumberFormatException(text);
    };
  }

  private static Object enumSymbol(Object value, FieldRule rule) {
    String code = value.toString();
    String symbol = rule.enumValues().get(code);
    if (symbol == null) {
      symbol = rule.enumValues().get(code.trim());
    }
    if (symbol == null) {
      throw new MappingException(rule.target(), "unknown code " + (rule.sensitive() ? "(sensitive: not shown)" : "'" + code + "'") + "; known codes: " + rule.enumValues().keySet());
    }
    return symbol;
  }

  private static Instant instant(Object value, FieldRule rule) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof LocalDateTime local) {
      return local.atZone(rule.zone()).toInstant();
    }
    if (value instanceof Long micros) {
      // local-timestamp-micros: wall-clock time in the legacy zone
      LocalDateTime local = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
          (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
      return local.atZone(rule.zone()).toInstant();
    }
    String text = value.toString().trim();
    Instant utc = parseUtcIso(text);
    if (utc != null) {
      return utc;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(text.replace(' ', 'T')).atZone(rule.zone()).toInstant();
    }
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} (how timestamptz values arrive) without a DateTimeFormatter,
   * which costs a microsecond per value; null for any other shape, which then takes the general parse.
   */
  static Instant parseUtcIso(String text) {
    int n = text.length();
    if (n < 20 || text.charAt(n - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
        || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':') {
      return null;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 7);
    int day = digits(text, 8, 10);
    int hour = digits(text, 11, 13);
    int minute = digits(text, 14, 16);
    int second = digits(text, 17, 19);
    int nanos = 0;
    if (n > 20) {
      int fraction = n - 1 - 20;
      if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
        return null;
      }
      nanos = digits(text, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = fraction; i < 9; i++) {
        nanos *= 10;
      }
    }
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59 || nanos < 0
        || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
      return null;
    }
    return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
  }

  private static int digits(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      char ch = text.charAt(i);
      if (ch < '0' || ch > '9') {
        return -1_000_000_000;
      }
      value = value * 10 + (ch - '0');
    }
    return value;
  }

  private static LocalDate date(Object value) {
    if (value instanceof LocalDate d) {
      return d;
    }
    if (value instanceof Integer days) {
      return LocalDate.ofEpochDay(days);
    }
    if (value instanceof Instant i) {
      return LocalDate.ofInstant(i, ZoneOffset.UTC);
    }
    return LocalDate.parse(value.toString().trim());
  }

  /** Truncation helper for callers that need millisecond instants (Avro timestamp-millis). */
  public static Instant toMillis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS);
  }
}
