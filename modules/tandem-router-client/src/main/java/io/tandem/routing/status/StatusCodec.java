package io.tandem.routing.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

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
      if (!v.samples().isEmpty()) {
        ArrayNode samples = node.putArray("samples");
        for (StatusRecord.Verification.Sample sample : v.samples()) {
          ObjectNode one = samples.addObject().put("key", sample.key()).put("kind", sample.kind());
          sample.fields().forEach(one.putArray("fields")::add);
          one.put("deadLettered", sample.deadLettered());
        }
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
    } else if (record instanceof StatusRecord.StageProgress p) {
      node.put("kind", "progress");
      node.put("stage", p.stage());
      node.put("instance", p.instance());
      node.put("records", p.records());
      node.put("perSecond", p.perSecond());
      node.put("measuredAt", p.measuredAt().toString());
      node.put("backlog", p.backlog());
      ArrayNode tables = node.putArray("snapshot");
      for (StatusRecord.TableSnapshot table : p.snapshot()) {
        tables.addObject().put("table", table.table()).put("done", table.done()).put("estimated", table.estimated())
            .put("finished", table.finished()).put("etaSeconds", table.etaSeconds());
      }
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
            node.has("mapping") ? text(node, "mapping") : null, samples(node));
      case "mapping":
        return new StatusRecord.MappingVersion(text(node, "entity"), text(node, "fingerprint"), instant(node, "since"));
      case "lag":
        return new StatusRecord.Lag(text(node, "entity"), number(node, "lagMillis"), instant(node, "measuredAt"),
            text(node, "source"));
      case "progress":
        return new StatusRecord.StageProgress(text(node, "stage"), text(node, "instance"), number(node, "records"),
            decimal(node, "perSecond"), instant(node, "measuredAt"), tables(node),
            node.has("backlog") ? number(node, "backlog") : -1);
      default:
        throw new IllegalArgumentException("unknown kind '" + kind
            + "' (expected verification, lag, mapping or progress)");
    }
  }

  /** Tables of one capture's snapshot a record may carry (a bound on what a reader holds). */
  static final int MAX_TABLES = 10_000;

  private static List<StatusRecord.Verification.Sample> samples(JsonNode node) {
    JsonNode samples = node.get("samples");
    if (samples == null) {
      return List.of();
    }
    if (!samples.isArray() || samples.size() > StatusRecord.Verification.MAX_SAMPLES) {
      throw new IllegalArgumentException("'samples' must be an array of at most "
          + StatusRecord.Verification.MAX_SAMPLES);
    }
    List<StatusRecord.Verification.Sample> list = new ArrayList<>();
    for (JsonNode sample : samples) {
      List<String> fields = new ArrayList<>();
      JsonNode names = sample.path("fields");
      if (names.size() > 1000) {
        throw new IllegalArgumentException("a sample names more than 1000 fields");
      }
      names.forEach(name -> fields.add(name.asText()));
      list.add(new StatusRecord.Verification.Sample(text(sample, "key"), text(sample, "kind"), fields,
          sample.path("deadLettered").asBoolean(false)));
    }
    return list;
  }

  private static List<StatusRecord.TableSnapshot> tables(JsonNode node) {
    JsonNode tables = node.get("snapshot");
    if (tables == null || !tables.isArray() || tables.size() > MAX_TABLES) {
      throw new IllegalArgumentException("'snapshot' must be an array of at most " + MAX_TABLES + " tables");
    }
    List<StatusRecord.TableSnapshot> list = new ArrayList<>();
    for (JsonNode table : tables) {
      list.add(new StatusRecord.TableSnapshot(text(table, "table"), number(table, "done"), number(table, "estimated"),
          bool(table, "finished"), number(table, "etaSeconds")));
    }
    return list;
  }

  private static double decimal(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber()) {
      throw new IllegalArgumentException("'" + field + "' must be a number");
    }
    return value.asDouble();
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
