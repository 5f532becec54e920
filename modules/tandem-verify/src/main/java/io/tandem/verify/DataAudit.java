package io.tandem.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.mapping.MappingException;
import io.tandem.core.model.MappedEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Profiles legacy data before it moves: per column the null rate and distinct values (the values
 * themselves only for low-cardinality columns that are not sensitive), and per table how many rows the
 * mapping migrates, filters out or refuses, with the refusals counted per reason, exactly as the topology
 * would decide (the same mapping and schema checks).
 */
public record DataAudit(String legacy, long rowLimit, List<TableAudit> tables) {
  /** Distinct values counted per column; beyond this the count reads "more than". */
  public static final int MAX_DISTINCT = 10_000;
  /** Columns with at most this many distinct values list them (unless sensitive). */
  public static final int LIST_VALUES_UP_TO = 20;
  /** Refusal reasons kept per table; further reasons are counted together. */
  public static final int MAX_REASONS = 50;
  /** Longest value or reason text shown. */
  static final int MAX_TEXT = 120;
  static final String OTHER_REASONS = "(other reasons)";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * @param distinct distinct non-null values seen, capped at {@link #MAX_DISTINCT} ({@code distinctCapped})
   * @param values value → count, for a non-sensitive column with few distinct values; else empty
   */
  public record ColumnProfile(String name, boolean sensitive, long nulls, long distinct, boolean distinctCapped,
      Map<String, Long> values) {}

  /**
   * @param limited whether the scan stopped at the row limit
   * @param refused reason → rows
   */
  public record TableAudit(String entity, String table, long rows, boolean limited, long migrated, long filtered,
      Map<String, Long> refused, List<ColumnProfile> columns, String error) {
    public long refusedRows() {
      return refused.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Scans at most {@code rowLimit} rows of each entity's legacy table. */
  /** This audit and another legacy source's, as one ({@code legacy} names both). */
  public DataAudit and(DataAudit other) {
    List<TableAudit> all = new ArrayList<>(tables);
    all.addAll(other.tables);
    return new DataAudit(legacy + "; " + other.legacy, rowLimit, all);
  }

  public static DataAudit run(Connector legacy, String legacyDescription, List<MappedEntity> entities,
      long rowLimit) {
    if (rowLimit < 1) {
      throw new IllegalArgumentException("the row limit must be at least 1, not " + rowLimit);
    }
    List<TableAudit> tables = new ArrayList<>();
    for (MappedEntity entity : entities) {
      try (Connection connection = legacy.open();
          Connection children = entity.mapping().joins().isEmpty() ? null : legacy.open()) {
        tables.add(audit(connection, children, entity, rowLimit));
      } catch (VerifyException e) {
        tables.add(new TableAudit(entity.name(), entity.sourceTable(), 0, false, 0, 0, Map.of(), List.of(),
            e.getMessage()));
      } catch (SQLException e) {
        tables.add(new TableAudit(entity.name(), entity.sourceTable(), 0, false, 0, 0, Map.of(), List.of(),
            "cannot read legacy table " + entity.sourceTable() + ": " + e.getMessage()));
      }
    }
    return new DataAudit(legacyDescription, rowLimit, List.copyOf(tables));
  }

  private static final class Counter {
    final String name;
    final boolean sensitive;
    long nulls;
    final Map<Object, Long> counts = new HashMap<>();
    boolean capped;

    Counter(String name, boolean sensitive) {
      this.name = name;
      this.sensitive = sensitive;
    }

    void add(Object value) {
      if (value == null) {
        nulls++;
        return;
      }
      Object key = distinctKey(value);
      Long seen = counts.get(key);
      if (seen != null) {
        counts.put(key, seen + 1);
      } else if (counts.size() < MAX_DISTINCT) {
        counts.put(key, 1L);
      } else {
        capped = true;
      }
    }

    /**
     * What is kept to count a value as distinct: the value itself, or for long text and bytes a hash and the
     * length, so that 10,000 large values cannot fill the heap (two long values may then, rarely, count as one).
     */
    private static Object distinctKey(Object value) {
      if (value instanceof byte[] bytes) {
        return bytes.length <= MAX_TEXT ? java.nio.ByteBuffer.wrap(bytes)
            : "bytes#" + java.util.Arrays.hashCode(bytes) + "/" + bytes.length;
      }
      if (value instanceof String text && text.length() > MAX_TEXT) {
        return clip(text) + " #" + Integer.toHexString(text.hashCode()) + "/" + text.length();
      }
      return value;
    }

    ColumnProfile profile() {
      Map<String, Long> values = new LinkedHashMap<>();
      if (!sensitive && !capped && counts.size() <= LIST_VALUES_UP_TO) {
        counts.entrySet().stream().sorted(Map.Entry.<Object, Long>comparingByValue(Comparator.reverseOrder()))
            .forEach(e -> values.put(clip(String.valueOf(e.getKey())), e.getValue()));
      }
      return new ColumnProfile(name, sensitive, nulls, counts.size(), capped, values);
    }
  }

  /**
   * @param childConnection where a joined mapping's children are read, beside the streaming parent read
   *     (null without {@code join:})
   */
  private static TableAudit audit(Connection connection, Connection childConnection, MappedEntity entity,
      long rowLimit) throws SQLException {
    LegacyDialect dialect = LegacyDialect.of(connection);
    dialect.prepare(connection);
    Map<String, LegacyValues.Wire> catalog = dialect.columns(connection, entity.sourceTable());
    JoinedChildren joins = null;
    if (childConnection != null) {
      dialect.prepare(childConnection);
      joins = JoinedChildren.describe(childConnection, dialect, entity.mapping(), catalog);
    }
    List<Map<String, Object>> batch = new ArrayList<>();
    Set<String> sensitive = entity.mapping().sensitiveColumns();
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
    try (PreparedStatement statement = connection.prepareStatement("SELECT * FROM "
        + dialect.qualified(entity.sourceTable()) + " LIMIT ?")) {
      statement.setFetchSize(1_000);
      statement.setLong(1, rowLimit + 1);
      long rows = 0;
      long migrated = 0;
      long filtered = 0;
      Map<String, Long> refused = new LinkedHashMap<>();
      boolean limited = false;
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData meta = result.getMetaData();
        int n = meta.getColumnCount();
        String[] names = new String[n];
        LegacyValues.Wire[] wires = new LegacyValues.Wire[n];
        Counter[] counters = new Counter[n];
        for (int i = 0; i < n; i++) {
          names[i] = meta.getColumnName(i + 1);
          wires[i] = dialect.wire(meta, i + 1, catalog);
          counters[i] = new Counter(names[i], sensitive.contains(names[i]));
        }
        while (result.next()) {
          if (rows == rowLimit) {
            limited = true;
            break;
          }
          rows++;
          Map<String, Object> row = new HashMap<>(n * 2);
          for (int i = 0; i < n; i++) {
            Object value = LegacyValues.read(result, i + 1, wires[i]);
            row.put(names[i], value);
            counters[i].add(value);
          }
          batch.add(row);
          if (joins == null || batch.size() == JoinedChildren.BATCH) {
            long[] counted = outcomes(entity, batch, joins, childConnection, refused);
            migrated += counted[0];
            filtered += counted[1];
          }
        }
        long[] counted = outcomes(entity, batch, joins, childConnection, refused);
        migrated += counted[0];
        filtered += counted[1];
        List<ColumnProfile> columns = new ArrayList<>();
        for (Counter counter : counters) {
          columns.add(counter.profile());
        }
        return new TableAudit(entity.name(), entity.sourceTable(), rows, limited, migrated, filtered,
            java.util.Collections.unmodifiableMap(refused), List.copyOf(columns), null);
      }
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  private enum Outcome { MIGRATED, FILTERED, REFUSED }

  /** The outcomes of a batch of rows (their children attached first, for a joined mapping): {migrated, filtered}. */
  private static long[] outcomes(MappedEntity entity, List<Map<String, Object>> batch, JoinedChildren joins,
      Connection childConnection, Map<String, Long> refused) throws SQLException {
    if (joins != null && !batch.isEmpty()) {
      joins.attach(childConnection, batch);
    }
    long[] counted = new long[2];
    for (Map<String, Object> row : batch) {
      switch (outcome(entity, row, refused)) {
        case MIGRATED -> counted[0]++;
        case FILTERED -> counted[1]++;
        case REFUSED -> { }
      }
    }
    batch.clear();
    return counted;
  }

  /** What the topology would do with this row as an insert (the same calls and the same refusals). */
  private static Outcome outcome(MappedEntity entity, Map<String, Object> row, Map<String, Long> refused) {
    try {
      entity.schema().keyRecord(entity.mapping().key(row));
      var mapped = entity.mapping().apply(row);
      if (mapped.isEmpty()) {
        return Outcome.FILTERED;
      }
      entity.schema().valueRecord(mapped.get());
      return Outcome.MIGRATED;
    } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
      String reason = clip(String.valueOf(e.getMessage()));
      if (!refused.containsKey(reason) && refused.size() >= MAX_REASONS - 1) {
        reason = OTHER_REASONS;
      }
      refused.merge(reason, 1L, Long::sum);
      return Outcome.REFUSED;
    }
  }

  private static String clip(String text) {
    return text.length() <= MAX_TEXT ? text : text.substring(0, MAX_TEXT) + "…";
  }

  public String toMarkdown() {
    StringBuilder out = new StringBuilder("# Legacy data audit\n\nLegacy: ").append(legacy)
        .append("; at most ").append(rowLimit).append(" rows per table.\n");
    for (TableAudit table : tables) {
      out.append("\n## ").append(table.table()).append(" → ").append(table.entity()).append("\n\n");
      if (table.error() != null) {
        out.append("- **error:** ").append(table.error()).append("\n");
        continue;
      }
      out.append(table.rows()).append(" rows").append(table.limited() ? " (row limit reached)" : "")
          .append(": ").append(table.migrated()).append(" migrate, ").append(table.filtered())
          .append(" filtered out, ").append(table.refusedRows()).append(" refused.\n");
      if (!table.refused().isEmpty()) {
        out.append("\n| refused because | rows |\n|---|---|\n");
        table.refused().forEach((reason, count) -> out.append("| ").append(cell(reason)).append(" | ").append(count)
            .append(" |\n"));
      }
      out.append("\n| column | nulls | null rate | distinct | values |\n|---|---|---|---|---|\n");
      for (ColumnProfile column : table.columns()) {
        out.append("| ").append(column.name()).append(column.sensitive() ? " (sensitive)" : "").append(" | ")
            .append(column.nulls()).append(" | ").append(rate(column.nulls(), table.rows())).append(" | ")
            .append(column.distinctCapped() ? "more than " : "").append(column.distinct()).append(" | ");
        List<String> values = new ArrayList<>();
        column.values().forEach((value, count) -> values.add(cell(value) + " ×" + count));
        out.append(String.join(", ", values)).append(" |\n");
      }
    }
    return out.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|").replace("\n", " ");
  }

  private static String rate(long part, long whole) {
    return whole == 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", 100.0 * part / whole);
  }

  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("legacy", legacy);
    root.put("rowLimit", rowLimit);
    ArrayNode list = root.putArray("tables");
    for (TableAudit table : tables) {
      ObjectNode node = list.addObject();
      node.put("entity", table.entity());
      node.put("table", table.table());
      if (table.error() != null) {
        node.put("error", table.error());
        continue;
      }
      node.put("rows", table.rows());
      node.put("limited", table.limited());
      node.put("migrated", table.migrated());
      node.put("filtered", table.filtered());
      ObjectNode refused = node.putObject("refused");
      table.refused().forEach(refused::put);
      ArrayNode columns = node.putArray("columns");
      for (ColumnProfile column : table.columns()) {
        ObjectNode c = columns.addObject();
        c.put("name", column.name());
        c.put("sensitive", column.sensitive());
        c.put("nulls", column.nulls());
        c.put("distinct", column.distinct());
        c.put("distinctCapped", column.distinctCapped());
        ObjectNode values = c.putObject("values");
        column.values().forEach(values::put);
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
