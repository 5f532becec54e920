package io.tandem.router.proxy;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a proxied request carries its routing key: a path variable of the route's template, a header,
 * or a query parameter. Written in configuration as {@code path:id}, {@code header:X-Customer-Id} or
 * {@code query:customer}.
 */
public record KeySource(Location location, String name) {

  public enum Location {
    PATH,
    HEADER,
    QUERY
  }

  public KeySource {
    Objects.requireNonNull(location, "key location");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("key: the " + location.name().toLowerCase(Locale.ROOT)
          + " name must not be empty");
    }
  }

  /** Parses {@code path:<variable>}, {@code header:<name>} or {@code query:<name>}. */
  public static KeySource parse(String spec) {
    int colon = spec == null ? -1 : spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new IllegalArgumentException(expected(spec));
    }
    String where = spec.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    String name = spec.substring(colon + 1).trim();
    switch (where) {
      case "path":
        return new KeySource(Location.PATH, name);
      case "header":
        return new KeySource(Location.HEADER, name);
      case "query":
        return new KeySource(Location.QUERY, name);
      default:
        throw new IllegalArgumentException(expected(spec));
    }
  }

  private static String expected(String spec) {
    return "key must be \"path:<variable>\", \"header:<name>\" or \"query:<name>\", was "
        + (spec == null ? "null" : "\"" + spec + "\"");
  }

  @Override
  public String toString() {
    return location.name().toLowerCase(Locale.ROOT) + ":" + name;
  }
}
