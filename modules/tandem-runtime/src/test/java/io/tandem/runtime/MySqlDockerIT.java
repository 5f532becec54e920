package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.capture.LegacySettings;
import io.tandem.capture.RowResnapshot;
import io.tandem.capture.SourceKind;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.embedded.LegacyShop;
import io.tandem.embedded.MariaDbShop;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.Repair;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifySettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.MySQLContainer;

/**
 * A legacy MySQL 8 (a container; only with {@code ./mvnw verify -Pdocker}, and it aborts saying so where no Docker
 * engine is found, as on the machine Tandem is built on): capture through {@code connectors/legacy-mysql.properties},
 * forward sync into PostgreSQL through the repository's mappings, the verifier reading MySQL, and repair through the
 * signal table. The MariaDB ITs show the same on MariaDB; this is the MySQL 8 check of issue 14.
 */
class MySqlDockerIT {
  static MySQLContainer<?> mysql;
  static EmbeddedPostgresServer postgres;

  @TempDir
  Path work;

  @BeforeAll
  static void start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      Assumptions.abort("no Docker engine found: MySqlDockerIT runs MySQL 8 in a container (./mvnw verify -Pdocker"
          + " on a machine with Docker)");
    }
    mysql = new MySQLContainer<>("mysql:8.4").withUsername("root").withPassword("tandem")
        .withCommand("--server-id=1", "--log-bin=mysql-bin", "--binlog-format=ROW", "--binlog-row-image=FULL",
            "--gtid-mode=ON", "--enforce-gtid-consistency=ON");
    mysql.start();
    postgres = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    if (postgres != null) {
      postgres.close();
    }
    if (mysql != null) {
      mysql.stop();
    }
  }

  @Test
  void forwardSyncVerifyAndRepairFromMySql() throws Exception {
    String db = "shop";
    String url = "jdbc:mariadb://" + mysql.getHost() + ":" + mysql.getMappedPort(3306) + "/";
    try (Connection admin = DriverManager.getConnection(url + "?allowPublicKeyRetrieval=true", "root", "tandem");
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + db + " CHARACTER SET utf8mb4");
    }
    try (Connection legacy = DriverManager.getConnection(url + db + "?allowPublicKeyRetrieval=true", "root",
        "tandem"); Statement statement = legacy.createStatement()) {
      MariaDbShop.createSchema(legacy);
      statement.execute(RowResnapshot.createTableSql(SourceKind.MYSQL, db + ".tandem_signal"));
      LegacyShop.seed(legacy, 300, 11);
    }
    String newDb = postgres.createDatabase("target");
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
            .kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      Map<String, String> env = new HashMap<>();
      env.put("LEGACY_DB_HOST", mysql.getHost());
      env.put("LEGACY_DB_PORT", Integer.toString(mysql.getMappedPort(3306)));
      env.put("LEGACY_DB_USER", "root");
      env.put("LEGACY_DB_PASSWORD", "tandem");
      env.put("LEGACY_DB_NAME", db);
      env.put("LEGACY_TABLES", String.join(",", MariaDbShop.tables(db)));
      env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
      TandemConfig config = new TandemConfig(Path.of("mysql stack"), new KafkaSettings(kafka.bootstrapServers(), 2,
          Map.of()), Optional.of(RegistrySettings.external(registry.url())),
          new LegacySettings(ROOT.resolve("connectors/legacy-mysql.properties"), env, Optional.empty()),
          Optional.of(new TargetSettings(postgres.jdbcUrl(newDb), postgres.user(), "")),
          new SchemasSettings(MariaDbShop.schemasReading(db, ROOT.resolve("schemas"), work.resolve("schemas"))),
          TransformSettings.defaults().withStateDir(work.resolve("streams")), SinkSettings.defaults(),
          new MetricsSettings("127.0.0.1", 0), VerifySettings.defaults());
      Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
      Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
          Clock.systemUTC());
      supervisor.start(() -> true);
      try {
        Verifier verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
        awaitClean(verifier);
        try (Connection legacy = DriverManager.getConnection(url + db + "?allowPublicKeyRetrieval=true", "root",
            "tandem"); Statement statement = legacy.createStatement()) {
          statement.execute("UPDATE customers SET full_nm = 'Changed on MySQL', balance = 12.34 WHERE cust_id = 1");
          statement.execute("DELETE FROM customers WHERE cust_id = 2");
        }
        awaitClean(verifier);
        try (Connection target = postgres.connect(newDb); Statement statement = target.createStatement()) {
          statement.execute("UPDATE customer SET name = 'Tampered' WHERE id = 1");
        }
        VerificationReport found = pass(verifier);
        assertThat(found.entities()).flatExtracting(e -> e.differences()).extracting(Difference::kind)
            .containsExactly(Difference.Kind.DIFFERENT);
        List<Repair.Outcome> outcomes = verifier.repair(found, Duration.ofSeconds(90), Clock.systemUTC());
        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.remaining()).isEmpty());
        awaitClean(verifier);
        assertThat(supervisor.firstFailure()).isEmpty();
      } finally {
        supervisor.stop();
      }
    }
  }

  private static VerificationReport pass(Verifier verifier) throws InterruptedException {
    return verifier.pass(new Verifier.Request(List.of(), null, false, false), EntityVerifier.Progress.NONE,
        Clock.systemUTC());
  }

  private static void awaitClean(Verifier verifier) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      VerificationReport report = pass(verifier);
      assertThat(report.clean()).as("%s", report.toJson()).isTrue();
    });
  }

}
