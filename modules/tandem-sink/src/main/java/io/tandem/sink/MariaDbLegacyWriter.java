package io.tandem.sink;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reverse sync's writes into a MariaDB legacy table, with the semantics of {@link BoundTable}'s PostgreSQL
 * statements: a change is applied only if its position is newer than the key's entry in {@code
 * tandem_applied_positions} (read {@code FOR UPDATE}, so the check and the write are one step), only the
 * columns reverse sync owns are updated, and a row the mapping's filters keep out of the new model is
 * never changed. Values arrive as PostgreSQL input text ({@link AvroColumn}) and are bound in the form the
 * MariaDB column takes (booleans as 1/0, instants as UTC wall clocks in the UTC session, bytes as bytes).
 */
final class MariaDbLegacyWriter {
  private static final int KEYS_PER_LOOKUP = 500;
  private static final HexFormat HEX = HexFormat.of();

  private MariaDbLegacyWriter() {}

  static int upsert(Connection connection, BoundTable table, List<Change> upserts) throws SQLException {
    List<Change> fresh = newerThanApplied(connection, table, upserts);
    if (fresh.isEmpty()) {
      return 0;
    }
    try (PreparedStatement insert = connection.prepareStatement(upsertSql(table))) {
      for (Change change : fresh) {
        for (int c = 0; c < table.quotedColumns().size(); c++) {
          bind(insert, c + 1, table.baseTypes().get(c), change.row()[c]);
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
    recordApplied(connection, table, fresh, false);
    return fresh.size();
  }

  static int delete(Connection connection, BoundTable table, List<Change> deletes) throws SQLException {
    List<Change> fresh = newerThanApplied(connection, table, deletes);
    if (fresh.isEmpty()) {
      return 0;
    }
    int[] keys = table.entity().keyIndexes();
    StringJoiner match = new StringJoiner(" AND ");
    for (int key : keys) {
      match.add(table.quotedColumns().get(key) + " = ?");
    }
    String guard = BoundTable.protectedRows(SinkDialect.MARIADB, "", table.entity().legacy().orElseThrow());
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table.qualifiedName() + " WHERE "
        + match + (guard.isEmpty() ? "" : " AND " + guard))) {
      for (Change change : fresh) {
        for (int k = 0; k < keys.length; k++) {
          bind(delete, k + 1, table.baseTypes().get(keys[k]), change.key()[k]);
        }
        delete.addBatch();
      }
      delete.executeBatch();
    }
    recordApplied(connection, table, fresh, true);
    return fresh.size();
  }

  /** The transaction's first write (capture drops the transactions that carry it: docs/coexistence.md). */
  static final String ORIGIN_SQL = "INSERT INTO " + JdbcSink.ORIGIN_TABLE + " (writer, transactions, updated_at)"
      + " VALUES (?, 1, current_timestamp(6)) ON DUPLICATE KEY UPDATE transactions = transactions + 1,"
      + " updated_at = current_timestamp(6)";

  static final String PRUNE_SQL = "DELETE FROM " + BoundTable.APPLIED
      + " WHERE deleted AND applied_at < current_timestamp(6) - INTERVAL ? MICROSECOND";

  /*
   * INSERT ... ON DUPLICATE KEY UPDATE evaluates its assignments left to right, each seeing the columns
   * assigned before it: the filter guard is therefore evaluated once, first, into a session variable.
   */
  private static String upsertSql(BoundTable table) {
    EntityTable.LegacyWrites legacy = table.entity().legacy().orElseThrow();
    List<String> columns = table.quotedColumns();
    StringJoiner names = new StringJoiner(", ", "(", ")");
    StringJoiner values = new StringJoiner(", ", "(", ")");
    columns.forEach(names::add);
    columns.forEach(c -> values.add("?"));
    Set<Integer> keys = new java.util.HashSet<>();
    for (int key : table.entity().keyIndexes()) {
      keys.add(key);
    }
    List<String> updated = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      if (!keys.contains(i) && !legacy.insertOnly().contains(table.entity().avroColumns().get(i).name())) {
        updated.add(columns.get(i));
      }
    }
    String guard = BoundTable.protectedRows(SinkDialect.MARIADB, "", table.entity().legacy().orElseThrow());
    StringJoiner sets = new StringJoiner(", ");
    if (updated.isEmpty()) {
      String key = columns.get(table.entity().keyIndexes()[0]);
      sets.add(key + " = " + key); // nothing reverse sync owns beyond the key: keep the row
    } else if (guard.isEmpty()) {
      updated.forEach(c -> sets.add(c + " = VALUES(" + c + ")"));
    } else {
      for (int i = 0; i < updated.size(); i++) {
        String c = updated.get(i);
        String keep = i == 0 ? "(@tandem_keep := " + guard + ")" : "@tandem_keep";
        sets.add(c + " = IF(" + keep + ", VALUES(" + c + "), " + c + ")");
      }
    }
    return "INSERT INTO " + table.qualifiedName() + " " + names + " VALUES " + values + " ON DUPLICATE KEY UPDATE "
        + sets;
  }

  /** The changes newer than their key's applied position; the entries are locked until the commit. */
  private static List<Change> newerThanApplied(Connection connection, BoundTable table, List<Change> changes)
      throws SQLException {
    Map<String, Long> applied = new HashMap<>();
    for (int from = 0; from < changes.size(); from += KEYS_PER_LOOKUP) {
      List<Change> slice = changes.subList(from, Math.min(changes.size(), from + KEYS_PER_LOOKUP));
      StringJoiner marks = new StringJoiner(", ", "(", ")");
      slice.forEach(c -> marks.add("?"));
      try (PreparedStatement lookup = connection.prepareStatement("SELECT key_json, position FROM " + BoundTable.APPLIED
          + " WHERE entity = ? AND key_json IN " + marks + " FOR UPDATE")) {
        lookup.setString(1, table.entity().entity());
        for (int i = 0; i < slice.size(); i++) {
          lookup.setString(i + 2, slice.get(i).keyJson());
        }
        try (ResultSet rows = lookup.executeQuery()) {
          while (rows.next()) {
            applied.put(rows.getString(1), rows.getLong(2));
          }
        }
      }
    }
    List<Change> fresh = new ArrayList<>();
    for (Change change : changes) {
      Long stored = applied.get(change.keyJson());
      if (stored == null || stored < change.position()) {
        fresh.add(change);
      }
    }
    return fresh;
  }

  private static void recordApplied(Connection connection, BoundTable table, List<Change> changes, boolean deleted)
      throws SQLException {
    try (PreparedStatement record = connection.prepareStatement("INSERT INTO " + BoundTable.APPLIED
        + " (entity, key_json, position, deleted, commit_ts) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
        + " deleted = VALUES(deleted), commit_ts = COALESCE(VALUES(commit_ts), commit_ts),"
        + " applied_at = current_timestamp(6), position = VALUES(position)")) {
      for (Change change : changes) {
        record.setString(1, table.entity().entity());
        record.setString(2, change.keyJson());
        record.setLong(3, change.position());
        record.setBoolean(4, deleted);
        record.setObject(5, deleted || change.commitTs() == null ? null : utcWallClock(change.commitTs()));
        record.addBatch();
      }
      record.executeBatch();
    }
  }

  /** Binds PostgreSQL input text as the MariaDB column of this {@code DATA_TYPE} takes it. */
  static void bind(PreparedStatement statement, int index, String dataType, String text) throws SQLException {
    if (text == null) {
      statement.setObject(index, null);
      return;
    }
    switch (dataType) {
      case "tinyint", "smallint", "mediumint", "int", "bigint", "bit", "boolean" -> statement.setString(index,
          text.equals("t") ? "1" : text.equals("f") ? "0" : text);
      // A DATETIME is a wall clock: as PostgreSQL's cast to timestamp, an offset in the text is ignored.
      case "datetime" -> statement.setObject(index, hasOffset(text) ? OffsetDateTime.parse(text.replace(' ', 'T')
          .replace("Z", "+00:00")).toLocalDateTime() : LocalDateTime.parse(text.replace(' ', 'T')));
      // A TIMESTAMP is an instant: stored as its UTC wall clock in the sink's UTC session.
      case "timestamp" -> statement.setObject(index, hasOffset(text) ? utcWallClock(text)
          : LocalDateTime.parse(text.replace(' ', 'T')));
      case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> statement.setBytes(index,
          text.startsWith("\\x") ? HEX.parseHex(text.substring(2)) : text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      default -> statement.setString(index, text);
    }
  }

  // An instant's UTC wall clock: what a TIMESTAMP column stores in the sink's UTC session.
  private static LocalDateTime utcWallClock(String text) {
    Instant instant = text.endsWith("Z") ? Instant.parse(text) : OffsetDateTime.parse(text.replace(' ', 'T'))
        .toInstant();
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static boolean hasOffset(String text) {
    if (text.endsWith("Z")) {
      return true;
    }
    int time = text.indexOf('T') >= 0 ? text.indexOf('T') : text.indexOf(' ');
    return time >= 0 && (text.indexOf('+', time) >= 0 || text.indexOf('-', time) >= 0);
  }
}
