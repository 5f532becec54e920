package io.tandem.core.model;

import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.mapping.MergeRule;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One migrated entity: the mapping that makes it from a legacy table and its public Avro schema,
 * checked against each other. Loaded once and handed to the transform, the sink, the verifier and the
 * benchmarks, so all of them agree on what "correctly migrated" means.
 */
public record MappedEntity(Mapping mapping, EntitySchema schema, List<Mapping> members) {

  /** Raw change topics are {@code <prefix>.<schema>.<table>}. */
  public static String rawTopic(String topicPrefix, String sourceTable) {
    return topicPrefix + "." + sourceTable;
  }

  /**
   * @param mapping the entity's mapping; for a merged entity, the one declaring {@code merge:}
   * @param members a merged entity's mappings, one per legacy source in {@code merge.prefer} order; empty
   *     for an entity made from one source
   */
  public MappedEntity {
    Objects.requireNonNull(mapping, "mapping");
    Objects.requireNonNull(schema, "schema");
    members = List.copyOf(members);
    if (!mapping.entity().equals(schema.entity())) {
      throw new IllegalArgumentException("mapping " + mapping.name() + " is for '" + mapping.entity()
          + "', the schema for '" + schema.entity() + "'");
    }
  }

  /** An entity made from one legacy source. */
  public MappedEntity(Mapping mapping, EntitySchema schema) {
    this(mapping, schema, List.of());
  }

  /** The merge rule of an entity fed by several legacy sources; empty otherwise. */
  public java.util.Optional<io.tandem.core.mapping.MergeRule> merge() {
    return members.isEmpty() ? java.util.Optional.empty() : mapping.merge();
  }

  /** The mappings that feed the entity: its members when merged, else its one mapping. */
  public List<Mapping> sources() {
    return members.isEmpty() ? List.of(mapping) : members;
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
    java.util.Map<String, List<Mapping>> merged = new java.util.LinkedHashMap<>();
    for (Mapping mapping : mappings) {
      if (mapping.merge().isPresent() || !mapping.legacySource().equals(MergeRule.PRIMARY_SOURCE)) {
        merged.computeIfAbsent(mapping.entity(), e -> new ArrayList<>()).add(mapping);
      }
    }
    List<MappedEntity> entities = new ArrayList<>();
    for (Mapping mapping : mappings) {
      List<Mapping> group = merged.get(mapping.entity());
      if (group == null) {
        entities.add(new MappedEntity(mapping, EntitySchema.load(avroFolder, mapping)));
      } else if (group.get(0) == mapping) {
        entities.add(merged(mappings, group, avroFolder));
      }
    }
    return List.copyOf(entities);
  }

  /** A merged entity: one mapping per source, one of them declaring the rule, all checked against each other. */
  private static MappedEntity merged(List<Mapping> all, List<Mapping> group, Path avroFolder) {
    String entity = group.get(0).entity();
    List<Mapping> holders = group.stream().filter(m -> m.merge().isPresent()).toList();
    if (holders.size() != 1) {
      Mapping where = holders.isEmpty() ? group.get(0) : holders.get(1);
      throw new ConfigException(where.name(), "merge", "exactly one mapping of entity '" + entity
          + "' declaring merge: (its mappings read " + group.stream().map(Mapping::legacySource).toList() + ")",
          holders.size() + " declare it");
    }
    Mapping holder = holders.get(0);
    MergeRule rule = holder.merge().orElseThrow();
    for (Mapping other : all) {
      if (other.entity().equals(entity) && !group.contains(other)) {
        group = new ArrayList<>(group);
        group.add(other); // a mapping of the primary source without its own merge: block
      }
    }
    java.util.Map<String, Mapping> bySource = new java.util.HashMap<>();
    for (Mapping member : group) {
      Mapping previous = bySource.put(member.legacySource(), member);
      if (previous != null) {
        throw new ConfigException(member.name(), "legacy", "one mapping per legacy source of merged entity '" + entity
            + "' (" + previous.name() + " reads it too)", member.legacySource());
      }
      if (!member.keyFields().equals(holder.keyFields())) {
        throw new ConfigException(member.name(), "key", "the key of the other mappings of entity '" + entity + "' ("
            + holder.keyFields() + ")", member.keyFields());
      }
    }
    if (!bySource.keySet().equals(new java.util.HashSet<>(rule.prefer()))) {
      throw new ConfigException(holder.name(), "merge.prefer", "exactly the sources of entity '" + entity
          + "''s mappings " + new java.util.TreeSet<>(bySource.keySet()), rule.prefer());
    }
    EntitySchema schema = EntitySchema.load(avroFolder, holder);
    for (Mapping member : group) {
      EntitySchema.load(avroFolder, member); // every source's fields must fit the schema
    }
    java.util.Map<String, io.tandem.core.mapping.Expression.ColumnType> fields = new java.util.HashMap<>();
    schema.valueSchema().getFields().forEach(f -> fields.put(f.name(),
        io.tandem.core.mapping.Expression.ColumnType.ofAvro(f.schema())));
    rule.match().typeCheck(fields).ifPresent(why -> {
      throw new ConfigException(holder.name(), "merge.match", "an expression over the fields of entity '" + entity
          + "'", why);
    });
    List<Mapping> ordered = rule.prefer().stream().map(bySource::get).toList();
    return new MappedEntity(holder, schema, ordered);
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
    if (!members.isEmpty()) {
      List<String> parts = new ArrayList<>();
      members.forEach(m -> parts.add(m.fingerprint()));
      parts.add(schema.valueSchema().toString());
      return io.tandem.core.mapping.Fingerprint.of(parts.toArray(String[]::new));
    }
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
