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
 */
public record MigrationModel(Optional<ConnectorConfig> connector, String topicPrefix, List<MappedEntity> entities,
    Path avro, Path migrations, Optional<ConnectorConfig> newConnector, List<ReverseEntity> reverse) {

  /** Where capture of the new database sends what it cannot convert. */
  public static final String REVERSE_CAPTURE_DEAD_LETTERS = "tandem.dlq.capture-new";

  public MigrationModel {
    entities = List.copyOf(entities);
    reverse = List.copyOf(reverse);
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
    config.requireFor(components);
    LegacySettings legacy = config.legacy();
    ConnectorConfig connector = null;
    String topicPrefix = legacy.topicPrefix().orElse(null);
    if (config.needsConnectorFile(components)) {
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
      reverse = ReverseEntity.all(entities); // a mapping that cannot be reversed is refused here, naming file and field
    }
    MigrationModel model = new MigrationModel(Optional.ofNullable(connector), topicPrefix, entities,
        config.schemas().avro(), config.schemas().migrations(), Optional.ofNullable(newConnector), reverse);
    if (components.contains(ComponentName.SINK)) {
      model.sinkTables(); // a schema the sink cannot write is a configuration error now, not at start
    }
    return model;
  }

  /** The legacy tables the mappings read ({@code schema.table}), each once. */
  /** Every legacy table the mappings read: their source tables and the tables they join. */
  public List<String> sourceTables() {
    return entities.stream().flatMap(e -> java.util.stream.Stream.concat(java.util.stream.Stream.of(e.sourceTable()),
        e.mapping().joins().stream().map(io.tandem.core.mapping.Join::table))).distinct().toList();
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
    if (capture || transform) {
      sourceTables().forEach(t -> topics.add(TopicSpec.changeLog(MappedEntity.rawTopic(topicPrefix, t), partitions)));
    }
    if (transform || sink) {
      entities.forEach(e -> topics.add(TopicSpec.compacted(e.topic(), partitions)));
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
