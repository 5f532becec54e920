package io.tandem.capture;

import java.util.Arrays;
import java.util.Optional;

/** The legacy database a connector file captures, told by its {@code connector.class}. */
public enum SourceKind {
  /** PostgreSQL through logical decoding (pgoutput); positions are LSNs (docs/capture.md, <i>Positions</i>). */
  POSTGRES("io.debezium.connector.postgresql.PostgresConnector"),
  /** MariaDB through its binlog; positions are binlog coordinates ({@link BinlogPosition}). */
  MARIADB("io.debezium.connector.mariadb.MariaDbConnector"),
  /**
   * MySQL 8 through its binlog, handled as MariaDB is (same SQL dialect for what Tandem asks, binlog coordinates
   * as positions); its GTIDs are {@code uuid:sequence}. Not run here (docs/capture.md, "MySQL 8").
   */
  MYSQL("io.debezium.connector.mysql.MySqlConnector");

  private final String connectorClass;

  SourceKind(String connectorClass) {
    this.connectorClass = connectorClass;
  }

  /** Whether changes come from a binlog (MariaDB, MySQL): one database per file, binlog positions. */
  public boolean binlog() {
    return this != POSTGRES;
  }

  public String connectorClass() {
    return connectorClass;
  }

  static Optional<SourceKind> of(String connectorClass) {
    return Arrays.stream(values()).filter(k -> k.connectorClass.equals(connectorClass)).findFirst();
  }

  static String expected() {
    return Arrays.stream(values()).map(SourceKind::connectorClass).reduce((a, b) -> a + " or " + b).orElseThrow();
  }
}
