package io.tandem.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One key of {@code tandem.yaml}, defined once in the module that owns it: its path, type, default,
 * validation and documentation. {@link ConfigSection#get} reads it from the file (placeholders resolved,
 * errors naming the file, the key and the expectation); {@link #check} applies the same rule to a value
 * given in code, so a settings record validates with the very rule the file was read with.
 *
 * <pre>{@code
 * public static final Setting<Integer> MAX_POLL_RECORDS = Setting.integer("sink.maxPollRecords", 2000, 1, 100_000,
 *     "Records per poll = per database transaction.");
 * }</pre>
 *
 * @param <T> the value's Java type
 */
public final class Setting<T> implements ConfigDefinition {

  /** Reads a value that is more than one scalar (a map, a list, a value-or-section). */
  @FunctionalInterface
  public interface Reader<T> {
    /**
     * @param path the concrete path, for errors ({@code router.tokens[1].sha256})
     * @param node the value, never null
     */
    T read(ConfigSection section, String path, JsonNode node);
  }

  /** Which YAML scalars a value may be written as. */
  private enum Kind {
    /** A string, number or boolean, taken as its text. */
    ANY,
    /** Not a fractional number or a boolean (YAML would coerce them silently). */
    INTEGRAL,
    /** A string only (a bare number has no unit). */
    TEXT
  }

  private final String path;
  private final String type;
  private final boolean required;
  private final String defaultText;
  private final String defaultDoc;
  private final String doc;
  private final Kind kind;
  private final Function<String, T> parse;
  private final Predicate<T> valid;
  private final String expectation;
  private final Reader<T> reader;
  private final T customDefault;

  private Setting(String path, String type, boolean required, String defaultText, String defaultDoc, String doc,
      Kind kind, Function<String, T> parse, Predicate<T> valid, String expectation, Reader<T> reader,
      T customDefault) {
    this.path = Objects.requireNonNull(path, "path");
    this.type = Objects.requireNonNull(type, "type");
    this.required = required;
    this.defaultText = defaultText;
    this.defaultDoc = Objects.requireNonNull(defaultDoc, "defaultDoc");
    this.doc = Objects.requireNonNull(doc, "doc");
    this.kind = kind;
    this.parse = parse;
    this.valid = valid;
    this.expectation = expectation;
    this.reader = reader;
    this.customDefault = customDefault;
  }

  private static String quoted(Object value) {
    return "`" + value + "`";
  }

  // ---- definitions ----

  /** Text with a default. */
  public static Setting<String> text(String path, String defaultValue, String doc) {
    return new Setting<>(path, "string", false, defaultValue, quoted(defaultValue), doc, Kind.ANY, s -> s,
        v -> true, "a string", null, null);
  }

  /** Text that must be given. */
  public static Setting<String> requiredText(String path, String type, String doc) {
    return new Setting<>(path, type, true, null, "(required)", doc, Kind.ANY, s -> s, v -> true, "a string", null,
        null);
  }

  /** Text without a default: {@code null} when absent; {@code defaultDoc} says what happens then. */
  public static Setting<String> optionalText(String path, String type, String defaultDoc, String doc) {
    return new Setting<>(path, type, false, null, defaultDoc, doc, Kind.ANY, s -> s, v -> true, "a string", null,
        null);
  }

  /** An integer from {@code min} to {@code max}. */
  public static Setting<Integer> integer(String path, int defaultValue, int min, int max, String doc) {
    return new Setting<>(path, "integer " + min + "–" + max, false, Integer.toString(defaultValue),
        quoted(defaultValue), doc, Kind.INTEGRAL, s -> Integer.parseInt(s.trim()), v -> v >= min && v <= max,
        "an integer from " + min + " to " + max, null, null);
  }

  /** {@code true} or {@code false} (also from a placeholder). */
  public static Setting<Boolean> bool(String path, boolean defaultValue, String doc) {
    return new Setting<>(path, "boolean", false, Boolean.toString(defaultValue), quoted(defaultValue), doc,
        Kind.ANY, Setting::parseBoolean, v -> true, "true or false", null, null);
  }

  /** A duration as operators type them ({@link Durations}), at least {@code min}. */
  public static Setting<Duration> duration(String path, String defaultValue, Duration min, String doc) {
    String expectation = Durations.SYNTAX + (min.isZero() ? ", not negative" : ", at least " + min.toMillis() + "ms");
    return new Setting<>(path, "duration (`500ms`, `30s`, `5m`, `2h`)", false, defaultValue, quoted(defaultValue),
        doc, Kind.TEXT, Durations::parse, v -> v.compareTo(min) >= 0, expectation, null, null);
  }

  /** A whole number of milliseconds from {@code min} to {@code max}, as a duration. */
  public static Setting<Duration> millis(String path, long defaultValue, long min, long max, String doc) {
    return new Setting<>(path, "integer " + min + "–" + max, false, Long.toString(defaultValue),
        quoted(defaultValue), doc, Kind.INTEGRAL, s -> Duration.ofMillis(Long.parseLong(s.trim())),
        v -> v.toMillis() >= min && v.toMillis() <= max, "an integer from " + min + " to " + max, null, null);
  }

  /** A whole number of hours from {@code min} to {@code max}, as a duration. */
  public static Setting<Duration> hours(String path, long defaultValue, long min, long max, String doc) {
    return new Setting<>(path, "integer " + min + "–" + max, false, Long.toString(defaultValue),
        quoted(defaultValue), doc, Kind.INTEGRAL, s -> Duration.ofHours(Long.parseLong(s.trim())),
        v -> v.toHours() >= min && v.toHours() <= max && v.toMinutesPart() == 0,
        "an integer from " + min + " to " + max, null, null);
  }

  /**
   * A file system path; relative ones resolve against the config file's folder.
   *
   * @param defaultValue the default as written in the file, or null for none (then {@code null} when absent)
   */
  public static Setting<Path> path(String path, String defaultValue, String defaultDoc, String doc) {
    return new Setting<>(path, "path", false, defaultValue, defaultDoc == null ? quoted(defaultValue) : defaultDoc,
        doc, Kind.ANY, Setting::parsePath, p -> true, "a file system path", null, null);
  }

  /** A map of names to strings, numbers or booleans (as text); empty when absent. */
  public static Setting<Map<String, String>> stringMap(String path, String type, String doc) {
    return new Setting<>(path, type, false, null, "`{}`", doc, Kind.ANY, null, v -> true, "a map of names to values",
        Setting::readStringMap, Map.of());
  }

  /** Anything else: {@code reader} reads (and checks) the value; {@code defaultValue} when absent. */
  public static <T> Setting<T> custom(String path, String type, String defaultDoc, String doc, T defaultValue,
      Reader<T> reader) {
    return new Setting<>(path, type, false, null, defaultDoc, doc, Kind.ANY, null, v -> true, type, reader,
        defaultValue);
  }

  /** Like {@link #custom}, but the value must be given. */
  public static <T> Setting<T> requiredCustom(String path, String type, String doc, Reader<T> reader) {
    return new Setting<>(path, type, true, null, "(required)", doc, Kind.ANY, null, v -> true, type, reader, null);
  }

  // ---- refinements ----

  /** Also requires {@code rule}; a value breaking it is refused with {@code expectation}. */
  public Setting<T> requiring(Predicate<T> rule, String expectation) {
    Predicate<T> both = valid.and(rule);
    return new Setting<>(path, type, required, defaultText, defaultDoc, doc, kind, parse, both, expectation, reader,
        customDefault);
  }

  /** Text settings: leading and trailing blanks are dropped before the checks. */
  @SuppressWarnings("unchecked")
  public Setting<T> trimmed() {
    Function<String, T> trimming = s -> (T) s.trim();
    return new Setting<>(path, type, required, defaultText, defaultDoc, doc, kind, trimming, valid, expectation,
        reader, customDefault);
  }

  /** The type as documented, when the generated one says too little ("integer ≥ 0"). */
  public Setting<T> documentedAs(String documentedType) {
    return new Setting<>(path, documentedType, required, defaultText, defaultDoc, doc, kind, parse, valid,
        expectation, reader, customDefault);
  }

  // ---- use ----

  @Override
  public String path() {
    return path;
  }

  @Override
  public String type() {
    return type;
  }

  @Override
  public String defaultDoc() {
    return defaultDoc;
  }

  @Override
  public String doc() {
    return doc;
  }

  public boolean required() {
    return required;
  }

  /** The default in code (relative paths unresolved); null when there is none. */
  public T defaultValue() {
    if (defaultText == null) {
      return customDefault;
    }
    return parse.apply(defaultText);
  }

  /**
   * Checks a value given in code with the rule a value from the file must pass.
   *
   * @return {@code value}
   * @throws ConfigException naming this key when the value breaks the rule
   */
  public T check(T value) {
    if (value == null ? required : !valid.test(value)) {
      Object shown = value == null ? null : Secrets.isSecretPath(path) ? "(hidden)" : Secrets.maskUrl(value.toString());
      throw new ConfigException("settings", path, value == null ? "a value: " + type : expectation, shown);
    }
    return value;
  }

  /** Reads the value at {@code node} (never null) of {@code section}; errors name {@code concretePath}. */
  T read(ConfigSection section, String concretePath, JsonNode node) {
    if (reader != null) {
      return reader.read(section, concretePath, node);
    }
    String text = section.scalar(concretePath, node, expectation);
    if ((kind == Kind.INTEGRAL && (node.isFloatingPointNumber() || node.isBoolean()))
        || (kind == Kind.TEXT && !node.isTextual())) {
      throw section.error(concretePath, expectation, node);
    }
    return convert(section, concretePath, text);
  }

  /** The default as the file would have it, for a section without the key. */
  T readDefault(ConfigSection section, String concretePath) {
    return defaultText == null ? customDefault : convert(section, concretePath, defaultText);
  }

  private T convert(ConfigSection section, String concretePath, String text) {
    T value;
    try {
      value = parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw section.error(concretePath, expectation, text);
    }
    if (!valid.test(value)) {
      throw section.error(concretePath, expectation, text);
    }
    if (value instanceof Path relative) {
      @SuppressWarnings("unchecked")
      T resolved = (T) section.base().resolve(relative).normalize();
      return resolved;
    }
    return value;
  }

  private static Boolean parseBoolean(String text) {
    String value = text.trim();
    if (!value.equals("true") && !value.equals("false")) {
      throw new IllegalArgumentException(text);
    }
    return Boolean.valueOf(value);
  }

  private static Path parsePath(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("blank");
    }
    try {
      return Path.of(text.trim());
    } catch (java.nio.file.InvalidPathException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static Map<String, String> readStringMap(ConfigSection section, String path, JsonNode node) {
    return section.stringMap(path, node);
  }

  @Override
  public String toString() {
    return "Setting[" + path + "]";
  }
}
