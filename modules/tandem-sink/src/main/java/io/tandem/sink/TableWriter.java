package io.tandem.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Applies one entity's changes of a batch inside the caller's transaction. The caller has already
 * kept only the newest change per key, so no statement touches a row twice.
 *
 * <p>Every statement is one round trip whatever the batch size: each column is one {@code text[]}
 * parameter that {@code unnest()} turns back into rows (see docs/sink.md for the measurements
 * against JDBC batching, multi-row VALUES and COPY into a staging table).
 */
class TableWriter {

  /** Inserts or updates rows whose position is newer than both the stored row and the key's tombstone. */
  int upsert(Connection connection, BoundTable table, List<Change> upserts) throws SQLException {
    if (upserts.isEmpty()) {
      return 0;
    }
    if (table.dialect() == SinkDialect.MARIADB) {
      return MariaDbLegacyWriter.upsert(connection, table, upserts);
    }
    int columns = table.quotedColumns().size();
    int rows = upserts.size();
    String[][] values = new String[columns][rows];
    String[] keyJson = new String[rows];
    Long[] positions = new Long[rows];
    String[] commitTs = new String[rows];
    for (int r = 0; r < rows; r++) {
      Change change = upserts.get(r);
      String[] row = change.row();
      for (int c = 0; c < columns; c++) {
        values[c][r] = row[c];
      }
      keyJson[r] = change.keyJson();
      positions[r] = change.position();
      commitTs[r] = change.commitTs();
    }
    try (PreparedStatement ps = connection.prepareStatement(table.upsertSql())) {
      int p = 1;
      for (String[] column : values) {
        ps.setArray(p++, connection.createArrayOf("text", column));
      }
      ps.setArray(p++, connection.createArrayOf("text", keyJson));
      ps.setArray(p++, connection.createArrayOf("int8", positions));
      ps.setArray(p++, connection.createArrayOf("text", commitTs));
      ps.setString(p, table.entity().entity());
      if (table.entity().legacy().isEmpty()) {
        return ps.executeUpdate();
      }
      // The legacy upsert also advances the side table's positions, so it is a query counting what it wrote.
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /**
   * Removes rows older than the delete and raises the key's tombstone to the delete's position.
   * Returns how many deletes were applied: newer than both the stored row and the tombstone.
   */
  int delete(Connection connection, BoundTable table, List<Change> deletes) throws SQLException {
    if (deletes.isEmpty()) {
      return 0;
    }
    if (table.dialect() == SinkDialect.MARIADB) {
      return MariaDbLegacyWriter.delete(connection, table, deletes);
    }
    int keyCount = table.entity().keyColumns().size();
    int rows = deletes.size();
    String[][] keys = new String[keyCount][rows];
    String[] keyJson = new String[rows];
    Long[] positions = new Long[rows];
    for (int r = 0; r < rows; r++) {
      Change change = deletes.get(r);
      for (int k = 0; k < keyCount; k++) {
        keys[k][r] = change.key()[k];
      }
      keyJson[r] = change.keyJson();
      positions[r] = change.position();
    }
    try (PreparedStatement ps = connection.prepareStatement(table.deleteSql())) {
      int p = 1;
      for (String[] column : keys) {
        ps.setArray(p++, connection.createArrayOf("text", column));
      }
      ps.setArray(p++, connection.createArrayOf("text", keyJson));
      ps.setArray(p++, connection.createArrayOf("int8", positions));
      ps.setString(p, table.entity().entity());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
