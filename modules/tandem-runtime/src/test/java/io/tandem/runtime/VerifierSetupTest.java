package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.core.model.MappedEntity;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Deployment#verifierSetup}: what the verifier gets from the configuration and the model. */
class VerifierSetupTest {
  private static final Map<String, String> ENV = Map.of("LEGACY_DB_HOST", "legacy-primary", "LEGACY_DB_NAME", "shop",
      "LEGACY_DB_USER", "tandem", "LEGACY_DB_PASSWORD", "s3cret");

  @TempDir
  Path dir;

  private Path file(String connector, String extra) throws IOException {
    return Files.writeString(dir.resolve("tandem.yaml"), """
        kafka:
          bootstrapServers: kafka:9092
        registry:
          url: http://registry:8081
        legacy:
          connector: %s
        target:
          jdbcUrl: jdbc:postgresql://new-db:5432/shop_new
          user: tandem
        schemas:
          dir: %s
        """.formatted(connector, ROOT.resolve("schemas")) + extra);
  }

  private Verifier.Setup setup(String extra) throws IOException {
    Deployment deployment = Deployment.plan(TandemConfig.load(file(
        ROOT.resolve("connectors/legacy-postgres.properties").toString(), extra), ENV), Set.of(ComponentName.VERIFY),
        ENV);
    return deployment.verifierSetup(deployment.registryClient(null));
  }

  @Test
  void readsLegacyFromTheReplicaWhenOneIsConfiguredAndRepairsThroughThePrimary() throws IOException {
    assertThat(setup("").legacyDescription()).isEqualTo("jdbc:postgresql://legacy-primary:5432/shop");
    Verifier.Setup replica = setup("verify:\n  legacyReplicaUrl: jdbc:postgresql://replica:5432/shop\n");
    assertThat(replica.legacyDescription()).isEqualTo("jdbc:postgresql://replica:5432/shop (replica)");
    assertThat(replica.entities()).extracting(MappedEntity::name).contains("customer", "address", "customer_order");
    assertThat(replica.kafka().bootstrapServers()).isEqualTo("kafka:9092");
    replica.reemitter().requireAvailable(); // the connector file names a signal table
  }

  @Test
  void aReplicaOfAnotherKindOfDatabaseIsRefusedNamingTheKey() {
    assertThatThrownBy(() -> setup("verify:\n  legacyReplicaUrl: jdbc:mariadb://replica:3306/shop\n"))
        .isInstanceOf(io.tandem.core.config.ConfigException.class)
        .hasMessageContaining("verify.legacyReplicaUrl").hasMessageContaining("jdbc:postgresql:");
  }

  @Test
  void withoutASignalTableRepairIsRefusedNamingTheConnectorFile() throws IOException {
    Path connector = dir.resolve("no-signal.properties");
    Files.writeString(connector, Files.readString(ROOT.resolve("connectors/legacy-postgres.properties"))
        .replaceAll("(?m)^signal\\.data\\.collection=.*$", ""));
    Deployment deployment = Deployment.plan(TandemConfig.load(file(connector.toString(), ""), ENV),
        Set.of(ComponentName.VERIFY), ENV);
    Verifier.Setup setup = deployment.verifierSetup(deployment.registryClient(null));
    assertThatThrownBy(() -> setup.reemitter().requireAvailable()).isInstanceOf(VerifyException.class)
        .hasMessageContaining(connector.toString()).hasMessageContaining("signal.data.collection");
  }

  @Test
  void theSelectionNamesTheKnownEntities() throws IOException {
    Verifier verifier = new Verifier(setup(""));
    assertThat(verifier.select(List.of("customer"))).singleElement().extracting(MappedEntity::name)
        .isEqualTo("customer");
    assertThatThrownBy(() -> verifier.select(List.of("invoice")))
        .hasMessageContaining("unknown entity 'invoice'").hasMessageContaining("customer");
  }

  @Test
  void withoutATargetTheVerifierIsRefusedNamingTheKey() throws IOException {
    Path file = Files.writeString(dir.resolve("no-target.yaml"), """
        kafka:
          bootstrapServers: kafka:9092
        registry:
          url: http://registry:8081
        """);
    assertThatThrownBy(() -> Deployment.plan(TandemConfig.load(file, ENV), Set.of(ComponentName.VERIFY), ENV))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'target'").hasMessageContaining("the verify component reads the new database");
  }
}
