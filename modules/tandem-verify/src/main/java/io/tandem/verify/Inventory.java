package io.tandem.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.FieldRule;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.model.MappedEntity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every legacy column of the mapped tables and what becomes of it: mapped (to which fields), read by a
 * filter only, dropped deliberately, or unmapped (forgotten); sensitive or not. Columns a mapping names
 * that the table lacks, and expressions that do not type-check against the table, are listed as problems.
 */
public record Inventory(String legacy, List<Table> tables) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What becomes of a legacy column. */
  public enum Status {
    /** Read by at least one field rule. */
    MAPPED,
    /** Read only by a filter: it decides which rows migrate, its value does not. */
    FILTER,
    /** Listed under {@code drop:}: deliberately not carried over. */
    DROPPED,
    /** Neither mapped nor dropped: forgotten, unless someone decides otherwise. */
    UNMAPPED
  }

  /**
   * @param type how it arrives on the raw topic
   * @param fields the new fields made from it, e.g. {@code full_name (expr)}
   */
  public record Column(String name, String type, Status status, List<String> fields, boolean sensitive) {}

  /**
   * @param problems columns the mapping reads that the table lacks, expressions that do not check
   */
  public record Table(String entity, String mappingFile, String table, List<Column> columns, List<String> problems) {
    public long count(Status status) {
      return columns.stream().filter(c -> c.status() == status).count();
    }
  }

  /** Reads the legacy catalog for every entity's table. */
  /** This inventory and another legacy source's, as one ({@code legacy} names both). */
  public Inventory and(Inventory other) {
    List<Table> all = new ArrayList<>(tables);
    all.addAll(other.tables);
    return new Inventory(legacy + "; " + other.legacy, all);
  }

  public static Inventory read(Connector legacy, String legacyDescription, List<MappedEntity> entities) {
    List<Table> tables = new ArrayList<>();
    try (Connection connection = legacy.open()) {
      LegacyDialect dialect = LegacyDialect.of(connection);
      for (MappedEntity entity : entities) {
        Map<String, LegacyValues.Wire> columns;
        try {
          columns = dialect.columns(connection, entity.sourceTable());
        } catch (SQLException e) {
          tables.add(new Table(entity.name(), entity.mapping().name(), entity.sourceTable(), List.of(),
              List.of("cannot read legacy table " + entity.sourceTable() + ": " + e.getMessage())));
          continue;
        }
        tables.add(table(entity.mapping(), columns));
      }
    } catch (SQLException e) {
      throw new VerifyException("cannot read the legacy catalog: " + e.getMessage(), e);
    }
    return new Inventory(legacyDescription, List.copyOf(tables));
  }

  static Table table(Mapping mapping, Map<String, LegacyValues.Wire> catalog) {
    Set<String> sensitive = mapping.sensitiveColumns();
    Set<String> filtered = new LinkedHashSet<>();
    mapping.filters().forEach(filter -> filtered.addAll(filter.columns()));
    List<Column> columns = new ArrayList<>();
    for (Map.Entry<String, LegacyValues.Wire> entry : catalog.entrySet()) {
      String column = entry.getKey();
      List<String> fields = new ArrayList<>();
      for (FieldRule rule : mapping.fields().values()) {
        if (rule.columns().contains(column)) {
          fields.add(rule.target() + describe(rule));
        }
      }
      mapping.joins().stream().filter(join -> join.references().equals(column))
          .forEach(join -> fields.add("(joins " + join.table() + " as " + join.name() + ")"));
      Status status = !fields.isEmpty() ? Status.MAPPED : filtered.contains(column) ? Status.FILTER
          : mapping.dropped().contains(column) ? Status.DROPPED : Status.UNMAPPED;
      columns.add(new Column(column, entry.getValue().name().toLowerCase(Locale.ROOT), status, List.copyOf(fields),
          sensitive.contains(column)));
    }
    List<String> problems = new ArrayList<>();
    for (String column : mapping.columnsRead()) {
      if (!catalog.containsKey(column)) {
        problems.add("column '" + column + "' is read by the mapping but not in the table (it reads as null)");
      }
    }
    for (String column : mapping.dropped()) {
      if (!catalog.containsKey(column)) {
        problems.add("dropped column '" + column + "' is not in the table");
      }
    }
    if (problems.isEmpty()) {
      try {
        mapping.typeCheck(LegacyValues.expressionTypes(catalog));
      } catch (ConfigException e) {
        problems.add(e.getMessage());
      }
    }
    return new Table(mapping.entity(), mapping.name(), mapping.sourceTable(), List.copyOf(columns),
        List.copyOf(problems));
  }

  private static String describe(FieldRule rule) {
    List<String> how = new ArrayList<>();
    if (rule.computed()) {
      how.add("expr");
    }
    if (rule.cast() != io.tandem.core.mapping.Cast.NONE) {
      how.add(rule.cast().name().toLowerCase(Locale.ROOT));
    }
    if (rule.protection() != io.tandem.core.mapping.Protection.NONE) {
      how.add(rule.protection().name().toLowerCase(Locale.ROOT));
    }
    return how.isEmpty() ? "" : " (" + String.join(", ", how) + ")";
  }

  /** Whether any column is unmapped or any table has a problem. */
  public boolean hasGaps() {
    return tables.stream().anyMatch(t -> t.count(Status.UNMAPPED) > 0 || !t.problems().isEmpty());
  }

  public String toMarkdown() {
    StringBuilder out = new StringBuilder("# Legacy column inventory\n\nLegacy: ").append(legacy).append("\n");
    for (Table table : tables) {
      out.append("\n## ").append(table.table()).append(" → ").append(table.entity()).append("\n\n")
          .append("Mapping `").append(table.mappingFile()).append("`: ").append(table.count(Status.MAPPED))
          .append(" mapped, ").append(table.count(Status.FILTER)).append(" filter only, ")
          .append(table.count(Status.DROPPED)).append(" dropped, ").append(table.count(Status.UNMAPPED))
          .append(" unmapped.\n\n");
      for (String problem : table.problems()) {
        out.append("- **problem:** ").append(problem).append("\n");
      }
      if (!table.problems().isEmpty()) {
        out.append("\n");
      }
      if (table.columns().isEmpty()) {
        continue;
      }
      out.append("| column | type | status | new fields | sensitive |\n|---|---|---|---|---|\n");
      for (Column column : table.columns()) {
        out.append("| ").append(column.name()).append(" | ").append(column.type()).append(" | ")
            .append(column.status() == Status.UNMAPPED ? "**unmapped**" : column.status().name().toLowerCase(Locale.ROOT))
            .append(" | ").append(String.join(", ", column.fields())).append(" | ")
            .append(column.sensitive() ? "yes" : "").append(" |\n");
      }
    }
    return out.toString();
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("legacy", legacy);
    root.put("gaps", hasGaps());
    ArrayNode list = root.putArray("tables");
    for (Table table : tables) {
      ObjectNode node = list.addObject();
      node.put("entity", table.entity());
      node.put("mapping", table.mappingFile());
      node.put("table", table.table());
      ArrayNode problems = node.putArray("problems");
      table.problems().forEach(problems::add);
      ArrayNode columns = node.putArray("columns");
      for (Column column : table.columns()) {
        ObjectNode c = columns.addObject();
        c.put("name", column.name());
        c.put("type", column.type());
        c.put("status", column.status().name().toLowerCase(Locale.ROOT));
        ArrayNode fields = c.putArray("fields");
        column.fields().forEach(fields::add);
        c.put("sensitive", column.sensitive());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
