package io.tandem.app.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.mapping.Mapping;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inventory and audit of a merged entity read each legacy source's own catalog: one part per source. */
class LegacyReadOptionsTest {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @Test
  void aMergedEntityIsReadFromEachOfItsSources(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("tandem.yaml"), """
        kafka:
          bootstrapServers: kafka:9092
        registry:
          url: http://registry:8081
        legacy:
          connector: %1$s/connectors/legacy-postgres.properties
          env: { LEGACY_DB_HOST: shop-a, LEGACY_DB_NAME: shop, LEGACY_DB_USER: tandem, LEGACY_DB_PASSWORD: a }
        target:
          jdbcUrl: jdbc:postgresql://new/shop_new
          user: tandem
          password: n
        schemas:
          dir: %1$s/schemas
          mappings: %1$s/schemas/examples/merger/mappings
        merge:
          sources:
            shop_b:
              connector: %1$s/connectors/legacy-postgres.properties
              env: { LEGACY_DB_HOST: shop-b, LEGACY_DB_NAME: shop_b, LEGACY_DB_USER: tandem, LEGACY_DB_PASSWORD: b }
        """.formatted(ROOT));
    LegacyReadOptions options = new LegacyReadOptions();
    options.config = config;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    LegacyReadOptions.Plan plan = options.plan(Map.of(), new PrintStream(err, true, StandardCharsets.UTF_8),
        "tandem inventory");
    assertThat(plan).as(err.toString(StandardCharsets.UTF_8)).isNotNull();
    assertThat(plan.parts()).hasSize(2);
    assertThat(plan.parts().get(0).legacy().description()).contains("//shop-a:5432/shop");
    assertThat(plan.parts().get(0).entities()).singleElement().satisfies(e ->
        assertThat(e.mapping().sourceTable()).isEqualTo("public.customers"));
    assertThat(plan.parts().get(1).legacy().description()).startsWith("shop_b: ").contains("//shop-b:5432/shop_b")
        .doesNotContain("password");
    assertThat(plan.parts().get(1).entities()).singleElement().satisfies(e -> {
      assertThat(e.name()).isEqualTo("customer");
      assertThat(e.sources()).extracting(Mapping::sourceTable).containsExactly("public.clients");
    });
  }
}
