package io.tandem.sink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.avro.Schema;

/**
 * Where one entity's topic lands: the {@code migrated.<entity>} topic, the new-DB table, its key
 * columns, and the column list derived from the entity's Avro schema (one column per field, named
 * as the field). The table itself comes from a Flyway migration ({@link SinkSchema}); the sink
 * checks at start that it matches.
 *
 * <pre>{@code
 * EntityTable customer = EntityTable.builder("customer", customerSchema).keyColumns("id").build();
 * }</pre>
 */
public final class EntityTable {
  private static final Pattern ENTITY = Pattern.compile("[a-z][a-z0-9_]*");
  private static final Pattern TABLE = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)?[A-Za-z_][A-Za-z0-9_]*");

  private final String entity;
  private final String topic;
  private final String table;
  private final Schema schema;
  private final List<String> keyColumns;
  private final List<AvroColumn> columns;
  private final int[] keyIndexes;
  private final LegacyWrites legacy;

  /**
   * How reverse sync writes a legacy table it does not own the shape of: no {@code _tandem_*} columns, so
   * positions live in {@value BoundTable#APPLIED} (docs/coexistence.md).
   *
   * @param insertOnly columns set only when a row is inserted (existing legacy rows keep their values)
   * @param protectedBy conditions a legacy row must meet to be changed (the forward mapping's filters):
   *     rows failing them are left alone
   * @param origin what declared it, for messages (the mapping file)
   */
  public record LegacyWrites(Set<String> insertOnly, List<io.tandem.core.mapping.RowFilter> protectedBy, String origin) {
    public LegacyWrites {
      insertOnly = Set.copyOf(insertOnly);
      protectedBy = List.copyOf(protectedBy);
      Objects.requireNonNull(origin, "origin");
    }
  }

  private EntityTable(Builder builder, List<AvroColumn> columns, int[] keyIndexes) {
    this.entity = builder.entity;
    this.topic = builder.topic == null ? "migrated." + builder.entity : builder.topic;
    this.table = builder.table == null ? builder.entity : builder.table;
    this.schema = builder.schema;
    this.keyColumns = List.copyOf(builder.keyColumns);
    this.columns = List.copyOf(columns);
    this.keyIndexes = keyIndexes;
    this.legacy = builder.legacy;
  }

  /** Set when this is a legacy table written by reverse sync. */
  public java.util.Optional<LegacyWrites> legacy() {
    return java.util.Optional.ofNullable(legacy);
  }

  /** Starts an entity binding from its value schema (the {@code schemas/avro/<entity>.avsc} record). */
  public static Builder builder(String entity, Schema valueSchema) {
    return new Builder(entity, valueSchema);
  }

  /** The legacy table reverse sync writes for an entity: {@code reverse.<entity>} → its legacy table. */
  public static EntityTable legacyTable(io.tandem.core.model.ReverseEntity reverse) {
    var mapping = reverse.mapping();
    return builder(reverse.name(), reverse.valueSchema())
        .topic(reverse.topic())
        .table(reverse.legacyTable())
        .keyColumns(mapping.legacyKey())
        .legacy(new LegacyWrites(mapping.insertValues().keySet(),
            mapping.protectFiltered() ? mapping.forward().filters() : List.of(), mapping.forward().name()))
        .build();
  }

  /** Starts an entity binding from an {@code .avsc} file. */
  public static Builder builder(String entity, Path avsc) {
    try {
      return new Builder(entity, new Schema.Parser().parse(Files.readString(avsc)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Avro schema " + avsc, e);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("entity '" + entity + "': " + avsc + " is not a valid Avro schema: "
          + e.getMessage(), e);
    }
  }

  public String entity() {
    return entity;
  }

  public String topic() {
    return topic;
  }

  /** The table name as given (optionally schema-qualified), resolved by PostgreSQL's rules. */
  public String table() {
    return table;
  }

  public Schema schema() {
    return schema;
  }

  public List<String> keyColumns() {
    return keyColumns;
  }

  /** Column names in schema field order; the two {@code _tandem_*} columns are implied. */
  public List<String> columns() {
    return columns.stream().map(AvroColumn::name).toList();
  }

  List<AvroColumn> avroColumns() {
    return columns;
  }

  /** Positions of the key columns in {@link #avroColumns()}, in key order. */
  int[] keyIndexes() {
    return keyIndexes.clone();
  }

  @Override
  public String toString() {
    return entity + " (" + topic + " -> " + table + " " + keyColumns + ")";
  }

  public static final class Builder {
    private final String entity;
    private final Schema schema;
    private String topic;
    private String table;
    private List<String> keyColumns = List.of();
    private LegacyWrites legacy;

    private Builder(String entity, Schema schema) {
      this.entity = entity;
      this.schema = schema;
    }

    /** Topic to read; defaults to {@code migrated.<entity>}. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** Target table, optionally {@code schema.table}; defaults to the entity name. */
    public Builder table(String table) {
      this.table = table;
      return this;
    }

    /** The primary-key columns, in key order: the fields of {@code migrated.<Entity>Key}. */
    public Builder keyColumns(String... keyColumns) {
      return keyColumns(List.of(keyColumns));
    }

    public Builder keyColumns(List<String> keyColumns) {
      this.keyColumns = List.copyOf(keyColumns);
      return this;
    }

    /** Makes this a legacy table written by reverse sync: positions kept beside it, not in it. */
    public Builder legacy(LegacyWrites writes) {
      this.legacy = Objects.requireNonNull(writes, "writes");
      return this;
    }

    /** Validates the binding; every error names the entity and what was expected. */
    public EntityTable build() {
      if (entity == null || !ENTITY.matcher(entity).matches()) {
        throw new IllegalArgumentException("entity name " + quote(entity)
            + ": expected lower-case letters, digits and '_', starting with a letter");
      }
      Objects.requireNonNull(schema, "entity '" + entity + "': value schema");
      if (schema.getType() != Schema.Type.RECORD) {
        throw new IllegalArgumentException("entity '" + entity + "': value schema must be a record, got "
            + schema.getType().getName());
      }
      if (topic != null && topic.isBlank()) {
        throw new IllegalArgumentException("entity '" + entity + "': topic must not be blank");
      }
      if (table != null && !TABLE.matcher(table).matches()) {
        throw new IllegalArgumentException("entity '" + entity + "': table " + quote(table)
            + ": expected an identifier or schema.identifier");
      }
      List<AvroColumn> columns = new ArrayList<>();
      for (Schema.Field field : schema.getFields()) {
        if (field.name().startsWith("_tandem_")) {
          throw new IllegalArgumentException("entity '" + entity + "': field '" + field.name()
              + "' uses the prefix _tandem_, reserved for the sink's own columns");
        }
        try {
          columns.add(AvroColumn.of(field));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("entity '" + entity + "': " + e.getMessage(), e);
        }
      }
      if (keyColumns.isEmpty()) {
        throw new IllegalArgumentException("entity '" + entity + "': expected at least one key column");
      }
      Set<String> seen = new LinkedHashSet<>();
      int[] keyIndexes = new int[keyColumns.size()];
      for (int k = 0; k < keyColumns.size(); k++) {
        String key = keyColumns.get(k);
        if (!seen.add(key)) {
          throw new IllegalArgumentException("entity '" + entity + "': key column '" + key + "' is listed twice");
        }
        Schema.Field field = schema.getField(key);
        if (field == null) {
          throw new IllegalArgumentException("entity '" + entity + "': key column '" + key
              + "' is not a field of " + schema.getFullName() + " (fields: " + fieldNames(schema) + ")");
        }
        if (columns.get(field.pos()).nullable()) {
          throw new IllegalArgumentException("entity '" + entity + "': key column '" + key + "' must not be nullable");
        }
        keyIndexes[k] = field.pos();
      }
      if (legacy != null) {
        for (String column : legacy.insertOnly()) {
          if (schema.getField(column) == null || keyColumns.contains(column)) {
            throw new IllegalArgumentException("entity '" + entity + "': insert-only column '" + column
                + "' must be a non-key field of " + schema.getFullName());
          }
        }
      }
      return new EntityTable(this, columns, keyIndexes);
    }

    private static List<String> fieldNames(Schema schema) {
      return schema.getFields().stream().map(Schema.Field::name).toList();
    }

    private static String quote(String s) {
      return s == null ? "(none)" : "'" + s + "'";
    }
  }
}
