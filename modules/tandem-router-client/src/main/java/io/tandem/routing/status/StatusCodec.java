package io.tandem.routing.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The status topic's record format: one JSON object per record, {@code kind} first (docs/verify.md). */
public final class StatusCodec {
  /** The default status topic. */
  public static final String DEFAULT_TOPIC = "tandem.status";

  private static final ObjectMapper JSON = new ObjectMapper();

  private StatusCodec() {}

  public static byte[] encode(StatusRecord record) {
    ObjectNode node = JSON.createObjectNode();
    if (record instanceof StatusRecord.Verification v) {
      node.put("kind", "verification");
      node.put("entity", v.entity());
      node.put("cohort", v.cohort());
      node.put("clean", v.clean());
      node.put("startedAt", v.startedAt().toString());
      node.put("finishedAt", v.finishedAt().toString());
      node.put("routingVersion", v.routingVersion());
      node.put("rowsChecked", v.rowsChecked());
      node.put("differences", v.differences());
      if (v.mapping() != null) {
        node.put("mapping", v.mapping());
      }
    } else if (record instanceof StatusRecord.MappingVersion m) {
      node.put("kind", "mapping");
      node.put("entity", m.entity());
      node.put("fingerprint", m.fingerprint());
      node.put("since", m.since().toString());
    } else if (record instanceof StatusRecord.Lag l) {
      node.put("kind", "lag");
      node.put("entity", l.entity());
      node.put("lagMillis", l.lagMillis());
      node.put("measuredAt", l.measuredAt().toString());
      node.put("source", l.source());
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes a status record; throws {@link IllegalArgumentException} naming what is wrong. */
  public static StatusRecord decode(byte[] bytes) {
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String kind = text(node, "kind");
    switch (kind) {
      case "verification":
        return new StatusRecord.Verification(text(node, "entity"), text(node, "cohort"), bool(node, "clean"),
            instant(node, "startedAt"), instant(node, "finishedAt"), number(node, "routingVersion"),
            number(node, "rowsChecked"), number(node, "differences"),
            node.has("mapping") ? text(node, "mapping") : null);
      case "mapping":
        return new StatusRecord.MappingVersion(text(node, "entity"), text(node, "fingerprint"), instant(node, "since"));
      case "lag":
        return new StatusRecord.Lag(text(node, "entity"), number(node, "lagMillis"), instant(node, "measuredAt"),
            text(node, "source"));
      default:
        throw new IllegalArgumentException("unknown kind '" + kind + "' (expected verification, lag or mapping)");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return value.asText();
  }

  private static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new IllegalArgumentException("'" + field + "' must be an integer");
    }
    return value.asLong();
  }

  private static boolean bool(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw new IllegalArgumentException("'" + field + "' must be true or false");
    }
    return value.asBoolean();
  }

  private static Instant instant(JsonNode node, String field) {
    try {
      return Instant.parse(text(node, field));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + field + "' must be an ISO-8601 instant");
    }
  }
}
