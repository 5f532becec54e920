package io.tandem.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Typed reads from a flat key/value map (Kafka client configs, properties files). Every failed read
 * throws {@link ConfigException} naming the source and key.
 */
public final class ConfigValues {
  private final String source;
  private final Map<String, ?> values;

  public ConfigValues(String source, Map<String, ?> values) {
    this.source = source;
    this.values = Map.copyOf(values.entrySet().stream()
        .filter(e -> e.getKey() != null && e.getValue() != null)
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  public String source() {
    return source;
  }

  public boolean has(String key) {
    Object value = values.get(key);
    return value != null && !value.toString().isBlank();
  }

  public String string(String key, String defaultValue) {
    Object value = values.get(key);
    return value == null ? defaultValue : value.toString().trim();
  }

  public String requiredString(String key, String expectation) {
    if (!has(key)) {
      throw new ConfigException(source, key, expectation, values.get(key));
    }
    return string(key, null);
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (text.equals("true") || text.equals("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(source, key, "true or false", value);
  }

  public int intInRange(String key, int defaultValue, int min, int max) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = value instanceof Number n ? n.intValue() : Integer.parseInt(value.toString().trim());
      if (parsed < min || parsed > max) {
        throw new ConfigException(source, key, "an integer from " + min + " to " + max, value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new ConfigException(source, key, "an integer from " + min + " to " + max, value);
    }
  }

  public Duration millis(String key, Duration defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      long ms = value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
      if (ms < 0) {
        throw new ConfigException(source, key, "a non-negative number of milliseconds", value);
      }
      return Duration.ofMillis(ms);
    } catch (NumberFormatException e) {
      throw new ConfigException(source, key, "a non-negative number of milliseconds", value);
    }
  }

  /** A comma-separated list of absolute http(s) URLs. */
  public List<URI> httpUrls(String key) {
    String raw = requiredString(key, "one or more http(s) URLs separated by commas");
    List<URI> urls = new ArrayList<>();
    for (String part : raw.split(",")) {
      String trimmed = part.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(trimmed);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(source, key, "one or more http(s) URLs separated by commas", Secrets.maskUrl(raw));
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw new ConfigException(source, key, "one or more http(s) URLs separated by commas", Secrets.maskUrl(raw));
      }
      urls.add(uri);
    }
    if (urls.isEmpty()) {
      throw new ConfigException(source, key, "one or more http(s) URLs separated by commas", Secrets.maskUrl(raw));
    }
    return List.copyOf(urls);
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Enum.valueOf(type, value.toString().trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source, key, "one of " + java.util.Arrays.toString(type.getEnumConstants()), value);
    }
  }
}
