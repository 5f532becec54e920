package io.tandem.registry.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.registry.Compatibility;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.SchemaReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Key and value bytes of log records in the {@code _schemas} topic. The layout follows Confluent's
 * own {@code _schemas} records (JSON keys with a {@code keytype}), so the topic can be read by
 * people and tools that know that format; the id watermark is Tandem's own key type.
 */
final class LogRecordCodec {
  private static final String SCHEMA = "SCHEMA";
  private static final String CONFIG = "CONFIG";
  private static final String ID_WATERMARK = "TANDEM_ID_WATERMARK";

  private final ObjectMapper json = new ObjectMapper();

  byte[] key(LogRecord record) {
    ObjectNode key = json.createObjectNode();
    if (record instanceof LogRecord.SchemaVersion v) {
      schemaKey(key, v.subject(), v.version());
    } else if (record instanceof LogRecord.SchemaVersionRemoved r) {
      schemaKey(key, r.subject(), r.version());
    } else if (record instanceof LogRecord.CompatibilityConfig c) {
      key.put("keytype", CONFIG);
      key.put("subject", c.subject());
      key.put("magic", 0);
    } else {
      key.put("keytype", ID_WATERMARK);
      key.put("magic", 0);
    }
    return bytes(key);
  }

  /** Value bytes, or {@code null} for a tombstone. */
  byte[] value(LogRecord record) {
    if (record instanceof LogRecord.SchemaVersion v) {
      ObjectNode value = json.createObjectNode();
      value.put("subject", v.subject());
      value.put("version", v.version());
      value.put("id", v.id());
      if (!RegisteredSchema.AVRO.equals(v.schemaType())) {
        value.put("schemaType", v.schemaType());
      }
      value.put("schema", v.schema());
      if (!v.references().isEmpty()) {
        ArrayNode refs = value.putArray("references");
        for (SchemaReference ref : v.references()) {
          refs.addObject().put("name", ref.name()).put("subject", ref.subject()).put("version", ref.version());
        }
      }
      value.put("deleted", v.deleted());
      return bytes(value);
    }
    if (record instanceof LogRecord.CompatibilityConfig c) {
      return c.level() == null ? null : bytes(json.createObjectNode().put("compatibilityLevel", c.level().name()));
    }
    if (record instanceof LogRecord.IdWatermark w) {
      return bytes(json.createObjectNode().put("maxId", w.maxId()));
    }
    return null; // SchemaVersionRemoved: a tombstone
  }

  /**
   * Decodes one topic record. Returns {@code null} for key types this registry does not use
   * (Confluent's NOOP, MODE, DELETE_SUBJECT...), which carry nothing it needs.
   */
  LogRecord decode(byte[] keyBytes, byte[] valueBytes) throws IOException {
    JsonNode key = json.readTree(keyBytes);
    String keyType = key.path("keytype").asText("");
    switch (keyType) {
      case SCHEMA -> {
        String subject = key.path("subject").asText();
        int version = key.path("version").asInt();
        if (valueBytes == null) {
          return new LogRecord.SchemaVersionRemoved(subject, version);
        }
        JsonNode value = json.readTree(valueBytes);
        List<SchemaReference> refs = new ArrayList<>();
        for (JsonNode ref : value.path("references")) {
          refs.add(new SchemaReference(ref.path("name").asText(), ref.path("subject").asText(), ref.path("version").asInt()));
        }
        return new LogRecord.SchemaVersion(subject, version, value.path("id").asInt(),
            value.path("schemaType").asText(RegisteredSchema.AVRO), value.path("schema").asText(),
            refs, value.path("deleted").asBoolean(false));
      }
      case CONFIG -> {
        String subject = key.path("subject").isTextual() ? key.path("subject").asText() : null;
        if (valueBytes == null) {
          return new LogRecord.CompatibilityConfig(subject, null);
        }
        JsonNode value = json.readTree(valueBytes);
        Compatibility level = Compatibility.parse(value.path("compatibilityLevel").asText(null))
            .orElseThrow(() -> new IOException("unknown compatibilityLevel in " + value));
        return new LogRecord.CompatibilityConfig(subject, level);
      }
      case ID_WATERMARK -> {
        if (valueBytes == null) {
          return null;
        }
        return new LogRecord.IdWatermark(json.readTree(valueBytes).path("maxId").asInt());
      }
      default -> {
        return null;
      }
    }
  }

  private void schemaKey(ObjectNode key, String subject, int version) {
    key.put("keytype", SCHEMA);
    key.put("subject", subject);
    key.put("version", version);
    key.put("magic", 1);
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode log record", e);
    }
  }
}
