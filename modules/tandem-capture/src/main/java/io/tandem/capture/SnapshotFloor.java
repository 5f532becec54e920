package io.tandem.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.LongSupplier;

/**
 * The position of initial-snapshot rows: one below the replication slot's {@code restart_lsn}, read once,
 * when the first snapshot row arrives (the slot exists by then and does not move until streaming starts).
 *
 * <p>Why not the snapshot's own LSN (the slot's consistent point, which Debezium puts in {@code source.lsn}):
 * a transaction that starts while the slot is being built and commits after it became consistent is not in
 * the snapshot, yet it is decoded and streamed with the LSNs it was written at, which lie below the
 * consistent point. The sink would then keep the older snapshot row (docs/capture.md, <i>Positions</i>).
 * Every streamed change lies above the slot's restart LSN, and nothing the snapshot saw is ever streamed.
 */
final class SnapshotFloor implements LongSupplier {
  private static final String QUERY = "SELECT restart_lsn - '0/0'::pg_lsn FROM pg_replication_slots"
      + " WHERE slot_name = ? AND database = current_database()";

  private final ConnectorConfig config;
  private volatile Long floor;

  SnapshotFloor(ConnectorConfig config) {
    this.config = config;
  }

  /**
   * @throws Unavailable if the slot cannot be read: producing the row with a guessed position
   *     could make the sink drop a later change, so capture stops instead (and snapshots again on restart)
   */
  @Override
  public long getAsLong() {
    Long known = floor;
    if (known != null) {
      return known;
    }
    synchronized (this) {
      if (floor == null) {
        floor = read() - 1;
      }
      return floor;
    }
  }

  /** One below the slot's {@code restart_lsn} as it is now (not the cached floor): a fresh read. */
  long current() {
    return read() - 1;
  }

  /** Not a fault of the record at hand, so never a dead letter: capture stops. */
  static final class Unavailable extends RuntimeException {
    Unavailable(String message) {
      super(message);
    }

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private long read() {
    try (Connection connection = config.connect("tandem-capture-snapshot-floor");
        PreparedStatement statement = connection.prepareStatement(QUERY)) {
      statement.setString(1, config.slotName());
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next() || rows.getBigDecimal(1) == null) {
          throw new Unavailable("replication slot " + config.slotName() + " has no restart LSN in database "
              + config.database() + ": cannot position the snapshot rows below the changes streamed after them");
        }
        return rows.getBigDecimal(1).longValueExact();
      }
    } catch (SQLException e) {
      throw new Unavailable("cannot read replication slot " + config.slotName() + " to position the snapshot"
          + " rows: " + e.getMessage(), e);
    }
  }
}
