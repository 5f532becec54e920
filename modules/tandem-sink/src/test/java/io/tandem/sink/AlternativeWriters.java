package io.tandem.sink;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.postgresql.PGConnection;

/**
 * The batching strategies measured against {@link TableWriter}'s unnest() upsert (docs/sink.md).
 * Same semantics (newer position wins, tombstones block older changes); kept for the benchmark
 * only. Upsert counts are approximate where the strategy cannot report them.
 */
final class AlternativeWriters {
  private AlternativeWriters() {}

  /** INSERT ... VALUES (one row) ON CONFLICT, as a JDBC batch; tombstones checked by a query first. */
  static final class JdbcBatch extends TableWriter {
    @Override
    int upsert(Connection connection, BoundTable table, List<Change> upserts) throws SQLException {
      if (upserts.isEmpty()) {
        return 0;
      }
      List<Change> live = withoutTombstoned(connection, table, upserts);
      StringJoiner values = new StringJoiner(", ", "(", ")");
      for (String type : table.baseTypes()) {
        values.add("CAST(? AS " + type + ")");
      }
      values.add("?").add("CAST(? AS timestamptz)");
      String sql = "INSERT INTO " + table.qualifiedName() + " AS t " + table.insertColumns() + " VALUES " + values
          + table.onConflictClause();
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        for (Change change : live) {
          int p = 1;
          for (String value : change.row()) {
            ps.setString(p++, value);
          }
          ps.setLong(p++, change.position());
          ps.setString(p, change.commitTs());
          ps.addBatch();
        }
        int applied = 0;
        for (int n : ps.executeBatch()) {
          applied += n == Statement.SUCCESS_NO_INFO ? 1 : n;
        }
        return applied;
      }
    }
  }

  /** INSERT ... SELECT FROM (VALUES (...), (...), ...) ON CONFLICT, up to 1000 rows per statement. */
  static final class MultiRowValues extends TableWriter {
    private static final int ROWS_PER_STATEMENT = 1000;

    @Override
    int upsert(Connection connection, BoundTable table, List<Change> upserts) throws SQLException {
      int applied = 0;
      for (int from = 0; from < upserts.size(); from += ROWS_PER_STATEMENT) {
        List<Change> chunk = upserts.subList(from, Math.min(upserts.size(), from + ROWS_PER_STATEMENT));
        applied += upsertChunk(connection, table, chunk);
      }
      return applied;
    }

    private int upsertChunk(Connection connection, BoundTable table, List<Change> chunk) throws SQLException {
      int n = table.baseTypes().size();
      StringJoiner row = new StringJoiner(", ", "(", ")");
      StringJoiner aliases = new StringJoiner(", ");
      StringJoiner select = new StringJoiner(", ");
      for (int i = 0; i < n; i++) {
        row.add("CAST(? AS " + table.baseTypes().get(i) + ")");
        aliases.add("c" + i);
        select.add("v.c" + i);
      }
      row.add("CAST(? AS text)").add("CAST(? AS int8)").add("CAST(? AS timestamptz)");
      aliases.add("kj").add("p").add("ts");
      select.add("v.p").add("v.ts");
      StringJoiner rows = new StringJoiner(", ");
      for (int r = 0; r < chunk.size(); r++) {
        rows.add(row.toString());
      }
      String sql = "INSERT INTO " + table.qualifiedName() + " AS t " + table.insertColumns()
          + " SELECT " + select + " FROM (VALUES " + rows + ") AS v(" + aliases + ")"
          + " WHERE NOT EXISTS (SELECT 1 FROM " + BoundTable.TOMBSTONES + " d WHERE d.entity = ? AND d.key_json = v.kj"
          + " AND d.position >= v.p)" + table.onConflictClause();
      try (PreparedStatement ps = connection.prepareStatement(sql)) {
        int p = 1;
        for (Change change : chunk) {
          for (String value : change.row()) {
            ps.setString(p++, value);
          }
          ps.setString(p++, change.keyJson());
          ps.setLong(p++, change.position());
          ps.setString(p++, change.commitTs());
        }
        ps.setString(p, table.entity().entity());
        return ps.executeUpdate();
      }
    }
  }

  /** COPY into a temporary staging table, then one INSERT ... SELECT ... ON CONFLICT merge. */
  static final class CopyMerge extends TableWriter {
    @Override
    int upsert(Connection connection, BoundTable table, List<Change> upserts) throws SQLException {
      if (upserts.isEmpty()) {
        return 0;
      }
      String stage = "tandem_stage_" + table.entity().entity();
      int n = table.baseTypes().size();
      StringJoiner columns = new StringJoiner(", ");
      StringJoiner select = new StringJoiner(", ");
      for (int i = 0; i < n; i++) {
        columns.add("c" + i + " " + table.baseTypes().get(i));
        select.add("s.c" + i);
      }
      columns.add("kj text").add("p bigint").add("ts timestamptz");
      select.add("s.p").add("s.ts");
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TEMP TABLE IF NOT EXISTS " + stage + " (" + columns + ") ON COMMIT DELETE ROWS");
      }
      StringBuilder text = new StringBuilder(upserts.size() * 128);
      for (Change change : upserts) {
        for (String value : change.row()) {
          appendCopyValue(text, value).append('\t');
        }
        appendCopyValue(text, change.keyJson()).append('\t').append(change.position()).append('\t');
        appendCopyValue(text, change.commitTs()).append('\n');
      }
      try {
        connection.unwrap(PGConnection.class).getCopyAPI()
            .copyIn("COPY " + stage + " FROM STDIN", new StringReader(text.toString()));
      } catch (IOException e) {
        throw new SQLException("COPY into " + stage + " failed", e);
      }
      try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + table.qualifiedName() + " AS t "
          + table.insertColumns() + " SELECT " + select + " FROM " + stage + " s"
          + " WHERE NOT EXISTS (SELECT 1 FROM " + BoundTable.TOMBSTONES + " d WHERE d.entity = ? AND d.key_json = s.kj"
          + " AND d.position >= s.p)" + table.onConflictClause())) {
        ps.setString(1, table.entity().entity());
        int applied = ps.executeUpdate();
        // The staging rows go at commit; a second batch in the same transaction must not see them.
        try (Statement statement = connection.createStatement()) {
          statement.execute("TRUNCATE " + stage);
        }
        return applied;
      }
    }

    // COPY text format: \N is NULL; backslash, tab, newline and carriage return are escaped.
    private static StringBuilder appendCopyValue(StringBuilder out, String value) {
      if (value == null) {
        return out.append("\\N");
      }
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '\\' -> out.append("\\\\");
          case '\t' -> out.append("\\t");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          default -> out.append(c);
        }
      }
      return out;
    }
  }

  // The batch form cannot put NOT EXISTS into INSERT ... VALUES: ask for the batch's tombstones first.
  private static List<Change> withoutTombstoned(Connection connection, BoundTable table, List<Change> upserts)
      throws SQLException {
    Map<String, Long> tombstones = new HashMap<>();
    String[] keys = upserts.stream().map(Change::keyJson).toArray(String[]::new);
    try (PreparedStatement ps = connection.prepareStatement("SELECT key_json, position FROM "
        + BoundTable.TOMBSTONES + " WHERE entity = ? AND key_json = ANY(?)")) {
      ps.setString(1, table.entity().entity());
      ps.setArray(2, connection.createArrayOf("text", keys));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tombstones.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    if (tombstones.isEmpty()) {
      return upserts;
    }
    List<Change> live = new ArrayList<>(upserts.size());
    for (Change change : upserts) {
      Long tombstone = tombstones.get(change.keyJson());
      if (tombstone == null || tombstone < change.position()) {
        live.add(change);
      }
    }
    return live;
  }
}
