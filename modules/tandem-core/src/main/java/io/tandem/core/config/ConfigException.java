package io.tandem.core.config;

/**
 * A configuration value that cannot be used. The message always names where the value came from
 * (a file, a client's config map), the key, and what was expected, so an operator can fix it
 * without reading code.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final String key;
  private final String expected;

  public ConfigException(String source, String key, String expected, Object actual) {
    super(format(source, key, expected, actual));
    this.source = source;
    this.key = key;
    this.expected = expected;
  }

  public String source() {
    return source;
  }

  public String key() {
    return key;
  }

  public String expected() {
    return expected;
  }

  private static String format(String source, String key, String expected, Object actual) {
    String got = actual == null ? "nothing" : "'" + actual + "'";
    return source + ": key '" + key + "': expected " + expected + ", got " + got;
  }
}
