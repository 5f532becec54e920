package io.tandem.runtime;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingException;
import io.tandem.core.model.EntitySchema;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;

/**
 * Full comparison of one entity: every legacy row through the mapping, against every new row,
 * both in the entity's Avro representation (so millisecond timestamps compare as the new side
 * stores them). The pipeline ITs' oracle: a plain full scan written apart from the verifier
 * (tandem-verify), so that a bug in the verifier's chunking or hashing cannot hide a pipeline bug.
 */
public final class MappingCheck {

  /** Outcome for one entity. {@code examples} holds a few differing keys with the reason. */
  public record Result(String entity, long legacyRows, long expectedRows, long newRows, long missing, long extra,
      long different, long unmappable, List<String> examples) {
    public long differences() {
      return missing + extra + different;
    }
  }

  private MappingCheck() {}

  public static Result run(Mapping mapping, EntitySchema schema, Connection legacy, Connection target)
      throws SQLException {
    Map<String, Map<String, Object>> expected = new HashMap<>();
    long legacyRows = 0;
    long unmappable = 0;
    List<String> examples = new ArrayList<>();
    try (Statement statement = legacy.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM " + mapping.sourceTable())) {
      while (rows.next()) {
        legacyRows++;
        Map<String, Object> legacyRow = legacyRow(rows);
        try {
          var mapped = mapping.apply(legacyRow);
          if (mapped.isPresent()) {
            Map<String, Object> avro = new LinkedHashMap<>();
            mapped.get().forEach((field, value) -> avro.put(field, schema.avroValue(field, value)));
            expected.put(keyOf(mapping, avro), avro);
          }
        } catch (MappingException | IllegalArgumentException e) {
          unmappable++; // these are in the transform DLQ, counted there
        }
      }
    }
    long expectedRows = expected.size();
    long newRows = 0;
    long extra = 0;
    long different = 0;
    Schema valueSchema = schema.valueSchema();
    try (Statement statement = target.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM " + mapping.entity())) {
      while (rows.next()) {
        newRows++;
        Map<String, Object> actual = new LinkedHashMap<>();
        for (Schema.Field field : valueSchema.getFields()) {
          actual.put(field.name(), fromDatabase(rows, field));
        }
        String key = keyOf(mapping, actual);
        Map<String, Object> want = expected.remove(key);
        if (want == null) {
          extra++;
          example(examples, "extra in new: " + key);
          continue;
        }
        for (Map.Entry<String, Object> field : want.entrySet()) {
          if (!same(field.getValue(), actual.get(field.getKey()))) {
            different++;
            example(examples, "different " + key + ": " + field.getKey() + " legacy→" + field.getValue() + " new=" + actual.get(field.getKey()));
            break;
          }
        }
      }
    }
    long missing = expected.size();
    expected.keySet().stream().limit(3).forEach(k -> example(examples, "missing in new: " + k));
    return new Result(mapping.entity(), legacyRows, expectedRows, newRows, missing, extra, different,
        unmappable, examples);
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < 5) {
      examples.add(text);
    }
  }

  private static String keyOf(Mapping mapping, Map<String, Object> row) {
    StringBuilder key = new StringBuilder();
    for (String field : mapping.keyFields()) {
      key.append(field).append('=').append(row.get(field)).append(' ');
    }
    return key.toString().trim();
  }

  private static boolean same(Object expected, Object actual) {
    if (expected instanceof ByteBuffer a && actual instanceof ByteBuffer b) {
      return a.equals(b);
    }
    if (expected instanceof Number a && actual instanceof Number b) {
      return a.longValue() == b.longValue() && Double.compare(a.doubleValue(), b.doubleValue()) == 0;
    }
    return Objects.equals(expected == null ? null : expected.toString(), actual == null ? null : actual.toString());
  }

  /** A legacy row with values shaped as on the raw change topics the mapping also reads. */
  private static Map<String, Object> legacyRow(ResultSet rows) throws SQLException {
    ResultSetMetaData meta = rows.getMetaData();
    Map<String, Object> row = new HashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String type = meta.getColumnTypeName(i);
      Object value = switch (type) {
        case "timestamp" -> rows.getObject(i, LocalDateTime.class);
        case "timestamptz" -> rows.getObject(i, OffsetDateTime.class);
        case "date" -> rows.getObject(i, LocalDate.class);
        default -> rows.getObject(i);
      };
      row.put(meta.getColumnName(i), value);
    }
    return row;
  }

  /** A new-DB column in the Avro representation of its entity field. */
  private static Object fromDatabase(ResultSet rows, Schema.Field field) throws SQLException {
    Schema schema = field.schema();
    if (schema.isNullable() && schema.getType() == Schema.Type.UNION) {
      schema = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst().orElse(schema);
    }
    Object value;
    if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
      OffsetDateTime time = rows.getObject(field.name(), OffsetDateTime.class);
      value = time == null ? null : time.toInstant().toEpochMilli();
    } else if (schema.getLogicalType() instanceof LogicalTypes.Date) {
      LocalDate date = rows.getObject(field.name(), LocalDate.class);
      value = date == null ? null : (int) date.toEpochDay();
    } else {
      value = rows.getObject(field.name());
      if (value instanceof String text && schema.getType() == Schema.Type.STRING) {
        value = text;
      }
    }
    return value;
  }
}
