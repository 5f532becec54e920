package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;

import io.tandem.capture.LegacySettings;
import io.tandem.embedded.LegacyShop;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The configuration of a deployment on the embedded stack, as a tandem.yaml would give it (tests). */
public final class StackConfig {
  private StackConfig() {}

  /**
   * @param registry an external registry's URL
   * @param slot the replication slot (and publication) of this deployment's capture
   */
  public static TandemConfig of(String bootstrap, URI registry, String legacyHost, int legacyPort, String legacyDb,
      String slot, String newDbUrl, String user, Path stateDir) {
    return of(bootstrap, registry, legacyHost, legacyPort, legacyDb, slot, newDbUrl, user, stateDir, LegacyShop.TABLES);
  }

  /** @param tables the captured legacy tables ({@code LEGACY_TABLES}) */
  public static TandemConfig of(String bootstrap, URI registry, String legacyHost, int legacyPort, String legacyDb,
      String slot, String newDbUrl, String user, Path stateDir, java.util.List<String> tables) {
    return of(bootstrap, registry, legacyHost, legacyPort, legacyDb, slot, newDbUrl, user, stateDir, tables,
        ROOT.resolve("schemas"));
  }

  /** @param schemas the folder of mappings/, avro/ and migrations/new/ */
  public static TandemConfig of(String bootstrap, URI registry, String legacyHost, int legacyPort, String legacyDb,
      String slot, String newDbUrl, String user, Path stateDir, java.util.List<String> tables, Path schemas) {
    Map<String, String> legacy = new HashMap<>();
    legacy.put("LEGACY_DB_HOST", legacyHost);
    legacy.put("LEGACY_DB_PORT", Integer.toString(legacyPort));
    legacy.put("LEGACY_DB_NAME", legacyDb);
    legacy.put("LEGACY_SLOT_NAME", slot);
    legacy.put("LEGACY_PUBLICATION_NAME", slot);
    legacy.put("LEGACY_DB_USER", user);
    legacy.put("LEGACY_DB_PASSWORD", "");
    legacy.put("LEGACY_TABLES", String.join(",", tables));
    legacy.put("LEGACY_SIGNAL_TABLE", LegacyShop.SIGNAL_TABLE);
    legacy.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    return new TandemConfig(Path.of("test stack"), new KafkaSettings(bootstrap, 2, Map.of()),
        Optional.of(RegistrySettings.external(registry)),
        new LegacySettings(ROOT.resolve("connectors/legacy-postgres.properties"), legacy, Optional.empty()),
        Optional.of(new TargetSettings(newDbUrl, user, "")), new SchemasSettings(schemas),
        TransformSettings.defaults().withStateDir(stateDir), SinkSettings.defaults(),
        new MetricsSettings("127.0.0.1", 0), VerifySettings.defaults());
  }

  /** {@code config} with {@code properties} added to its {@code kafka.properties} (every Kafka client it makes). */
  public static TandemConfig withKafkaProperties(TandemConfig config, Map<String, String> properties) {
    KafkaSettings kafka = config.kafka();
    Map<String, String> all = new HashMap<>(kafka.properties());
    all.putAll(properties);
    return new TandemConfig(config.file(), new KafkaSettings(kafka.bootstrapServers(), kafka.partitions(), all,
        kafka.instanceId()), config.registry(), config.legacy(), config.target(), config.schemas(), config.transform(),
        config.sink(), config.metrics(), config.verify(), config.coexistence(), config.merge());
  }

  /** Kafka client settings as one command-line argument of a child deployment: {@code key=value,key=value}. */
  public static String kafkaPropertiesArgument(Map<String, String> properties) {
    return properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining(","));
  }

  /** The reverse of {@link #kafkaPropertiesArgument}. */
  public static Map<String, String> parseKafkaProperties(String argument) {
    Map<String, String> properties = new HashMap<>();
    for (String setting : argument.split(",")) {
      String[] keyValue = setting.split("=", 2);
      properties.put(keyValue[0], keyValue[1]);
    }
    return properties;
  }
}
