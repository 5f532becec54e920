package io.tandem.capture;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * Debezium's snapshot metrics for one connector, read from the platform MBean server the embedded
 * connector registers them with. They tell what the delivered records cannot: that no snapshot was
 * needed (offsets say it was done before) and how many rows an empty or finished table had.
 */
record SnapshotMetrics(boolean completed, boolean skipped, Map<String, Long> rowsScanned) {

  /** The metrics of the connector whose {@code topic.prefix} is {@code server}, if it has registered them. */
  static Optional<SnapshotMetrics> read(String server) {
    MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
    try {
      ObjectName pattern = new ObjectName("debezium.postgres:type=connector-metrics,context=snapshot,*");
      for (ObjectName name : mbeans.queryNames(pattern, null)) {
        String key = name.getKeyProperty("server");
        if (key == null || !(key.equals(server) || unquote(key).equals(server))) {
          continue;
        }
        boolean completed = (Boolean) mbeans.getAttribute(name, "SnapshotCompleted");
        boolean skipped = (Boolean) mbeans.getAttribute(name, "SnapshotSkipped");
        Map<String, Long> rows = new TreeMap<>();
        // An MXBean hands a Map<String, Long> over as a table of {key, value} rows.
        if (mbeans.getAttribute(name, "RowsScanned") instanceof TabularData scanned) {
          for (Object row : scanned.values()) {
            CompositeData entry = (CompositeData) row;
            rows.put(tableName(entry.get("key").toString()), ((Number) entry.get("value")).longValue());
          }
        }
        return Optional.of(new SnapshotMetrics(completed, skipped, rows));
      }
    } catch (JMException | RuntimeException e) {
      return Optional.empty(); // metrics are a refinement; without them the record markers still count
    }
    return Optional.empty();
  }

  // Debezium names tables by their full id; progress is keyed by schema.table.
  private static String tableName(String id) {
    String[] parts = id.split("\\.");
    return parts.length <= 2 ? id : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static String unquote(String value) {
    try {
      return ObjectName.unquote(value);
    } catch (IllegalArgumentException e) {
      return value;
    }
  }
}
