package io.tandem.routing.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reading one field of an answer. The required readers throw {@link IllegalArgumentException} naming
 * the field; the optional ones give null for a field that is missing or JSON null.
 */
final class JsonFields {
  private JsonFields() {}

  static JsonNode object(JsonNode node, String what) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return node;
  }

  static boolean absent(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull();
  }

  static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' missing or not a string");
    }
    return value.asText();
  }

  /** Any value as text, a nested object or array as JSON: what people are shown of a field. */
  static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  static long requiredLong(JsonNode node, String field) {
    Long value = optionalLong(node, field);
    if (value == null) {
      throw new IllegalArgumentException("field '" + field + "' missing or not an integer");
    }
    return value;
  }

  static Long optionalLong(JsonNode node, String field) {
    if (absent(node, field)) {
      return null;
    }
    JsonNode value = node.get(field);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + field + "' is not an integer");
    }
    return value.asLong();
  }

  static boolean requiredBoolean(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw new IllegalArgumentException("field '" + field + "' missing or not true or false");
    }
    return value.asBoolean();
  }

  static <E extends Enum<E>> E requiredEnum(JsonNode node, String field, Class<E> type) {
    String name = requiredText(node, field);
    try {
      return Enum.valueOf(type, name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field '" + field + "' is not a " + type.getSimpleName() + ": '" + name + "'");
    }
  }

  /** The elements of an array field as text; empty when the field is missing, null or not an array. */
  static List<String> texts(JsonNode node, String field) {
    List<String> texts = new ArrayList<>();
    JsonNode list = node.get(field);
    if (list != null && list.isArray()) {
      list.forEach(element -> texts.add(element.asText()));
    }
    return texts;
  }

  /** The elements of an array field that must be there. */
  static JsonNode requiredArray(JsonNode node, String field) {
    JsonNode list = node.get(field);
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("field '" + field + "' missing or not an array");
    }
    return list;
  }
}
