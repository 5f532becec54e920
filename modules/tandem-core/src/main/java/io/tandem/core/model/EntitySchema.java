package io.tandem.core.model;

import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.Cast;
import io.tandem.core.mapping.FieldRule;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.Protection;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The public schema of one migrated entity ({@code schemas/avro/<entity>.avsc}), the key schema
 * derived from its key fields, and the conversion of a mapped row into Avro records.
 */
public final class EntitySchema {
  private final String entity;
  private final Schema value;
  private final Schema key;

  private EntitySchema(String entity, Schema value, Schema key) {
    this.entity = entity;
    this.value = value;
    this.key = key;
  }

  /**
   * Loads {@code <folder>/<entity>.avsc} and checks it against the mapping: every mapped field
   * exists, every field without a default is mapped, key fields are not nullable.
   */
  public static EntitySchema load(Path folder, Mapping mapping) {
    Path file = folder.resolve(mapping.entity() + ".avsc");
    Schema schema;
    try {
      schema = new Schema.Parser().parse(file.toFile());
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "(file)", "the Avro schema of entity '" + mapping.entity() + "'",
          e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException(file.toString(), "(file)", "a valid Avro schema", e.getMessage());
    }
    return of(file.toString(), schema, mapping);
  }

  /** Same checks as {@link #load}, for a schema already in hand; {@code source} names it in errors. */
  public static EntitySchema of(String source, Schema schema, Mapping mapping) {
    if (schema.getType() != Schema.Type.RECORD) {
      throw new ConfigException(source, "type", "a record schema", schema.getType());
    }
    for (FieldRule rule : mapping.fields().values()) {
      if (schema.getField(rule.target()) == null) {
        throw new ConfigException(mapping.name(), "fields." + rule.target(),
            "a field of the entity schema " + source + " (it has " + fieldNames(schema) + ")", rule.target());
      }
    }
    for (FieldRule rule : mapping.fields().values()) {
      Schema fieldSchema = schema.getField(rule.target()).schema();
      String protect = "fields." + rule.target() + ".protect";
      if (rule.protection() == Protection.DROP && !fieldSchema.isNullable()) {
        throw new ConfigException(mapping.name(), protect, "a nullable field in " + source
            + " (protect: drop leaves it null)", fieldSchema);
      }
      if ((rule.protection() == Protection.MASK || rule.protection() == Protection.HASH)
          && !isString(fieldSchema)) {
        throw new ConfigException(mapping.name(), protect, "a string field in " + source + " (protect: "
            + rule.protection().name().toLowerCase(java.util.Locale.ROOT) + " makes text)", fieldSchema);
      }
    }
    for (Schema.Field field : schema.getFields()) {
      if (!mapping.fields().containsKey(field.name()) && !field.hasDefaultValue()) {
        throw new ConfigException(mapping.name(), "fields",
            "a rule for '" + field.name() + "' (the entity schema " + source + " has no default for it)", "none");
      }
    }
    List<Schema.Field> keyFields = new ArrayList<>();
    for (String name : mapping.keyFields()) {
      Schema fieldSchema = schema.getField(name).schema();
      if (fieldSchema.isNullable()) {
        throw new ConfigException(source, "fields." + name, "a non-nullable type for key field '" + name + "'", fieldSchema);
      }
      keyFields.add(new Schema.Field(name, fieldSchema, null, (Object) null));
    }
    String keyName = schema.getName() + "Key";
    Schema key = Schema.createRecord(keyName, "Key of " + schema.getFullName(), schema.getNamespace(), false, keyFields);
    return new EntitySchema(mapping.entity(), schema, key);
  }

  public String entity() {
    return entity;
  }

  public String topic() {
    return "migrated." + entity;
  }

  public Schema valueSchema() {
    return value;
  }

  public Schema keySchema() {
    return key;
  }

  public GenericRecord valueRecord(Map<String, Object> row) {
    return record(value, row);
  }

  public GenericRecord keyRecord(Map<String, Object> keyValues) {
    return record(key, keyValues);
  }

  /** A mapped Java value as the Avro representation of this entity's field (millis for timestamps, ...). */
  public Object avroValue(String field, Object value) {
    Schema.Field schemaField = this.value.getField(field);
    if (schemaField == null) {
      throw new IllegalArgumentException("entity '" + entity + "' has no field '" + field + "'");
    }
    Object avro = toAvro(field, value, schemaField.schema());
    return avro instanceof GenericData.EnumSymbol symbol ? symbol.toString() : avro;
  }

  private static boolean isString(Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      return schema.getTypes().stream().allMatch(t -> t.getType() == Schema.Type.NULL || t.getType() == Schema.Type.STRING);
    }
    return schema.getType() == Schema.Type.STRING;
  }

  private static GenericRecord record(Schema schema, Map<String, Object> values) {
    GenericData.Record record = new GenericData.Record(schema);
    for (Schema.Field field : schema.getFields()) {
      Object javaValue = values.get(field.name());
      if (javaValue == null && !values.containsKey(field.name())) {
        javaValue = defaultOf(field);
      }
      record.put(field.pos(), toAvro(field.name(), javaValue, field.schema()));
    }
    return record;
  }

  private static Object defaultOf(Schema.Field field) {
    return field.hasDefaultValue() ? GenericData.get().getDefaultValue(field) : null;
  }

  /** Java value from a mapping → the Avro representation the field's schema asks for. */
  static Object toAvro(String field, Object value, Schema schema) {
    if (schema.getType() == Schema.Type.UNION) {
      if (value == null) {
        if (schema.isNullable()) {
          return null;
        }
        throw new IllegalArgumentException("field '" + field + "' is null but its schema does not allow null");
      }
      List<String> errors = new ArrayList<>();
      for (Schema branch : schema.getTypes()) {
        if (branch.getType() == Schema.Type.NULL) {
          continue;
        }
        try {
          return toAvro(field, value, branch);
        } catch (RuntimeException e) {
          errors.add(e.getMessage());
        }
      }
      throw new IllegalArgumentException("field '" + field + "': no branch of " + schema + " takes '" + value + "': " + errors);
    }
    if (value == null) {
      if (schema.getType() == Schema.Type.NULL) {
        return null;
      }
      throw new IllegalArgumentException("field '" + field + "' is null but its schema does not allow null");
    }
    LogicalType logical = schema.getLogicalType();
    switch (schema.getType()) {
      case STRING:
        return value.toString();
      case BOOLEAN:
        if (value instanceof Boolean) {
          return value;
        }
        break;
      case INT:
        if (logical instanceof LogicalTypes.Date && value instanceof LocalDate date) {
          return (int) date.toEpochDay();
        }
        if (value instanceof Number n && !(value instanceof Double) && !(value instanceof Float)) {
          return Math.toIntExact(n.longValue());
        }
        break;
      case LONG:
        if (value instanceof Instant instant) {
          if (logical instanceof LogicalTypes.TimestampMicros) {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1000);
          }
          if (logical instanceof LogicalTypes.TimestampMillis) {
            return Cast.toMillis(instant).toEpochMilli();
          }
        }
        if (value instanceof LocalDateTime local) {
          long micros = local.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + local.getNano() / 1000;
          return logical instanceof LogicalTypes.LocalTimestampMillis ? micros / 1000 : micros;
        }
        if (value instanceof Number n && !(value instanceof Double) && !(value instanceof Float)) {
          return n.longValue();
        }
        break;
      case DOUBLE:
        if (value instanceof Number n) {
          return n.doubleValue();
        }
        break;
      case FLOAT:
        if (value instanceof Number n) {
          return n.floatValue();
        }
        break;
      case ENUM:
        if (schema.getEnumSymbols().contains(value.toString())) {
          return new GenericData.EnumSymbol(schema, value.toString());
        }
        throw new IllegalArgumentException("field '" + field + "': '" + value + "' is not one of " + schema.getEnumSymbols());
      case BYTES:
        if (logical instanceof LogicalTypes.Decimal decimal && (value instanceof BigDecimal || value instanceof Number)) {
          BigDecimal number = value instanceof BigDecimal d ? d : new BigDecimal(value.toString());
          return ByteBuffer.wrap(number.setScale(decimal.getScale(), RoundingMode.UNNECESSARY).unscaledValue().toByteArray());
        }
        if (value instanceof byte[] bytes) {
          return ByteBuffer.wrap(bytes);
        }
        if (value instanceof ByteBuffer) {
          return value;
        }
        break;
      default:
        break;
    }
    throw new IllegalArgumentException("field '" + field + "': a " + value.getClass().getSimpleName() + " ('" + value
        + "') does not fit " + schema);
  }

  private static List<String> fieldNames(Schema schema) {
    return schema.getFields().stream().map(Schema.Field::name).toList();
  }
}
