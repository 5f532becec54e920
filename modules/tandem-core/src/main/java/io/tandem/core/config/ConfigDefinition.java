package io.tandem.core.config;

/**
 * One entry of {@code tandem.yaml}'s reference: a {@link Section} or a {@link Setting}. Each is defined
 * once, in the module that owns it; the reader, the checks and docs/configuration.md all come from the
 * same definition.
 */
public sealed interface ConfigDefinition permits Section, Setting {

  /** Dotted path, e.g. {@code sink.maxPollRecords}; list items are written {@code router.tokens[]}. */
  String path();

  /** What the value must be, as documented (markdown). */
  String type();

  /** The default as documented, or the requirement of a section (markdown). */
  String defaultDoc();

  /** What it does (markdown). */
  String doc();

  /** The last path segment: the key as written in its section. */
  default String name() {
    String path = path();
    return path.substring(path.lastIndexOf('.') + 1);
  }

  /** The enclosing section's path; empty for a top-level section. */
  default String parent() {
    String path = path();
    int dot = path.lastIndexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }
}
