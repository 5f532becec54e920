package io.tandem.verify;

import io.tandem.core.model.MappedEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

/**
 * Has capture read every row of an entity's legacy table again (after a mapping change, say): the primary
 * keys are read in key order, a batch at a time, and each batch is asked for through capture's signal
 * table, exactly as {@code --repair} asks for single rows (docs/capture.md, "Re-emitting chosen rows"), so
 * a re-read never outranks a change committed after it. Memory holds one batch of keys.
 */
final class Resnapshot {
  /** Keys per request: one capture signal each. */
  static final int BATCH = 1000;

  private Resnapshot() {}

  /** @return the keys asked for */
  static long run(Verifier.Setup setup, MappedEntity entity, LongConsumer progress) {
    if (entity.merge().isPresent()) {
      throw VerifyException.badRequest("entity " + entity.name() + " is merged from several legacy sources: tandem"
          + " resnapshot re-reads the legacy section's database only, and is refused for it (docs/mappings.md,"
          + " \"Merger\")");
    }
    setup.reemitter().requireAvailable();
    String table = entity.sourceTable();
    try (Connection legacy = setup.legacyPrimary().open()) {
      LegacyDialect dialect = LegacyDialect.of(legacy);
      List<String> keyColumns = new ArrayList<>(dialect.primaryKey(legacy, table).keySet());
      if (keyColumns.isEmpty()) {
        throw new VerifyException("legacy table " + table + " has no primary key: capture re-reads rows by key");
      }
      String columns = keyColumns.stream().map(dialect::quote).collect(Collectors.joining(", "));
      String tuple = "(" + columns + ")";
      String order = " ORDER BY " + columns + " LIMIT " + BATCH;
      String first = "SELECT " + columns + " FROM " + dialect.qualified(table) + order;
      String next = "SELECT " + columns + " FROM " + dialect.qualified(table) + " WHERE " + tuple + " > ("
          + String.join(", ", java.util.Collections.nCopies(keyColumns.size(), "?")) + ")" + order;
      long asked = 0;
      List<Object> last = null;
      try (PreparedStatement firstBatch = legacy.prepareStatement(first);
          PreparedStatement nextBatch = legacy.prepareStatement(next)) {
        while (true) {
          PreparedStatement statement = last == null ? firstBatch : nextBatch;
          if (last != null) {
            for (int i = 0; i < last.size(); i++) {
              statement.setObject(i + 1, last.get(i));
            }
          }
          List<List<?>> keys = new ArrayList<>(BATCH);
          List<Object> lastRaw = null;
          try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
              List<Object> raw = new ArrayList<>(keyColumns.size());
              List<Object> literal = new ArrayList<>(keyColumns.size());
              for (int i = 1; i <= keyColumns.size(); i++) {
                Object value = rows.getObject(i);
                raw.add(value);
                // Numbers stay numbers; uuids, dates, text go as text the database casts back to the column type.
                literal.add(value instanceof Number ? value : value == null ? null : value.toString());
              }
              keys.add(literal);
              lastRaw = raw;
            }
          }
          if (keys.isEmpty()) {
            return asked;
          }
          setup.reemitter().request(legacy, table, keyColumns, keys);
          asked += keys.size();
          progress.accept(asked);
          last = lastRaw;
        }
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + entity.name() + ": re-reading legacy " + table + ": " + e.getMessage(), e);
    }
  }
}
