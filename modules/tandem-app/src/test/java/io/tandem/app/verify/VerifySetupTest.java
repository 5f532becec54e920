package io.tandem.app.verify;

import static io.tandem.app.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.app.config.TandemConfig;
import io.tandem.core.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifySetupTest {
  private static final Map<String, String> ENV = Map.of("LEGACY_DB_HOST", "legacy-primary", "LEGACY_DB_NAME", "shop",
      "LEGACY_DB_USER", "tandem", "LEGACY_DB_PASSWORD", "s3cret");

  @TempDir
  Path dir;

  private TandemConfig config(String extra) throws IOException {
    return TandemConfig.load(Files.writeString(dir.resolve("tandem.yaml"), """
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
        """.formatted(ROOT.resolve("connectors/legacy-postgres.properties"), ROOT.resolve("schemas")) + extra), ENV);
  }

  @Test
  void readsLegacyFromTheReplicaWhenOneIsConfiguredAndRepairsThroughThePrimary() throws IOException {
    VerifySetup primary = VerifySetup.of(config(""), ENV);
    assertThat(primary.legacyDescription()).isEqualTo("jdbc:postgresql://legacy-primary:5432/shop");
    VerifySetup replica = VerifySetup.of(config("verify:\n  legacyReplicaUrl: jdbc:postgresql://replica:5432/shop\n"), ENV);
    assertThat(replica.legacyDescription()).isEqualTo("jdbc:postgresql://replica:5432/shop (replica)");
    assertThat(replica.signalTable()).contains("public.tandem_signal");
    assertThat(replica.mappings()).extracting(m -> m.entity()).contains("customer", "address", "customer_order");
    assertThat(replica.kafka()).containsEntry("bootstrap.servers", "kafka:9092");
  }

  @Test
  void theSelectionNamesTheKnownEntities() throws IOException {
    VerifySetup setup = VerifySetup.of(config(""), ENV);
    assertThat(setup.select(java.util.List.of("customer"))).singleElement().extracting(m -> m.entity())
        .isEqualTo("customer");
    assertThatThrownBy(() -> setup.select(java.util.List.of("invoice")))
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
    assertThatThrownBy(() -> VerifySetup.of(TandemConfig.load(file, ENV), ENV)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'target'").hasMessageContaining("the verifier reads the new database");
  }
}
