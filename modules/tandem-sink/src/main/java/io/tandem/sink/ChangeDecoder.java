package io.tandem.sink;

import io.tandem.kafka.ChangeHeaders;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import java.time.Instant;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns a raw {@code migrated.<entity>} record into a {@link Change}, or a {@link Reject} saying why
 * it cannot be applied. Values are read with the entity schema as reader schema, so data written
 * with any compatible writer schema lands in the same columns.
 */
final class ChangeDecoder {
  private final EntityTable entity;
  private final AvroDeserializer keys;
  private final AvroDeserializer values;

  ChangeDecoder(EntityTable entity, SchemaRegistryClient registry) {
    this.entity = entity;
    // Both read plain Avro values (no logical-type conversion): AvroColumn renders those directly.
    this.keys = new AvroDeserializer(AvroSerdeConfig.withClient(registry));
    this.values = new AvroDeserializer(AvroSerdeConfig.withClient(registry).withReaderSchema(entity.schema()));
  }

  /** Either a Change or a Reject. */
  Object decode(ConsumerRecord<byte[], byte[]> record) {
    Long position = null;
    try {
      position = ChangeHeaders.longValue(record.headers(), ChangeHeaders.POSITION);
      if (position == null) {
        return reject(record, "missing header " + ChangeHeaders.POSITION + ": without a source position the"
            + " change cannot be applied idempotently", null, null);
      }
      Long commitMillis = ChangeHeaders.longValue(record.headers(), ChangeHeaders.COMMIT_TS);
      if (record.key() == null) {
        return reject(record, "record has no key", null, position);
      }
      Object key = keys.deserialize(record.topic(), record.key());
      Object value = values.deserialize(record.topic(), record.value());
      return change(entity, key, value, position, commitMillis, record);
    } catch (BadShape e) {
      return reject(record, e.getMessage(), null, position);
    } catch (RuntimeException e) {
      if (registryUnavailable(e)) {
        throw e; // the record is fine, the registry is not: retry, never dead-letter
      }
      return reject(record, "cannot decode record: " + e.getMessage(), e.getClass().getName(), position);
    }
  }

  static boolean registryUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RegistryException registry && registry.retriable()) {
        return true;
      }
    }
    return false;
  }

  /** The change for a decoded key and value (null value: a delete). */
  static Change change(EntityTable entity, Object key, Object value, long position, Long commitMillis,
                       ConsumerRecord<byte[], byte[]> record) {
    List<AvroColumn> columns = entity.avroColumns();
    int[] keyIndexes = entity.keyIndexes();
    String[] keyText = new String[keyIndexes.length];
    StringBuilder json = new StringBuilder("{");
    for (int k = 0; k < keyIndexes.length; k++) {
      AvroColumn column = columns.get(keyIndexes[k]);
      Object raw = keyField(key, column.name(), keyIndexes.length);
      if (raw == null) {
        throw new BadShape("key field '" + column.name() + "' is null or missing in the key");
      }
      keyText[k] = text(column, raw, "key");
      if (k > 0) {
        json.append(',');
      }
      appendJsonString(json, column.name());
      json.append(':');
      appendJsonValue(json, column, raw, keyText[k]);
    }
    String keyJson = json.append('}').toString();

    String[] row = null;
    if (value != null) {
      if (!(value instanceof GenericRecord fields)) {
        throw new BadShape("value is not an Avro record");
      }
      row = new String[columns.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] = text(columns.get(i), fields.get(i), "value");
      }
      // The key record is the authority on the key: a tombstone only has that one.
      for (int k = 0; k < keyIndexes.length; k++) {
        row[keyIndexes[k]] = keyText[k];
      }
    }
    String commitTs = commitMillis == null ? null : Instant.ofEpochMilli(commitMillis).toString();
    return new Change(entity, keyJson, keyText, row, position, commitTs,
        commitMillis == null ? -1 : commitMillis, record);
  }

  private static String text(AvroColumn column, Object raw, String where) {
    try {
      return column.toText(raw);
    } catch (ClassCastException e) {
      throw new BadShape(where + " field '" + column.name() + "': expected Avro "
          + column.kind().name().toLowerCase(java.util.Locale.ROOT)
          + ", got " + raw.getClass().getSimpleName());
    }
  }

  /** A record whose key or value does not have the entity's shape. */
  private static final class BadShape extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadShape(String message) {
      super(message);
    }
  }

  private static Object keyField(Object key, String name, int keyColumns) {
    if (key instanceof GenericRecord record) {
      Schema.Field field = record.getSchema().getField(name);
      return field == null ? null : record.get(field.pos());
    }
    // A bare primitive key serves an entity with a single key column.
    return keyColumns == 1 ? key : null;
  }

  private Reject reject(ConsumerRecord<byte[], byte[]> record, String reason, String exception, Long position) {
    return new Reject(entity.entity(), record, reason,
        exception == null ? IllegalArgumentException.class.getName() : exception, position);
  }

  // Canonical and stable: numbers and booleans bare, everything else as its PostgreSQL text.
  private static void appendJsonValue(StringBuilder json, AvroColumn column, Object raw, String text) {
    switch (column.kind()) {
      case INT, LONG, BOOLEAN -> json.append(raw);
      case FLOAT, DOUBLE -> {
        double d = ((Number) raw).doubleValue();
        if (Double.isFinite(d)) {
          json.append(raw);
        } else {
          appendJsonString(json, text);
        }
      }
      default -> appendJsonString(json, text);
    }
  }

  private static void appendJsonString(StringBuilder json, String s) {
    json.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
