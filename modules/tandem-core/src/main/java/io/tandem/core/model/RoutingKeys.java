package io.tandem.core.model;

import java.util.List;
import java.util.StringJoiner;

/**
 * The key the router decides on ({@code decide(entity, key)}), from an entity key's field values: the value
 * itself for a one-field key ({@code 42}), a JSON array of the values as text for a composite one
 * ({@code ["7","2"]}). Sinks use it to ask who owns a key; applications pass the same text to the router.
 */
public final class RoutingKeys {
  private RoutingKeys() {}

  /** @param values the entity key's field values in key order, as text (none null) */
  public static String of(List<String> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("an entity key has at least one field");
    }
    if (values.size() == 1) {
      return values.get(0);
    }
    StringJoiner json = new StringJoiner(",", "[", "]");
    for (String value : values) {
      json.add("\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    return json.toString();
  }
}
