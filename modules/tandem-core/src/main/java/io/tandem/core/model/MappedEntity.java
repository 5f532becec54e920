package io.tandem.core.model;

import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One migrated entity: the mapping that makes it from a legacy table and its public Avro schema,
 * checked against each other. Loaded once and handed to the transform, the sink, the verifier and the
 * benchmarks, so all of them agree on what "correctly migrated" means.
 */
public record MappedEntity(Mapping mapping, EntitySchema schema) {

  /** Raw change topics are {@code <prefix>.<schema>.<table>}. */
  public static String rawTopic(String topicPrefix, String sourceTable) {
    return topicPrefix + "." + sourceTable;
  }

  public MappedEntity {
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(schema, "schema");
    if (!mapping.entity().equals(schema.entity())) {
      throw new IllegalArgumentException("mapping " + mapping.name() + " is for '" + mapping.entity()
          + "', the schema for '" + schema.entity() + "'");
    }
  }

  /**
   * Every mapping in {@code mappingsFolder} with its schema from {@code avroFolder} ({@code <entity>.avsc}).
   *
   * @throws ConfigException naming the file and what is wrong: no mapping, a bad mapping, a schema that
   *     does not fit its mapping
   */
  public static List<MappedEntity> loadAll(Path mappingsFolder, Path avroFolder) {
    List<Mapping> mappings = MappingLoader.loadAll(mappingsFolder);
    if (mappings.isEmpty()) {
      throw new ConfigException(mappingsFolder.toString(), "(folder)", "at least one mapping file (*.yaml)", "none");
    }
    List<MappedEntity> entities = new ArrayList<>();
    for (Mapping mapping : mappings) {
      entities.add(new MappedEntity(mapping, EntitySchema.load(avroFolder, mapping)));
    }
    return List.copyOf(entities);
  }

  /** The entity's name, e.g. {@code customer}. */
  public String name() {
    return mapping.entity();
  }

  /** {@code migrated.<entity>}. */
  public String topic() {
    return schema.topic();
  }

  /**
   * The mapping and entity schema together, as a hash: what a running transform and a verification pass
   * each used, so the gates can tell a pass made with an older mapping.
   */
  public String fingerprint() {
    return io.tandem.core.mapping.Fingerprint.of(mapping.fingerprint(), schema.valueSchema().toString());
  }

  /** The legacy table it is made from, {@code <schema>.<table>}. */
  public String sourceTable() {
    return mapping.sourceTable();
  }

  /** The raw change topic it is read from. */
  public String rawTopic(String topicPrefix) {
    return rawTopic(topicPrefix, sourceTable());
  }
}
