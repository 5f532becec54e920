package io.tandem.runtime;

import io.tandem.capture.LegacySettings;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigSchema;
import io.tandem.core.config.ConfigSection;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.router.RouterConfigSection;
import io.tandem.router.RouterSettings;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tandem.yaml}: typed, validated, immutable, composed of the sections each module owns
 * ({@link KafkaSettings}, {@link RegistrySettings}, {@link LegacySettings}, {@link TargetSettings},
 * {@link SchemasSettings}, {@link TransformSettings}, {@link SinkSettings}, {@link MetricsSettings},
 * {@link VerifySettings}, the router's {@link RouterConfigSection}). {@link #load} reads the file once,
 * resolves {@code ${VAR}} / {@code ${VAR:-default}} placeholders and checks every value;
 * {@link #requireFor} then checks what the chosen components need (sections, folders, the connector
 * file). Neither opens a connection. Every problem is a {@link ConfigException} naming the file, the key
 * path and what was expected; unknown keys are refused. The key reference, docs/configuration.md, is
 * generated from {@link #SCHEMA}.
 *
 * <p>A router replica shares the file but reads only {@code kafka} and {@code router} ({@link #loadRouter}),
 * and the pipeline does not read {@code router}: neither needs the other's secrets in its environment.
 *
 * <p>{@link #toString()} masks secrets (passwords, secret Kafka properties and environment entries,
 * credentials in URLs): it is the effective configuration that {@code tandem run} logs.
 *
 * @param file the file it was read from, as given
 */
public record TandemConfig(Path file, KafkaSettings kafka, Optional<RegistrySettings> registry, LegacySettings legacy,
    Optional<TargetSettings> target, SchemasSettings schemas, TransformSettings transform, SinkSettings sink,
    MetricsSettings metrics, VerifySettings verify, Optional<CoexistenceSettings> coexistence, MergeSettings merge) {

  /** Every key, in documentation order. */
  public static final ConfigSchema SCHEMA = ConfigSchema.of(KafkaSettings.DEFINITIONS, RegistrySettings.DEFINITIONS,
      LegacySettings.DEFINITIONS, TargetSettings.DEFINITIONS, SchemasSettings.DEFINITIONS,
      TransformSettings.DEFINITIONS, SinkSettings.DEFINITIONS, MetricsSettings.DEFINITIONS, VerifySettings.DEFINITIONS,
      CoexistenceSettings.DEFINITIONS, MergeSettings.DEFINITIONS, RouterConfigSection.DEFINITIONS);

  public TandemConfig {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(legacy, "legacy");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(schemas, "schemas");
    Objects.requireNonNull(transform, "transform");
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(verify, "verify");
    Objects.requireNonNull(coexistence, "coexistence");
    Objects.requireNonNull(merge, "merge");
  }

  /** Without a {@code merge} section: one legacy source. */
  public TandemConfig(Path file, KafkaSettings kafka, Optional<RegistrySettings> registry, LegacySettings legacy,
      Optional<TargetSettings> target, SchemasSettings schemas, TransformSettings transform, SinkSettings sink,
      MetricsSettings metrics, VerifySettings verify, Optional<CoexistenceSettings> coexistence) {
    this(file, kafka, registry, legacy, target, schemas, transform, sink, metrics, verify, coexistence,
        MergeSettings.none());
  }

  /** Without a {@code coexistence} section: forward sync only. */
  public TandemConfig(Path file, KafkaSettings kafka, Optional<RegistrySettings> registry, LegacySettings legacy,
      Optional<TargetSettings> target, SchemasSettings schemas, TransformSettings transform, SinkSettings sink,
      MetricsSettings metrics, VerifySettings verify) {
    this(file, kafka, registry, legacy, target, schemas, transform, sink, metrics, verify, Optional.empty());
  }

  /** The same configuration with reverse sync configured. */
  public TandemConfig withCoexistence(CoexistenceSettings settings) {
    return new TandemConfig(file, kafka, registry, legacy, target, schemas, transform, sink, metrics, verify,
        Optional.of(settings), merge);
  }

  /** The same configuration with other verifier settings. */
  public TandemConfig withVerify(VerifySettings settings) {
    return new TandemConfig(file, kafka, registry, legacy, target, schemas, transform, sink, metrics, settings,
        coexistence, merge);
  }

  /** The same configuration with other legacy sources merged into its entities. */
  public TandemConfig withMerge(MergeSettings settings) {
    return new TandemConfig(file, kafka, registry, legacy, target, schemas, transform, sink, metrics, verify,
        coexistence, settings);
  }

  /** The same configuration reading its mappings, entity schemas and migrations from {@code dir}. */
  public TandemConfig withSchemas(SchemasSettings settings) {
    return new TandemConfig(file, kafka, registry, legacy, target, settings, transform, sink, metrics, verify,
        coexistence, merge);
  }

  /**
   * Reads and validates {@code file}.
   *
   * @param env resolves the file's {@code ${VAR}} placeholders (usually {@code System.getenv()})
   * @throws ConfigException naming the file, the key and what was expected
   */
  public static TandemConfig load(Path file, Map<String, String> env) {
    ConfigSection root = ConfigSection.load(file, env, SCHEMA);
    return new TandemConfig(file, KafkaSettings.read(root), RegistrySettings.read(root), LegacySettings.read(root),
        TargetSettings.read(root), SchemasSettings.read(root), TransformSettings.read(root), SinkSettings.read(root),
        MetricsSettings.read(root), VerifySettings.read(root), CoexistenceSettings.read(root), MergeSettings.read(root));
  }

  /**
   * What {@code tandem router} reads: the {@code kafka} section (where the routing log lives) and the
   * {@code router} section, which must be there. The other sections' keys are checked, their values not read.
   *
   * @throws ConfigException naming the file, the key and what was expected
   */
  public static RouterSettings loadRouter(Path file, Map<String, String> env) {
    ConfigSection root = ConfigSection.load(file, env, SCHEMA);
    KafkaSettings kafka = KafkaSettings.read(root);
    return RouterConfigSection.read(root, kafka.clients().config()).orElseThrow(() -> new ConfigException(
        file.toString(), RouterConfigSection.SECTION.path(), "a section with entities and tokens", null));
  }

  /**
   * Checks what {@code components} need beyond the file itself: the registry and target sections, the
   * folders under {@code schemas.dir}, the connector file. Still no connection.
   */
  public void requireFor(Set<ComponentName> components) {
    String source = file.toString();
    boolean capture = components.contains(ComponentName.CAPTURE);
    boolean transform = components.contains(ComponentName.TRANSFORM);
    boolean sink = components.contains(ComponentName.SINK);
    boolean verify = components.contains(ComponentName.VERIFY);
    if (registry.isEmpty()) {
      throw new ConfigException(source, RegistrySettings.SECTION.path(), "a section with 'url' (an external registry)"
          + " or 'embedded: true' (Tandem's registry in this process)", null);
    }
    if (capture || transform || verify) {
      for (MergeSettings.Source other : merge.sources()) {
        if (!Files.isRegularFile(other.connector())) {
          throw new ConfigException(source, MergeSettings.SOURCES.path() + "." + other.name() + ".connector",
              "a readable connector properties file (relative paths resolve against the config file's folder)",
              other.connector());
        }
      }
    }
    boolean reverse = components.contains(ComponentName.REVERSE);
    if (reverse && coexistence.isEmpty()) {
      throw new ConfigException(source, CoexistenceSettings.SECTION.path(),
          "a coexistence section (the reverse component runs reverse sync; docs/coexistence.md)", null);
    }
    if (reverse && target.isEmpty()) {
      throw new ConfigException(source, TargetSettings.SECTION.path(),
          "a section with jdbcUrl, user and password (reverse sync captures the new database)", null);
    }
    if (reverse && !Files.isRegularFile(coexistence.get().connector())) {
      throw new ConfigException(source, CoexistenceSettings.CONNECTOR.path(), "a readable connector properties file"
          + " for the new database (relative paths resolve against the config file's folder)",
          coexistence.get().connector());
    }
    if (sink && target.isEmpty()) {
      throw new ConfigException(source, TargetSettings.SECTION.path(),
          "a section with jdbcUrl, user and password (the sink component writes the new database)", null);
    }
    if (verify && target.isEmpty()) {
      throw new ConfigException(source, TargetSettings.SECTION.path(),
          "a section with jdbcUrl, user and password (the verify component reads the new database)", null);
    }
    requireFolder(source, schemas.mappings(), "mappings/ (mapping files)");
    requireFolder(source, schemas.avro(), "avro/ (entity schemas)");
    if (sink) {
      requireFolder(source, schemas.migrations(), "migrations/new/ (Flyway migrations of the new database)");
    }
    if (needsConnectorFile(components) && !Files.isRegularFile(legacy.connector())) {
      throw new ConfigException(source, LegacySettings.CONNECTOR.path(), "a readable connector properties file ("
          + (capture ? "capture" : verify ? "verify" : reverse ? "reverse, writing legacy with its credentials," : "transform, for the topic prefix; or set "
          + LegacySettings.TOPIC_PREFIX.path()) + " needs it; relative paths resolve against the config file's folder)",
          legacy.connector());
    }
  }

  /** Whether these components read the connector file: capture, verify, or transform without a topic prefix. */
  public boolean needsConnectorFile(Set<ComponentName> components) {
    return components.contains(ComponentName.CAPTURE) || components.contains(ComponentName.VERIFY)
        || components.contains(ComponentName.REVERSE)
        || (components.contains(ComponentName.TRANSFORM) && legacy.topicPrefix().isEmpty());
  }

  /** The routing log the pipeline and the tools read: coexistence's when configured, else the verifier's. */
  public String routingTopic() {
    return coexistence.map(CoexistenceSettings::routingTopic).orElse(verify.routingTopic());
  }

  /** The registry section, which {@link #requireFor} has checked is there. */
  public RegistrySettings registrySettings() {
    return registry.orElseThrow(() -> new ConfigException(file.toString(), RegistrySettings.SECTION.path(),
        "a registry section", null));
  }

  /** The environment for the connector file's placeholders ({@link LegacySettings#environment}). */
  public Map<String, String> legacyEnvironment(Map<String, String> processEnv) {
    return legacy.environment(processEnv, kafka.bootstrapServers());
  }

  /** The effective configuration, secrets masked: safe to log. Same as {@link #toString()}. */
  public String masked() {
    return toString();
  }

  @Override
  public String toString() {
    return "TandemConfig[file=" + file + ", kafka=" + kafka + ", registry=" + registry.map(Object::toString)
        .orElse("(none)") + ", legacy=" + legacy + ", target=" + target.map(Object::toString).orElse("(none)")
        + ", schemas=" + schemas + ", transform=" + transform + ", sink=" + sink + ", metrics=" + metrics
        + ", verify=" + verify + coexistence.map(c -> ", coexistence=" + c).orElse("")
        + (merge.sources().isEmpty() ? "" : ", merge=" + merge.sources()) + "]";
  }

  private static void requireFolder(String source, Path folder, String what) {
    if (!Files.isDirectory(folder)) {
      throw new ConfigException(source, SchemasSettings.DIR.path(), "a folder holding " + what
          + " (relative paths resolve against the config file's folder)", folder);
    }
  }
}
