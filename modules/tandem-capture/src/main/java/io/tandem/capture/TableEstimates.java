package io.tandem.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Row estimates of the captured tables from {@code pg_class.reltuples} (free to read, unlike
 * count(*)), and warnings for what would bite later: captured tables without {@code REPLICA IDENTITY
 * FULL}, and a signal table ({@link RowResnapshot}) that is missing or unusable.
 */
final class TableEstimates {
  private static final Logger LOG = LoggerFactory.getLogger(TableEstimates.class);

  private static final String QUERY = """
      SELECT n.nspname, c.relname, c.reltuples::bigint, c.relreplident,
             has_table_privilege(c.oid, 'UPDATE') OR has_any_column_privilege(c.oid, 'UPDATE'),
             has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'DELETE')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      """;

  private TableEstimates() {}

  /**
   * {@code schema.table} → estimated rows ({@link SnapshotProgress#UNKNOWN} if never analysed) for every
   * table the connector captures. Empty, with a warning, if the database cannot be read: estimates are
   * a convenience, capture does not depend on them.
   */
  static Map<String, Long> query(ConnectorConfig config) {
    List<Pattern> include = patterns(config.tableIncludeList());
    List<Pattern> exclude = patterns(split(config.get("table.exclude.list")));
    String signalTable = config.signalTable().orElse(null);
    boolean signalTableFound = false;
    boolean signalTableWritable = false;
    List<String> notLockable = new ArrayList<>();
    Properties props = new Properties();
    props.setProperty("user", config.user());
    props.setProperty("password", config.password());
    props.setProperty("ApplicationName", "tandem-capture-estimates");
    props.setProperty("connectTimeout", "10");
    Map<String, Long> estimates = new TreeMap<>();
    List<String> notFull = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(config.jdbcUrl(), props);
        PreparedStatement statement = connection.prepareStatement(QUERY);
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        String table = rows.getString(1) + "." + rows.getString(2);
        if (table.equals(signalTable)) {
          signalTableFound = true;
          signalTableWritable = rows.getBoolean(6);
          continue; // captured for its signals, not data: no estimate, no replica identity warning
        }
        if (matches(include, table, true) && !matches(exclude, table, false)) {
          if (!rows.getBoolean(5)) {
            notLockable.add(table);
          }
          long estimate = rows.getLong(3);
          // PostgreSQL 14+ says -1 for a table that was never vacuumed or analysed.
          estimates.put(table, estimate < 0 ? SnapshotProgress.UNKNOWN : estimate);
          if (!"f".equals(rows.getString(4))) {
            notFull.add(table);
          }
        }
      }
    } catch (SQLException e) {
      LOG.warn("Cannot read row estimates from {}: {}; snapshot progress will have no estimates",
          config.jdbcUrl(), e.getMessage());
      return Map.of();
    }
    if (!notFull.isEmpty()) {
      // Without FULL, updates have no before image and an unchanged TOASTed value arrives as Debezium's
      // placeholder __debezium_unavailable_value instead of the value: downstream would write it.
      LOG.warn("Captured tables without REPLICA IDENTITY FULL: {}. Their updates carry no before image and unchanged"
          + " large values arrive as '__debezium_unavailable_value'; run ALTER TABLE ... REPLICA IDENTITY FULL"
          + " (docs/capture.md)", notFull);
    }
    if (signalTable != null) {
      warnAboutSignalTable(config, signalTable, signalTableFound, signalTableWritable, notLockable);
    }
    return estimates;
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
