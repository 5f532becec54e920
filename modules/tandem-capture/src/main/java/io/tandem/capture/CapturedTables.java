package io.tandem.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What capture reads about its tables before Debezium starts: row estimates from {@code
 * pg_class.reltuples} (free to read, unlike count(*)) for snapshot progress, the tables whose replica
 * identity would lose data or break the legacy application ({@link #refuseUnsafeIdentities}), and
 * warnings about a signal table ({@link RowResnapshot}) that is missing or unusable.
 *
 * @param estimates {@code schema.table} → estimated rows ({@link SnapshotProgress#UNKNOWN} if never analysed)
 * @param partialIdentity tables without {@code REPLICA IDENTITY FULL} that have a column PostgreSQL may
 *     TOAST (text, bytea, jsonb, ...): an update that leaves such a value unchanged carries a placeholder
 * @param noIdentity tables with no replica identity at all ({@code NOTHING}, or {@code DEFAULT} without a
 *     primary key): once in the publication, PostgreSQL refuses the legacy application's updates and deletes
 */
record CapturedTables(Map<String, Long> estimates, List<String> partialIdentity, List<String> noIdentity) {
  private static final Logger LOG = LoggerFactory.getLogger(CapturedTables.class);

  private static final String QUERY = """
      SELECT n.nspname, c.relname, c.reltuples::bigint, c.relreplident,
             has_table_privilege(c.oid, 'UPDATE') OR has_any_column_privilege(c.oid, 'UPDATE'),
             has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'DELETE'),
             EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0
                     AND NOT a.attisdropped AND a.attstorage IN ('x', 'e')),
             EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      """;

  /** The connector-file key that lets capture start with tables in {@link #partialIdentity}. */
  static final String IDENTITY_CHECK = "tandem.replica.identity.check";

  CapturedTables {
    estimates = Map.copyOf(estimates);
    partialIdentity = List.copyOf(partialIdentity);
    noIdentity = List.copyOf(noIdentity);
  }

  /**
   * Reads the captured tables. Nothing (with a warning) if the database cannot be read: Debezium then
   * fails with the reason itself.
   */
  static CapturedTables read(ConnectorConfig config) {
    List<Pattern> include = patterns(config.tableIncludeList());
    List<Pattern> exclude = patterns(split(config.get("table.exclude.list")));
    String signalTable = config.signalTable().orElse(null);
    boolean signalTableFound = false;
    boolean signalTableWritable = false;
    List<String> notLockable = new ArrayList<>();
    Map<String, Long> estimates = new TreeMap<>();
    List<String> partial = new ArrayList<>();
    List<String> none = new ArrayList<>();
    try (Connection connection = config.connect("tandem-capture-tables");
        PreparedStatement statement = connection.prepareStatement(QUERY);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        String table = rows.getString(1) + "." + rows.getString(2);
        if (table.equals(signalTable)) {
          signalTableFound = true;
          signalTableWritable = rows.getBoolean(6);
          continue; // captured for its signals, not data: no estimate, no replica identity check
        }
        if (matches(include, table, true) && !matches(exclude, table, false)) {
          if (!rows.getBoolean(5)) {
            notLockable.add(table);
          }
          long estimate = rows.getLong(3);
          // PostgreSQL 14+ says -1 for a table that was never vacuumed or analysed.
          estimates.put(table, estimate < 0 ? SnapshotProgress.UNKNOWN : estimate);
          String identity = rows.getString(4);
          if ("n".equals(identity) || ("d".equals(identity) && !rows.getBoolean(8))) {
            none.add(table);
          } else if (!"f".equals(identity) && rows.getBoolean(7)) {
            partial.add(table);
          }
        }
      }
    } catch (SQLException e) {
      LOG.warn("Cannot read the captured tables from {}: {}; snapshot progress will have no estimates and replica"
          + " identities are not checked", io.tandem.core.config.Secrets.maskUrl(config.jdbcUrl()), e.getMessage());
      return new CapturedTables(Map.of(), List.of(), List.of());
    }
    if (signalTable != null) {
      warnAboutSignalTable(config, signalTable, signalTableFound, signalTableWritable, notLockable);
    }
    return new CapturedTables(estimates, partial, none);
  }

  /**
   * Refuses to start on tables whose changes capture would lose, or whose legacy writes the publication
   * would break; {@code tandem.replica.identity.check=warn} in the connector file lets the first kind through
   * with a warning (their placeholder changes are then dead-lettered by the transform).
   *
   * @throws IllegalStateException naming the tables and the statement that fixes them
   */
  void refuseUnsafeIdentities(ConnectorConfig config) {
    if (!noIdentity.isEmpty()) {
      throw new IllegalStateException("Captured tables without a replica identity: " + noIdentity + ". In the"
          + " publication, PostgreSQL would refuse the legacy application's UPDATE and DELETE on them. Run ALTER TABLE"
          + " ... REPLICA IDENTITY FULL on each (or add a primary key), or leave them out of table.include.list in "
          + config.source() + " (docs/capture.md)");
    }
    if (partialIdentity.isEmpty()) {
      return;
    }
    String message = "Captured tables without REPLICA IDENTITY FULL: " + partialIdentity + ". An update that leaves"
        + " one of their large values (text, bytea, jsonb, ...) unchanged carries the placeholder"
        + " '__debezium_unavailable_value' instead of the value, so that change cannot be migrated. Run ALTER TABLE"
        + " ... REPLICA IDENTITY FULL on each";
    if (config.identityCheckWarnsOnly()) {
      LOG.warn("{}. Capturing them anyway ({}=warn in {}): such changes go to tandem.dlq.transform (docs/capture.md)",
          message, IDENTITY_CHECK, config.source());
      return;
    }
    throw new IllegalStateException(message + ", or set " + IDENTITY_CHECK + "=warn in " + config.source()
        + " to capture them anyway, dead-lettering such changes (docs/capture.md)");
  }

  // Capture works without a usable signal table; only re-snapshots of chosen rows (verifier repair) do not.
  private static void warnAboutSignalTable(ConnectorConfig config, String signalTable, boolean found, boolean writable,
      List<String> notLockable) {
    if (!found) {
      LOG.warn("Signal table {} (signal.data.collection) does not exist in database {}: re-emitting chosen rows"
          + " (RowResnapshot, verifier repair) is unavailable. Create it as user {} with: {}; then restart capture"
          + " (docs/capture.md, 'Re-emitting chosen rows')", signalTable, config.database(), config.user(),
          RowResnapshot.createTableSql(signalTable));
      return;
    }
    if (!writable) {
      LOG.warn("User {} may not INSERT and DELETE in signal table {}: Debezium writes its snapshot-window watermarks"
          + " there, so re-emitting chosen rows will fail. GRANT INSERT, DELETE ON {} TO {} (docs/capture.md)",
          config.user(), signalTable, signalTable, config.user());
    }
    if (!notLockable.isEmpty()) {
      LOG.warn("User {} has no UPDATE privilege on {}: a re-read of chosen rows locks them FOR SHARE, which needs it,"
          + " so Debezium would skip such requests. GRANT UPDATE (<a key column>) ON <table> TO {} (docs/capture.md)",
          config.user(), notLockable, config.user());
    }
  }

  /**
   * A binlog legacy's captured tables with their row estimates ({@code information_schema.TABLES.TABLE_ROWS}), for
   * the snapshot's progress; there are no replica identities to check. Nothing (with a warning) if the database
   * cannot be read.
   */
  static CapturedTables readBinlog(ConnectorConfig config) {
    List<Pattern> include = patterns(config.tableIncludeList());
    List<Pattern> exclude = patterns(split(config.get("table.exclude.list")));
    java.util.Set<String> own = new java.util.HashSet<>();
    config.signalTable().ifPresent(own::add);
    config.originTable().ifPresent(own::add);
    config.fenceTable().ifPresent(own::add);
    Map<String, Long> estimates = new java.util.HashMap<>();
    try (java.sql.Connection connection = config.connect("tandem-capture-estimates");
        java.sql.PreparedStatement query = connection.prepareStatement("SELECT TABLE_NAME, TABLE_ROWS FROM"
            + " information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'")) {
      query.setString(1, config.database());
      try (java.sql.ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          String table = config.database() + "." + rows.getString(1);
          long estimate = rows.getLong(2);
          if (!own.contains(table) && matches(include, table, true) && !matches(exclude, table, false)) {
            estimates.put(table, rows.wasNull() ? SnapshotProgress.UNKNOWN : estimate);
          }
        }
      }
    } catch (java.sql.SQLException e) {
      LOG.warn("Cannot read the row estimates of {}: {} (snapshot progress shows no totals)", config.database(),
          e.getMessage());
    }
    return new CapturedTables(estimates, List.of(), List.of());
  }

  private static boolean matches(List<Pattern> patterns, String table, boolean whenEmpty) {
    if (patterns.isEmpty()) {
      return whenEmpty;
    }
    return patterns.stream().anyMatch(p -> p.matcher(table).matches());
  }

  // Debezium reads these lists as case-insensitive regular expressions over the whole schema.table.
  private static List<Pattern> patterns(List<String> regexes) {
    return regexes.stream().map(r -> Pattern.compile(r, Pattern.CASE_INSENSITIVE)).toList();
  }

  private static List<String> split(String list) {
    if (list == null || list.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
