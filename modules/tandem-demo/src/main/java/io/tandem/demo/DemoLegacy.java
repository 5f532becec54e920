package io.tandem.demo;

import io.tandem.verify.Connector;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * The demo's legacy database: where the sample shop lives, how capture reaches it (connector file and its
 * environment), which mappings read it, and how the workload and the verifier connect. The new database is the
 * embedded PostgreSQL whatever the legacy is.
 */
interface DemoLegacy extends AutoCloseable {

  /** Which legacy database {@code tandem demo --legacy} runs on. */
  enum Kind {
    POSTGRES("connectors/legacy-postgres.properties"), MARIADB("connectors/legacy-mariadb.properties");

    /** Its connector file under the Tandem checkout. */
    final String connectorFile;

    Kind(String connectorFile) {
      this.connectorFile = connectorFile;
    }

    /** Accepts {@code postgres} and {@code mariadb} in any case. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Kind> {
      @Override
      public Kind convert(String value) {
        for (Kind kind : values()) {
          if (kind.name().equalsIgnoreCase(value.trim())) {
            return kind;
          }
        }
        throw new picocli.CommandLine.TypeConversionException("expected postgres or mariadb, got '" + value + "'");
      }
    }
  }

  /** Creates the shop's tables and Debezium's signal table, and seeds {@code customers} customers. */
  void createShop(int customers) throws SQLException;

  /** A connection to the shop's database, for the workload. */
  Connection connect() throws SQLException;

  /** The values of the connector file's {@code ${...}} placeholders. */
  Map<String, String> connectorEnvironment();

  /** The schemas folder whose mappings read this shop's tables. */
  Path schemas(Path repositorySchemas) throws IOException;

  /** The shop's database for the guarded writers of {@code --cutover}. */
  javax.sql.DataSource dataSource() throws SQLException;

  /** How the verifier reads the shop. */
  Connector verifierConnector();

  @Override
  void close();
}
