package io.tandem.core.mapping;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One legacy table → one new-model entity: a pure function of the legacy row. The Streams
 * topology and the verifier both call it, so there is one definition of "correctly migrated".
 */
public final class Mapping {
  private final String name;
  private final String entity;
  private final String sourceTable;
  private final List<String> keyFields;
  private final Map<String, FieldRule> fields;
  private final List<String> dropped;
  private final List<RowFilter> filters;
  private final ReverseSpec reverseSpec;
  private final String fingerprint;
  private final List<Join> joins;
  private String legacySource = MergeRule.PRIMARY_SOURCE;
  private MergeRule merge;

  public Mapping(String name, String entity, String sourceTable, List<String> keyFields, List<FieldRule> fields,
      List<String> dropped, List<RowFilter> filters) {
    this(name, entity, sourceTable, keyFields, fields, dropped, filters, ReverseSpec.none());
  }

  public Mapping(String name, String entity, String sourceTable, List<String> keyFields, List<FieldRule> fields,
      List<String> dropped, List<RowFilter> filters, ReverseSpec reverseSpec) {
    this(name, entity, sourceTable, keyFields, fields, dropped, filters, reverseSpec, "");
  }

  public Mapping(String name, String entity, String sourceTable, List<String> keyFields, List<FieldRule> fields,
      List<String> dropped, List<RowFilter> filters, ReverseSpec reverseSpec, String fingerprint) {
    this(name, entity, sourceTable, keyFields, fields, dropped, filters, reverseSpec, fingerprint, List.of());
  }

  /**
   * @param fingerprint what the file says, as a hash: comments and layout aside ({@link MappingLoader})
   * @param joins child tables whose rows the expressions see as lists ({@code join:})
   */
  public Mapping(String name, String entity, String sourceTable, List<String> keyFields, List<FieldRule> fields,
      List<String> dropped, List<RowFilter> filters, ReverseSpec reverseSpec, String fingerprint, List<Join> joins) {
    this.joins = List.copyOf(joins);
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
    this.name = Objects.requireNonNull(name, "name");
    this.entity = Objects.requireNonNull(entity, "entity");
    this.sourceTable = Objects.requireNonNull(sourceTable, "sourceTable");
    this.keyFields = List.copyOf(keyFields);
    Map<String, FieldRule> byTarget = new LinkedHashMap<>();
    fields.forEach(rule -> byTarget.put(rule.target(), rule));
    this.fields = java.util.Collections.unmodifiableMap(byTarget);
    this.dropped = List.copyOf(dropped);
    this.filters = List.copyOf(filters);
    this.reverseSpec = Objects.requireNonNull(reverseSpec, "reverseSpec");
    for (String key : keyFields) {
      if (!byTarget.containsKey(key)) {
        throw new IllegalArgumentException("key field '" + key + "' has no field rule");
      }
    }
  }

  /**
   * The same mapping reading legacy source {@code legacySource} ({@code legacy:}), and holding its
   * entity's merge rule when {@code merge} is not null.
   */
  public Mapping withSource(String legacySource, MergeRule merge) {
    Mapping copy = new Mapping(name, entity, sourceTable, keyFields, List.copyOf(fields.values()), dropped, filters,
        reverseSpec, fingerprint, joins);
    copy.legacySource = Objects.requireNonNull(legacySource, "legacySource");
    copy.merge = merge;
    return copy;
  }

  /** The legacy source the table is in: {@link MergeRule#PRIMARY_SOURCE} unless the file says {@code legacy:}. */
  public String legacySource() {
    return legacySource;
  }

  /** The entity's merge rule, when this file declares it ({@code merge:}). */
  public Optional<MergeRule> merge() {
    return Optional.ofNullable(merge);
  }

  /** Where the mapping came from, for messages (usually the file). */
  public String name() {
    return name;
  }

  /**
   * A hash of the mapping's rules (not of its comments or layout): a mapping change rolled out shows as a new
   * fingerprint, and promotion gates wait for a clean verification made with it.
   */
  public String fingerprint() {
    return fingerprint;
  }

  /** New-model entity; its topic is {@code migrated.<entity>}. */
  public String entity() {
    return entity;
  }

  /** Legacy {@code <schema>.<table>}. */
  public String sourceTable() {
    return sourceTable;
  }

  public List<String> keyFields() {
    return keyFields;
  }

  public Map<String, FieldRule> fields() {
    return fields;
  }

  public List<String> dropped() {
    return dropped;
  }

  public List<RowFilter> filters() {
    return filters;
  }

  /**
   * Every column of the source table the mapping reads: its fields' columns and expressions, and its
   * filters (a join's list name is not a column).
   */
  public java.util.Set<String> columnsRead() {
    java.util.Set<String> columns = FieldRule.columnsOf(fields.values());
    filters.forEach(filter -> columns.addAll(filter.columns()));
    joins.forEach(join -> columns.remove(join.name()));
    joins.forEach(join -> columns.add(join.references()));
    return columns;
  }

  /** The child tables joined to the source table ({@code join:}); empty for a one-table mapping. */
  public List<Join> joins() {
    return joins;
  }

  /** New fields whose values must not be shown: {@code sensitive: true} or under {@code protect}. */
  public java.util.Set<String> sensitiveFields() {
    java.util.Set<String> sensitive = new java.util.LinkedHashSet<>();
    fields.values().stream().filter(FieldRule::sensitive).forEach(rule -> sensitive.add(rule.target()));
    return sensitive;
  }

  /** Legacy columns holding personal data: those sensitive fields are made from. */
  public java.util.Set<String> sensitiveColumns() {
    return FieldRule.columnsOf(fields.values().stream().filter(FieldRule::sensitive).toList());
  }

  /**
   * Checks every expression against the legacy table's column types (as {@link Expression#typeCheck}).
   *
   * @throws io.tandem.core.config.ConfigException naming this file and the field or filter that does not hold
   */
  public void typeCheck(Map<String, Expression.ColumnType> legacyColumns) {
    if (!joins.isEmpty()) {
      Map<String, Expression.ColumnType> withJoins = new java.util.HashMap<>(legacyColumns);
      joins.forEach(join -> withJoins.put(join.name(), Expression.ColumnType.ROWS));
      legacyColumns = withJoins;
    }
    for (FieldRule rule : fields.values()) {
      if (rule.expression() != null) {
        rule.expression().typeCheck(legacyColumns).ifPresent(why -> {
          throw new io.tandem.core.config.ConfigException(name, "fields." + rule.target() + ".expr",
              "an expression over the columns of legacy table " + sourceTable, why);
        });
      }
    }
    for (int i = 0; i < filters.size(); i++) {
      RowFilter filter = filters.get(i);
      if (filter.when() != null) {
        String path = "filter[" + i + "].when";
        filter.when().typeCheck(legacyColumns).ifPresent(why -> {
          throw new io.tandem.core.config.ConfigException(name, path,
              "a condition over the columns of legacy table " + sourceTable, why);
        });
      }
    }
  }

  /** The file's {@code reverse:} section ({@link ReverseSpec#none()} when it has none). */
  public ReverseSpec reverseSpec() {
    return reverseSpec;
  }

  /**
   * The inverse mapping (new row → legacy row) for reverse sync.
   *
   * @throws io.tandem.core.config.ConfigException naming this file and the field that cannot be inverted
   */
  public ReverseMapping reverse() {
    return ReverseMapping.of(this);
  }

  /** The new row, or empty when the filters keep this legacy row out of the new model. */
  public Optional<Map<String, Object>> apply(Map<String, ?> legacyRow) {
    for (RowFilter filter : filters) {
      if (!filter.accepts(legacyRow)) {
        return Optional.empty();
      }
    }
    Map<String, Object> row = new LinkedHashMap<>();
    for (FieldRule rule : fields.values()) {
      row.put(rule.target(), rule.produce(legacyRow));
    }
    for (String key : keyFields) {
      if (row.get(key) == null) {
        throw new MappingException(key, "key field is null");
      }
    }
    return Optional.of(row);
  }

  /**
   * The new key of a legacy row, computed from the key fields' rules alone, so that a delete
   * (whose before-image may hold only the primary key) or a filtered-out row still has one.
   */
  public Map<String, Object> key(Map<String, ?> legacyRow) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String field : keyFields) {
      Object value = fields.get(field).produce(legacyRow);
      if (value == null) {
        throw new MappingException(field, "key field is null (is column '" + fields.get(field).from()
            + "' in the legacy row? deletes carry only the primary key unless REPLICA IDENTITY FULL)");
      }
      key.put(field, value);
    }
    return key;
  }

  /** Why {@link #apply} would leave this row out, for logs; empty when it passes. */
  public Optional<String> filteredBy(Map<String, ?> legacyRow) {
    return filters.stream().filter(f -> !f.accepts(legacyRow)).findFirst().map(RowFilter::describe);
  }
}
