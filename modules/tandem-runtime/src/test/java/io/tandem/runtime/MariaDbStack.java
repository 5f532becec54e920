package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;

import io.tandem.capture.LegacySettings;
import io.tandem.embedded.MariaDbShop;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A deployment whose legacy database is a database on the machine's MariaDB (127.0.0.1:3306, root without a
 * password, binlog on), as a tandem.yaml with {@code legacy.connector: connectors/legacy-mariadb.properties}
 * would give it (tests). The new database is any PostgreSQL.
 */
final class MariaDbStack {
  static final String URL = "jdbc:mariadb://127.0.0.1:3306/";

  private MariaDbStack() {}

  /** A connection to {@code db} on the machine's MariaDB ({@code ""}: no database). */
  static Connection connect(String db) {
    try {
      return DriverManager.getConnection(URL + db, "root", "");
    } catch (SQLException e) {
      throw new IllegalStateException("MariaDB at " + URL + db + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param schemas a schemas folder whose mappings read {@code db} ({@link MariaDbShop#schemasReading})
   * @param instanceId static membership of the stages' consumer groups, as {@code tandem run} has by default
   * @param statusTopic the verifier's status topic (its lag reports decide how long re-checks wait)
   */
  static TandemConfig config(String bootstrap, URI registry, String db, String newDbUrl, String newDbUser,
      Path schemas, Path stateDir, Optional<String> instanceId, String statusTopic) {
    Map<String, String> env = new HashMap<>();
    env.put("LEGACY_DB_HOST", "127.0.0.1");
    env.put("LEGACY_DB_USER", "root");
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_DB_NAME", db);
    env.put("LEGACY_TABLES", String.join(",", MariaDbShop.tables(db)));
    // Unique among the server's replicas: tests of other classes may stream from the same server meanwhile.
    env.put("LEGACY_SERVER_ID", Integer.toString(500_000 + Math.floorMod(db.hashCode(), 400_000)));
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    env.put("TANDEM_SCHEMA_HISTORY_TOPIC", "history_" + db);
    VerifySettings defaults = VerifySettings.defaults();
    VerifySettings verify = new VerifySettings(defaults.chunkSize(), defaults.legacyRowsPerSecond(),
        defaults.legacyReplicaUrl(), defaults.recheckDelay(), defaults.recheckRounds(), defaults.interval(),
        statusTopic, defaults.routingTopic(), defaults.deadLetterTopics());
    return new TandemConfig(Path.of("mariadb stack"), new KafkaSettings(bootstrap, 2, Map.of(), instanceId),
        Optional.of(RegistrySettings.external(registry)),
        new LegacySettings(ROOT.resolve("connectors/legacy-mariadb.properties"), env, Optional.empty()),
        Optional.of(new TargetSettings(newDbUrl, newDbUser, "")), new SchemasSettings(schemas),
        TransformSettings.defaults().withStateDir(stateDir), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", 0), verify);
  }
}
