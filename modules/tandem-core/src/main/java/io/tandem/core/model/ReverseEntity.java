package io.tandem.core.model;

import io.tandem.core.mapping.ReverseMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * One entity as reverse sync carries it: the reverse mapping and the Avro shape of the legacy rows it
 * produces on {@code reverse.<entity>} (keyed by the legacy primary key). Values keep the neutral forms
 * of {@link ReverseMapping}: whole numbers as long, exact decimals and times as text, so the legacy sink
 * can cast each to whatever type the legacy column has.
 */
public final class ReverseEntity {
  private static final String NAMESPACE = "tandem.reverse";

  private final MappedEntity forward;
  private final ReverseMapping mapping;
  private final Schema value;
  private final Schema key;

  private ReverseEntity(MappedEntity forward, ReverseMapping mapping, Schema value, Schema key) {
    this.forward = forward;
    this.mapping = mapping;
    this.value = value;
    this.key = key;
  }

  /**
   * @throws io.tandem.core.config.ConfigException when the mapping cannot be reversed (naming its file and field)
   */
  public static ReverseEntity of(MappedEntity forward) {
    ReverseMapping mapping = forward.mapping().reverse();
    Schema entitySchema = forward.schema().valueSchema();
    List<Schema.Field> fields = new ArrayList<>();
    List<Schema.Field> keyFields = new ArrayList<>();
    for (ReverseMapping.Rule rule : mapping.rules()) {
      Schema type = typeOf(rule, entitySchema.getField(rule.field()).schema());
      boolean key = mapping.legacyKey().contains(rule.column());
      fields.add(new Schema.Field(avroName(rule.column()), key ? type : nullable(type), null,
          key ? null : Schema.Field.NULL_DEFAULT_VALUE));
    }
    for (Map.Entry<String, Object> insert : mapping.insertValues().entrySet()) {
      Schema type = typeOfValue(insert.getValue());
      fields.add(new Schema.Field(avroName(insert.getKey()), nullable(type), null, Schema.Field.NULL_DEFAULT_VALUE));
    }
    for (String column : mapping.legacyKey()) {
      Schema.Field field = fields.stream().filter(f -> f.name().equals(avroName(column))).findFirst().orElseThrow();
      keyFields.add(new Schema.Field(field.name(), field.schema(), null, (Object) null));
    }
    String name = recordName(forward.name());
    Schema value = Schema.createRecord(name + "LegacyRow", "Legacy row of " + mapping.legacyTable()
        + " carried back from new", NAMESPACE, false, fields);
    Schema key = Schema.createRecord(name + "LegacyKey", "Primary key of " + mapping.legacyTable(), NAMESPACE, false,
        keyFields);
    return new ReverseEntity(forward, mapping, value, key);
  }

  /** Every entity's reverse, or the first refusal. */
  public static List<ReverseEntity> all(List<MappedEntity> entities) {
    return entities.stream().map(ReverseEntity::of).toList();
  }

  public static String topic(String entity) {
    return "reverse." + entity;
  }

  public MappedEntity forward() {
    return forward;
  }

  public ReverseMapping mapping() {
    return mapping;
  }

  public String name() {
    return forward.name();
  }

  /** {@code reverse.<entity>}. */
  public String topic() {
    return topic(name());
  }

  /** The legacy table written, {@code <schema>.<table>}. */
  public String legacyTable() {
    return mapping.legacyTable();
  }

  /** The new table read by reverse capture: the forward sink's table, named after the entity. */
  public String newTable() {
    return "public." + name();
  }

  public Schema valueSchema() {
    return value;
  }

  public Schema keySchema() {
    return key;
  }

  /** Legacy column of a field of {@link #valueSchema()} (the field name, unless Avro needed another). */
  public List<String> legacyColumns() {
    List<String> columns = new ArrayList<>(mapping.columns());
    columns.addAll(mapping.insertValues().keySet());
    return columns;
  }

  /** The Avro value for a legacy row from {@link ReverseMapping#apply} (insert-only columns added). */
  public GenericRecord valueRecord(Map<String, Object> legacyRow) {
    GenericData.Record record = new GenericData.Record(value);
    for (ReverseMapping.Rule rule : mapping.rules()) {
      record.put(avroName(rule.column()), avro(legacyRow.get(rule.column())));
    }
    for (Map.Entry<String, Object> insert : mapping.insertValues().entrySet()) {
      record.put(avroName(insert.getKey()), avro(insert.getValue()));
    }
    return record;
  }

  public GenericRecord keyRecord(Map<String, Object> legacyKey) {
    GenericData.Record record = new GenericData.Record(key);
    for (String column : mapping.legacyKey()) {
      record.put(avroName(column), avro(legacyKey.get(column)));
    }
    return record;
  }

  private static Object avro(Object value) {
    if (value instanceof Integer i) {
      return i.longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    return value;
  }

  // The neutral form ReverseMapping gives for a rule, as an Avro type.
  private static Schema typeOf(ReverseMapping.Rule rule, Schema entityField) {
    return switch (rule.cast()) {
      case INT, LONG -> Schema.create(Schema.Type.LONG);
      case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      case NONE -> passThrough(entityField);
      default -> Schema.create(Schema.Type.STRING);
    };
  }

  private static Schema passThrough(Schema entityField) {
    Schema type = entityField;
    if (type.getType() == Schema.Type.UNION) {
      type = type.getTypes().stream().filter(t -> t.getType() != Schema.Type.NULL).findFirst().orElse(type);
    }
    if (type.getLogicalType() != null) {
      return Schema.create(Schema.Type.STRING);
    }
    return switch (type.getType()) {
      case INT, LONG -> Schema.create(Schema.Type.LONG);
      case FLOAT, DOUBLE -> Schema.create(Schema.Type.DOUBLE);
      case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
      default -> Schema.create(Schema.Type.STRING);
    };
  }

  private static Schema typeOfValue(Object value) {
    if (value instanceof Integer || value instanceof Long) {
      return Schema.create(Schema.Type.LONG);
    }
    if (value instanceof Double || value instanceof Float) {
      return Schema.create(Schema.Type.DOUBLE);
    }
    if (value instanceof Boolean) {
      return Schema.create(Schema.Type.BOOLEAN);
    }
    return Schema.create(Schema.Type.STRING);
  }

  private static Schema nullable(Schema type) {
    return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
  }

  /** Legacy column names are PostgreSQL identifiers; Avro names allow fewer characters. */
  static String avroName(String column) {
    String name = column.replaceAll("[^A-Za-z0-9_]", "_");
    return Character.isDigit(name.charAt(0)) ? "_" + name : name;
  }

  private static String recordName(String entity) {
    StringBuilder name = new StringBuilder();
    for (String part : entity.split("_")) {
      if (!part.isEmpty()) {
        name.append(part.substring(0, 1).toUpperCase(Locale.ROOT)).append(part.substring(1));
      }
    }
    return name.toString();
  }

  @Override
  public String toString() {
    return "ReverseEntity[" + name() + ": " + topic() + " → legacy " + legacyTable() + " " + mapping.legacyKey() + "]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ReverseEntity that && forward.equals(that.forward);
  }

  @Override
  public int hashCode() {
    return Objects.hash(forward);
  }

}
