package io.tandem.verify;

import io.tandem.core.mapping.Join;
import io.tandem.core.mapping.Mapping;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The legacy side of a mapping's {@code join:}: for a chunk of parent rows, their child rows read by the
 * referenced values (in batches of {@value #BATCH}) and given to each parent under the join's name, ordered
 * by the child's primary key as text and read as the raw topic carries them: what the join topology
 * gives the mapping.
 */
final class JoinedChildren {
  static final int BATCH = 1_000;

  /** One joined child table as the legacy catalog describes it. */
  record Child(Join join, String table, List<String> keyColumns, Map<String, LegacyValues.Wire> columns) {}

  private final LegacyDialect dialect;
  private final List<Child> children;

  JoinedChildren(LegacyDialect dialect, List<Child> children) {
    this.dialect = dialect;
    this.children = List.copyOf(children);
  }

  /**
   * Each joined child table's primary key and columns, checked against the join's declaration.
   *
   * @throws VerifyException naming the mapping, the join and what the catalog lacks
   */
  static JoinedChildren describe(Connection legacy, LegacyDialect dialect, Mapping mapping,
      Map<String, LegacyValues.Wire> parentColumns) {
    List<Child> children = new ArrayList<>();
    for (io.tandem.core.mapping.Join join : mapping.joins()) {
      String what = "mapping " + mapping.name() + ": join." + join.name() + ": ";
      if (!parentColumns.containsKey(join.references())) {
        throw new VerifyException(what + "legacy table " + mapping.sourceTable() + " has no column '"
            + join.references() + "'");
      }
      try {
        Map<String, LegacyValues.Wire> columns = dialect.columns(legacy, join.table());
        if (columns.isEmpty()) {
          throw new VerifyException(what + "legacy table " + join.table() + " not found");
        }
        if (!columns.containsKey(join.column())) {
          throw new VerifyException(what + "legacy table " + join.table() + " has no column '" + join.column() + "'");
        }
        List<String> key = new ArrayList<>(dialect.primaryKey(legacy, join.table()).keySet());
        if (key.isEmpty()) {
          throw new VerifyException(what + "legacy table " + join.table() + " has no primary key (its rows are"
              + " ordered and told apart by it)");
        }
        children.add(new Child(join, join.table(), key, columns));
      } catch (SQLException e) {
        throw new VerifyException(what + "cannot read legacy table " + join.table() + ": " + e.getMessage());
      }
    }
    return new JoinedChildren(dialect, children);
  }

  boolean isEmpty() {
    return children.isEmpty();
  }

  /** Reads the children of {@code parents} on {@code connection} and puts each list under its join's name. */
  void attach(Connection connection, List<? extends Map<String, Object>> parents) throws SQLException {
    for (Child child : children) {
      Set<Object> values = new LinkedHashSet<>();
      for (Map<String, Object> parent : parents) {
        Object value = parent.get(child.join().references());
        if (value != null) {
          values.add(value);
        }
      }
      Map<String, TreeMap<String, Map<String, Object>>> byParent = new HashMap<>();
      List<Object> all = new ArrayList<>(values);
      for (int from = 0; from < all.size(); from += BATCH) {
        read(connection, child, all.subList(from, Math.min(all.size(), from + BATCH)), byParent);
      }
      for (Map<String, Object> parent : parents) {
        Object value = parent.get(child.join().references());
        TreeMap<String, Map<String, Object>> rows = value == null ? null : byParent.get(Join.keyText(value));
        parent.put(child.join().name(), rows == null ? List.of() : List.copyOf(rows.values()));
      }
    }
  }

  private void read(Connection connection, Child child, List<Object> values,
      Map<String, TreeMap<String, Map<String, Object>>> byParent) throws SQLException {
    String select = child.columns().keySet().stream().map(dialect::quote).collect(Collectors.joining(", "));
    String sql = "SELECT " + select + " FROM " + dialect.qualified(child.table()) + " WHERE "
        + dialect.quote(child.join().column()) + " IN (" + String.join(", ", Collections.nCopies(values.size(), "?"))
        + ")";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < values.size(); i++) {
        statement.setObject(i + 1, values.get(i));
      }
      try (ResultSet result = statement.executeQuery()) {
        ResultSetMetaData meta = result.getMetaData();
        int n = meta.getColumnCount();
        LegacyValues.Wire[] wires = new LegacyValues.Wire[n];
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
          names[i] = meta.getColumnName(i + 1);
          wires[i] = dialect.wire(meta, i + 1, child.columns());
        }
        while (result.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int i = 0; i < n; i++) {
            row.put(names[i], LegacyValues.read(result, i + 1, wires[i]));
          }
          List<Object> key = new ArrayList<>(child.keyColumns().size());
          child.keyColumns().forEach(column -> key.add(row.get(column)));
          TreeMap<String, Map<String, Object>> siblings = byParent.computeIfAbsent(
              Join.keyText(row.get(child.join().column())), v -> new TreeMap<>());
          // One over the cap is enough to refuse the parent as the topology does (RowMapper): no more are kept.
          if (siblings.size() <= Join.MAX_CHILDREN) {
            siblings.put(Join.keyText(key), Collections.unmodifiableMap(row));
          }
        }
      }
    }
  }
}
