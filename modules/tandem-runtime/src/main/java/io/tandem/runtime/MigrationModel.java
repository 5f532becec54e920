package io.tandem.runtime;

import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.capture.LegacySettings;
import io.tandem.core.config.ConfigException;
import io.tandem.core.model.ReverseEntity;
import io.tandem.transform.ReverseTopology;
import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.TopicSpec;
import io.tandem.sink.EntityTable;
import io.tandem.sink.JdbcSink;
import io.tandem.transform.TransformTopology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What is migrated, read from files once and checked once, then handed to every stage, the verifier and
 * the benchmarks: the Debezium connector settings (when needed), the raw topics' prefix, the mapped
 * entities (mappings with their entity schemas), the sink's tables and the new database's migrations.
 * Loading opens no connection.
 *
 * @param connector the connector settings; empty when no chosen component reads the file
 * @param topicPrefix prefix of the raw topics ({@code legacy.<db>})
 * @param avro the folder of the entity schemas ({@code <entity>.avsc})
 * @param migrations Flyway migrations of the new database
 * @param newConnector the new database's connector settings, for reverse sync; empty unless it runs
 * @param reverse each entity's way back (new row → legacy row); empty unless reverse sync runs
 * @param otherSources the connector settings of the legacy sources merged with {@code legacy} ({@code merge.sources}),
 *     by source name; read when capture, transform or verify runs
 * @param captured the legacy sources this deployment captures ({@code legacy} and merged sources' names); empty
 *     unless capture runs
 */
public record MigrationModel(Optional<ConnectorConfig> connector, String topicPrefix, List<MappedEntity> entities,
    Path avro, Path migrations, Optional<ConnectorConfig> newConnector, List<ReverseEntity> reverse,
    Map<String, ConnectorConfig> otherSources, java.util.Set<String> captured) {

  /** Where capture of the new database sends what it cannot convert. */
  public static final String REVERSE_CAPTURE_DEAD_LETTERS = io.tandem.kafka.DeadLetter.topic("capture-new");

  public MigrationModel {
    entities = List.copyOf(entities);
    reverse = List.copyOf(reverse);
    otherSources = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(otherSources));
    captured = java.util.Collections.unmodifiableSet(new java.util.LinkedHashSet<>(captured));
  }

  /**
   * Reads and checks what {@code components} need. The connector file is read for capture, verify, and
   * transform without {@code legacy.topicPrefix}; its {@code bootstrap.servers} must be the pipeline's
   * cluster and its {@code topic.prefix} the configured one.
   *
   * @param processEnv resolves the connector file's placeholders (with {@code legacy.env} and the Kafka servers)
   * @throws ConfigException naming the file, the key and what was expected
   */
  public static MigrationModel load(TandemConfig config, Set<ComponentName> components,
      Map<String, String> processEnv) {
    return load(config, components, processEnv, null);
  }

  /**
   * As {@link #load(TandemConfig, Set, Map)}, capturing only some legacy sources (a capture deployment per
   * source): {@code captureSources} names them ({@code legacy} for the legacy section's); null = every source.
   * A deployment that does not capture {@code legacy} (nor reads it otherwise) does not read its connector file.
   */
  public static MigrationModel load(TandemConfig config, Set<ComponentName> components,
      Map<String, String> processEnv, Set<String> captureSources) {
    boolean capture = components.contains(ComponentName.CAPTURE);
    boolean captureLegacy = capture && (captureSources == null
        || captureSources.contains(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE));
    Set<ComponentName> legacyReaders = java.util.EnumSet.noneOf(ComponentName.class);
    legacyReaders.addAll(components);
    if (!captureLegacy) {
      legacyReaders.remove(ComponentName.CAPTURE);
    }
    config.requireFor(legacyReaders);
    LegacySettings legacy = config.legacy();
    ConnectorConfig connector = null;
    String topicPrefix = legacy.topicPrefix().orElse(null);
    if (config.needsConnectorFile(legacyReaders)) {
      connector = ConnectorConfig.load(legacy.connector(), config.legacyEnvironment(processEnv));
      connector.requireCluster(config.kafka().bootstrapServers());
      if (topicPrefix != null && !topicPrefix.equals(connector.topicPrefix())) {
        throw new ConfigException(connector.source(), "topic.prefix", "the configured topic prefix '" + topicPrefix
            + "'", connector.topicPrefix());
      }
      topicPrefix = connector.topicPrefix();
    }
    List<MappedEntity> entities = MappedEntity.loadAll(config.schemas().mappings(), config.schemas().avro());
    ConnectorConfig newConnector = null;
    List<ReverseEntity> reverse = List.of();
    if (components.contains(ComponentName.REVERSE)) {
      CoexistenceSettings coexistence = config.coexistence().orElseThrow();
      newConnector = ConnectorConfig.load(coexistence.connector(), coexistence.environment(config.target().orElseThrow(),
          processEnv, config.kafka().bootstrapServers()));
      newConnector.requireCluster(config.kafka().bootstrapServers());
      if (newConnector.originTable().isEmpty()) {
        throw new ConfigException(newConnector.source(), "tandem.origin.table", "the origin table (public.tandem_origin):"
            + " without it reverse sync would send the forward sink's writes back to legacy", null);
      }
      for (ConnectorConfig side : new ConnectorConfig[] {connector, newConnector}) {
        if (side.originTable().isEmpty() || side.fenceTable().isEmpty()) {
          throw new ConfigException(side.source(), side.originTable().isEmpty() ? "tandem.origin.table"
              : "tandem.fence.table", "set on both databases' connector files while coexistence runs (no echo,"
              + " write-switch markers; docs/coexistence.md)", null);
        }
      }
      for (MappedEntity entity : entities) {
        if (entity.merge().isPresent()) {
          throw new ConfigException(entity.mapping().name(), "merge", "no merged entity while coexistence runs (reverse"
              + " sync cannot tell which legacy source a row written on new belongs to)", entity.name());
        }
      }
      reverse = ReverseEntity.all(entities); // a mapping that cannot be reversed is refused here, naming file and field
    }
    Map<String, ConnectorConfig> others = otherSources(config, components, processEnv, entities, topicPrefix,
        captureSources);
    Set<String> captured = new java.util.LinkedHashSet<>();
    if (capture) {
      List<String> known = new ArrayList<>();
      known.add(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE);
      known.addAll(config.merge().sources().stream().map(MergeSettings.Source::name).toList());
      for (String name : captureSources == null ? known : List.copyOf(captureSources)) {
        if (!known.contains(name)) {
          throw new ConfigException("command line", "--capture-sources", "legacy sources of " + config.file() + " "
              + known, name);
        }
        if (name.equals(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE) || others.containsKey(name)) {
          captured.add(name);
        }
      }
    }
    MigrationModel model = new MigrationModel(Optional.ofNullable(connector), topicPrefix, entities,
        config.schemas().avro(), config.schemas().migrations(), Optional.ofNullable(newConnector), reverse, others,
        captured);
    if (components.contains(ComponentName.SINK)) {
      model.sinkTables(); // a schema the sink cannot write is a configuration error now, not at start
    }
    return model;
  }

  /**
   * The merged entities' other sources: each must be configured under {@code merge.sources}; its connector file
   * is read when a component reads legacy changes or rows (capture, transform, verify).
   */
  private static Map<String, ConnectorConfig> otherSources(TandemConfig config, Set<ComponentName> components,
      Map<String, String> processEnv, List<MappedEntity> entities, String legacyPrefix, Set<String> captureSources) {
    Map<String, ConnectorConfig> others = new java.util.LinkedHashMap<>();
    boolean readAll = components.contains(ComponentName.TRANSFORM) || components.contains(ComponentName.VERIFY);
    boolean capture = components.contains(ComponentName.CAPTURE);
    for (MappedEntity entity : entities) {
      for (io.tandem.core.mapping.Mapping mapping : entity.sources()) {
        String name = mapping.legacySource();
        if (name.equals(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE) || others.containsKey(name)) {
          continue;
        }
        MergeSettings.Source source = config.merge().source(name).orElseThrow(() -> new ConfigException(
            mapping.name(), "legacy", "a source configured under " + MergeSettings.SOURCES.path() + " in "
            + config.file(), name));
        if (!readAll && !(capture && (captureSources == null || captureSources.contains(name)))) {
          continue;
        }
        ConnectorConfig connector = ConnectorConfig.load(source.connector(),
            source.environment(processEnv, config.kafka().bootstrapServers()));
        connector.requireCluster(config.kafka().bootstrapServers());
        if (connector.topicPrefix().equals(legacyPrefix) || others.values().stream()
            .anyMatch(c -> c.topicPrefix().equals(connector.topicPrefix()))) {
          throw new ConfigException(connector.source(), "topic.prefix", "a prefix of its own (each legacy source has"
              + " its own raw topics)", connector.topicPrefix());
        }
        others.put(name, connector);
      }
    }
    return others;
  }

  /** Every table of the {@code legacy} source the mappings read: their source tables and the tables they join. */
  public List<String> sourceTables() {
    return sourceTables(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE);
  }

  /** Every table of legacy source {@code source} the mappings read. */
  public List<String> sourceTables(String source) {
    return entities.stream().flatMap(e -> e.sources().stream())
        .filter(m -> m.legacySource().equals(source))
        .flatMap(m -> java.util.stream.Stream.concat(java.util.stream.Stream.of(m.sourceTable()),
            m.joins().stream().map(io.tandem.core.mapping.Join::table))).distinct().toList();
  }

  /** Raw topic prefixes of the other legacy sources, by source name. */
  public Map<String, String> otherPrefixes() {
    Map<String, String> prefixes = new java.util.LinkedHashMap<>();
    otherSources.forEach((name, connector) -> prefixes.put(name, connector.topicPrefix()));
    return prefixes;
  }

  public List<String> entityNames() {
    return entities.stream().map(MappedEntity::name).toList();
  }

  /** The sink's tables, one per entity. @throws ConfigException when a schema does not fit a table */
  public List<EntityTable> sinkTables() {
    List<EntityTable> tables = new ArrayList<>();
    for (MappedEntity entity : entities) {
      try {
        tables.add(EntityTable.builder(entity.name(), entity.schema().valueSchema())
            .keyColumns(entity.mapping().keyFields()).build());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(avro.resolve(entity.name() + ".avsc").toString(), "(file)",
            "an entity schema the sink can write", e.getMessage());
      }
    }
    return tables;
  }

  /** The legacy tables reverse sync writes, one per entity. */
  public List<EntityTable> legacyTables() {
    return reverse.stream().map(EntityTable::legacyTable).toList();
  }

  /** The new tables reverse capture reads ({@code public.<entity>}). */
  public List<String> newTables() {
    return reverse.stream().map(ReverseEntity::newTable).toList();
  }

  /**
   * The topics {@code components} read and write, as they are created when missing: raw change topics,
   * compacted {@code migrated.*} topics, one dead-letter topic per stage.
   */
  public List<TopicSpec> topics(Set<ComponentName> components, int partitions) {
    boolean capture = components.contains(ComponentName.CAPTURE);
    boolean transform = components.contains(ComponentName.TRANSFORM);
    boolean sink = components.contains(ComponentName.SINK);
    Set<TopicSpec> topics = new LinkedHashSet<>();
    String primary = io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE;
    if (transform || capture && captured.contains(primary)) {
      sourceTables().forEach(t -> topics.add(TopicSpec.changeLog(MappedEntity.rawTopic(topicPrefix, t), partitions)));
    }
    otherSources.forEach((name, connector) -> {
      if (transform || capture && captured.contains(name)) {
        sourceTables(name).forEach(t -> topics.add(TopicSpec.changeLog(MappedEntity.rawTopic(connector.topicPrefix(),
            t), partitions)));
      }
    });
    if (transform || sink) {
      entities.forEach(e -> topics.add(TopicSpec.compacted(e.topic(), partitions)));
    }
    if (transform && entities.stream().anyMatch(e -> e.merge().isPresent())) {
      entities.stream().filter(e -> e.merge().isPresent()).forEach(e -> topics.add(TopicSpec.compacted(
          TransformTopology.keyMapTopic(e.name()), partitions)));
      topics.add(TopicSpec.compacted(TransformTopology.DUPLICATES_TOPIC, partitions));
    }
    if (capture) {
      topics.add(TopicSpec.deadLetters(CaptureEngine.DEAD_LETTER_TOPIC));
    }
    if (transform) {
      topics.add(TopicSpec.deadLetters(TransformTopology.DEAD_LETTER_TOPIC));
    }
    if (sink) {
      topics.add(TopicSpec.deadLetters(JdbcSink.DEAD_LETTER_TOPIC));
    }
    if (components.contains(ComponentName.REVERSE)) {
      String newPrefix = newConnector.orElseThrow().topicPrefix();
      newTables().forEach(t -> topics.add(TopicSpec.changeLog(MappedEntity.rawTopic(newPrefix, t), partitions)));
      reverse.forEach(e -> topics.add(TopicSpec.compacted(e.topic(), partitions)));
      topics.add(TopicSpec.deadLetters(REVERSE_CAPTURE_DEAD_LETTERS));
      topics.add(TopicSpec.deadLetters(ReverseTopology.DEAD_LETTER_TOPIC));
      topics.add(TopicSpec.deadLetters(JdbcSink.LEGACY_DEAD_LETTER_TOPIC));
    }
    return List.copyOf(topics);
  }
}
