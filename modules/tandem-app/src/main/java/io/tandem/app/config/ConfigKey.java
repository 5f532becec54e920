package io.tandem.app.config;

/**
 * One key of {@code tandem.yaml}: where it is, what it takes, its default and what it means. The
 * loader reads every key through its definition (defaults, required keys, the keys a section
 * allows) and docs/configuration.md is generated from the same definitions
 * ({@link ConfigKeys#markdownTable()}), so the documentation cannot drift from the code.
 *
 * @param path dotted path, e.g. {@code target.jdbcUrl}
 * @param type what the value must be, as documented
 * @param required whether the key must be present (in a present section; see the section's own entry)
 * @param defaultValue the default in the value's own syntax, or null when there is none or it is computed
 * @param defaultDoc the default as documented (markdown)
 * @param meaning what it does (markdown)
 */
public record ConfigKey(String path, String type, boolean required, String defaultValue, String defaultDoc,
    String meaning) {

  static final String SECTION = "section";

  static ConfigKey section(String path, String requirement, String meaning) {
    return new ConfigKey(path, SECTION, false, null, requirement, meaning);
  }

  static ConfigKey required(String path, String type, String meaning) {
    return new ConfigKey(path, type, true, null, "(required)", meaning);
  }

  static ConfigKey optional(String path, String type, String defaultValue, String meaning) {
    return new ConfigKey(path, type, false, defaultValue, "`" + defaultValue + "`", meaning);
  }

  /** An optional key whose default is computed or absent; {@code defaultDoc} describes it. */
  static ConfigKey described(String path, String type, String defaultDoc, String meaning) {
    return new ConfigKey(path, type, false, null, defaultDoc, meaning);
  }

  /** The last path segment: the key as written in its section. */
  public String name() {
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** The enclosing section's path; empty for a top-level section. */
  public String parent() {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  public boolean isSection() {
    return SECTION.equals(type);
  }
}
