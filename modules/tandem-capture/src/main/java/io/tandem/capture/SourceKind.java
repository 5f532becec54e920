package io.tandem.capture;

import java.util.Arrays;
import java.util.Optional;

/** The legacy database a connector file captures, told by its {@code connector.class}. */
public enum SourceKind {
  /** PostgreSQL through logical decoding (pgoutput); positions are LSNs (docs/capture.md, <i>Positions</i>). */
  POSTGRES("io.debezium.connector.postgresql.PostgresConnector"),
  /** MariaDB through its binlog; positions are binlog coordinates ({@link BinlogPosition}). */
  MARIADB("io.debezium.connector.mariadb.MariaDbConnector");

  private final String connectorClass;

  SourceKind(String connectorClass) {
    this.connectorClass = connectorClass;
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
