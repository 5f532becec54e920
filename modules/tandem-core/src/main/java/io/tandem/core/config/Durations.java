package io.tandem.core.config;

import java.time.Duration;
import java.util.Locale;

/**
 * Durations as operators type them, on the command line and in {@code tandem.yaml}: {@code 500ms},
 * {@code 30s}, {@code 5m}, {@code 2h}, or ISO-8601 ({@code PT1M}, {@code P1D}).
 */
public final class Durations {
  /** What a duration must look like, for error messages. */
  public static final String SYNTAX = "a duration such as 500ms, 30s, 5m, 2h or PT1M";

  private Durations() {}

  /** Parses {@code value}; throws {@link IllegalArgumentException} if it is not a duration. */
  public static Duration parse(String value) {
    String text = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (text.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (text.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
      }
      long amount = Long.parseLong(text.substring(0, text.length() - 1));
      switch (text.charAt(text.length() - 1)) {
        case 's':
          return Duration.ofSeconds(amount);
        case 'm':
          return Duration.ofMinutes(amount);
        case 'h':
          return Duration.ofHours(amount);
        default:
          throw new NumberFormatException();
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + value + "' is not " + SYNTAX);
    }
  }
}
