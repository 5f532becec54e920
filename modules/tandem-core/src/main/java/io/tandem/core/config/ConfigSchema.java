package io.tandem.core.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every key of a configuration file, composed from the definitions each module owns, in documentation
 * order. The reader asks it which keys a section allows; docs/configuration.md is generated from it.
 */
public final class ConfigSchema {
  private final List<ConfigDefinition> definitions;

  private ConfigSchema(List<ConfigDefinition> definitions) {
    this.definitions = List.copyOf(definitions);
  }

  /** The definitions of several modules, in the order given; a path defined twice is a programming error. */
  @SafeVarargs
  public static ConfigSchema of(List<? extends ConfigDefinition>... groups) {
    List<ConfigDefinition> all = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (List<? extends ConfigDefinition> group : groups) {
      for (ConfigDefinition definition : group) {
        if (!paths.add(definition.path())) {
          throw new IllegalArgumentException("configuration key defined twice: " + definition.path());
        }
        all.add(definition);
      }
    }
    return new ConfigSchema(all);
  }

  public List<ConfigDefinition> definitions() {
    return definitions;
  }

  /** The definitions directly under {@code parent} ({@code ""} = top level). */
  public List<ConfigDefinition> children(String parent) {
    return definitions.stream().filter(d -> d.parent().equals(parent)).toList();
  }

  /** The names allowed directly under {@code parent}. */
  public List<String> names(String parent) {
    return children(parent).stream().map(ConfigDefinition::name).toList();
  }

  /** The key reference: one markdown table, one row per key, sections in bold. */
  public String markdownTable() {
    StringBuilder out = new StringBuilder();
    out.append("| key | type | default | meaning |\n");
    out.append("|---|---|---|---|\n");
    for (ConfigDefinition definition : definitions) {
      String name = definition.type().equals("section") ? "**`" + definition.path() + "`**" : "`" + definition.path() + "`";
      out.append("| ").append(name)
          .append(" | ").append(escape(definition.type()))
          .append(" | ").append(escape(definition.defaultDoc()))
          .append(" | ").append(escape(definition.doc()))
          .append(" |\n");
    }
    return out.toString();
  }

  private static String escape(String cell) {
    return cell.lines().map(String::strip).collect(Collectors.joining(" ")).replace("|", "\\|");
  }
}
