package io.tandem.runtime;

import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.capture.LegacySettings;
import io.tandem.core.config.ConfigException;
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
 */
public record MigrationModel(Optional<ConnectorConfig> connector, String topicPrefix, List<MappedEntity> entities,
    Path avro, Path migrations) {

  public MigrationModel {
    entities = List.copyOf(entities);
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
    MigrationModel model = new MigrationModel(Optional.ofNullable(connector), topicPrefix, entities,
        config.schemas().avro(), config.schemas().migrations());
    if (components.contains(ComponentName.SINK)) {
      model.sinkTables(); // a schema the sink cannot write is a configuration error now, not at start
    }
    return model;
  }

  /** The legacy tables the mappings read ({@code schema.table}), each once. */
  public List<String> sourceTables() {
    return entities.stream().map(MappedEntity::sourceTable).distinct().toList();
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
    return List.copyOf(topics);
  }
}
