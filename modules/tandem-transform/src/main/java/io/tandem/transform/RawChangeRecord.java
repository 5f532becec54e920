package io.tandem.transform;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * A decoded raw change (docs/data-model.md, "Raw change topics"), from either database's capture.
 *
 * @param before the row before, as plain Java values (Utf8 becomes String), or null
 * @param after the row after, or null
 */
record RawChangeRecord(String op, Map<String, Object> before, Map<String, Object> after, Long position, Long commitTs,
    String source) {

  /** @throws IllegalArgumentException when a required field is missing or a row is not a record */
  static RawChangeRecord of(GenericRecord change) {
    String op = text(change, "op");
    Long position = (Long) field(change, "position");
    Long commitTs = (Long) field(change, "commit_ts");
    String source = text(change, "source");
    Map<String, Object> before = row(change.get("before"));
    Map<String, Object> after = row(change.get("after"));
    if (op == null || position == null) {
      throw new IllegalArgumentException("raw change lacks 'op' or 'position'");
    }
    return new RawChangeRecord(op, before, after, position, commitTs, source);
  }

  /** The position of a change that failed to decode, when it can still be read. */
  static Long positionOf(GenericRecord change) {
    Object value = field(change, "position");
    return value instanceof Long position ? position : null;
  }

  private static Object field(GenericRecord record, String name) {
    Schema.Field field = record.getSchema().getField(name);
    return field == null ? null : record.get(field.pos());
  }

  private static String text(GenericRecord record, String name) {
    Object value = field(record, name);
    return value == null ? null : value.toString();
  }

  private static Map<String, Object> row(Object value) {
    if (value == null) {
      return null;
    }
    GenericRecord record = (GenericRecord) value;
    Map<String, Object> row = new HashMap<>();
    for (Schema.Field field : record.getSchema().getFields()) {
      Object v = record.get(field.pos());
      row.put(field.name(), v instanceof Utf8 ? v.toString() : v);
    }
    return row;
  }
}
