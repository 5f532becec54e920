package io.tandem.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * MariaDB's zero dates in NOT NULL columns. Debezium hands a zero {@code DATE}, {@code DATETIME} or {@code
 * TIMESTAMP} of a NOT NULL column over as the epoch (1970-01-01), which the record cannot tell from a real
 * 1970-01-01. So for a change carrying the epoch in such a column, capture asks legacy whether the row holds a
 * zero date there now: if it does, the change is a dead letter naming the column (docs/data-model.md, "MariaDB
 * column types"); if it does not (a real 1970-01-01, or the row changed since and its later change will be
 * checked on its own), the change goes on. Only epoch values cost a lookup.
 */
final class ZeroDates implements AutoCloseable {
  private static final Set<String> TEMPORAL = Set.of("io.debezium.time.Date", "io.debezium.time.Timestamp",
      "io.debezium.time.MicroTimestamp", "io.debezium.time.ZonedTimestamp");

  private final ConnectorConfig config;
  private Connection connection;

  ZeroDates(ConnectorConfig config) {
    this.config = config;
  }

  /**
   * The NOT NULL column that holds a zero date in legacy now and the epoch in this change, if any.
   *
   * @throws IllegalStateException if legacy cannot be asked (capture stops rather than guess)
   */
  Optional<String> zeroDateColumn(SourceRecord record) {
    if (!(record.value() instanceof Struct envelope) || envelope.schema().field("after") == null
        || !(envelope.get("after") instanceof Struct after) || !(record.key() instanceof Struct key)) {
      return Optional.empty();
    }
    List<String> suspects = new ArrayList<>();
    for (Field field : temporalNotNull(after.schema())) {
      if (isEpoch(after.get(field))) {
        suspects.add(field.name());
      }
    }
    if (suspects.isEmpty()) {
      return Optional.empty();
    }
    Struct source = envelope.getStruct("source");
    String table = quote(source.getString("db")) + "." + quote(source.getString("table"));
    List<String> checks = suspects.stream().map(c -> "CAST(" + quote(c) + " AS CHAR) LIKE '0000-00-00%'").toList();
    List<String> match = key.schema().fields().stream().map(f -> quote(f.name()) + " = ?").toList();
    String sql = "SELECT " + String.join(", ", checks) + " FROM " + table + " WHERE " + String.join(" AND ", match);
    try (PreparedStatement query = connection().prepareStatement(sql)) {
      int p = 1;
      for (Field field : key.schema().fields()) {
        query.setObject(p++, key.get(field));
      }
      try (ResultSet row = query.executeQuery()) {
        if (row.next()) {
          for (int i = 0; i < suspects.size(); i++) {
            if (row.getBoolean(i + 1)) {
              return Optional.of(suspects.get(i));
            }
          }
        }
      }
      return Optional.empty();
    } catch (SQLException e) {
      close();
      throw new IllegalStateException("cannot ask " + config.database() + " whether " + table
          + " holds a zero date: " + e.getMessage(), e);
    }
  }

  // Per row schema, once (every change passes here): most tables have no NOT NULL temporal column at all.
  private final java.util.Map<Schema, List<Field>> temporalFields = new java.util.IdentityHashMap<>();

  private List<Field> temporalNotNull(Schema row) {
    List<Field> fields = temporalFields.get(row);
    if (fields == null) {
      if (temporalFields.size() >= 1_000) {
        temporalFields.clear(); // schemas rebuilt per record would otherwise grow this without bound
      }
      fields = row.fields().stream().filter(f -> !f.schema().isOptional() && f.schema().name() != null
          && TEMPORAL.contains(f.schema().name())).toList();
      temporalFields.put(row, fields);
    }
    return fields;
  }

  private static boolean isEpoch(Object value) {
    return value instanceof Number n ? n.longValue() == 0 : "1970-01-01T00:00:00Z".equals(value);
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      connection = config.connect("tandem-capture-zero-dates");
      connection.setAutoCommit(true);
    }
    return connection;
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  @Override
  public void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing after a failure: nothing more to do
      }
      connection = null;
    }
  }
}
