package io.tandem.registry.server;

import io.tandem.registry.Compatibility;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.SchemaReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's contents, built only by applying log records in order (a deterministic state
 * machine). Reads are answered from here; nothing but {@link #apply} changes it.
 */
final class RegistryState {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryState.class);

  /** What identifies "the same schema": same type, same canonical text, same references. */
  record SchemaIdentity(String schemaType, String canonical, List<SchemaReference> references) {}

  record StoredSchema(int id, String schemaType, String schema, List<SchemaReference> references) {
    SchemaIdentity identity() {
      return new SchemaIdentity(schemaType, schema, references);
    }
  }

  record Version(int version, int id, boolean deleted) {}

  private final Compatibility defaultCompatibility;
  private final Map<String, NavigableMap<Integer, Version>> subjects = new TreeMap<>();
  private final Map<Integer, StoredSchema> schemasById = new HashMap<>();
  private final Map<SchemaIdentity, Integer> idsBySchema = new HashMap<>();
  private final Map<String, Compatibility> subjectCompatibility = new HashMap<>();
  private Compatibility globalCompatibility;
  private int maxId;
  private long appliedRecords;

  RegistryState(Compatibility defaultCompatibility) {
    this.defaultCompatibility = defaultCompatibility;
    this.globalCompatibility = defaultCompatibility;
  }

  synchronized void apply(LogRecord record) {
    appliedRecords++;
    if (record instanceof LogRecord.SchemaVersion v) {
      applyVersion(v);
    } else if (record instanceof LogRecord.SchemaVersionRemoved r) {
      applyRemoval(r);
    } else if (record instanceof LogRecord.CompatibilityConfig c) {
      if (c.subject() == null) {
        globalCompatibility = c.level() == null ? defaultCompatibility : c.level();
      } else if (c.level() == null) {
        subjectCompatibility.remove(c.subject());
      } else {
        subjectCompatibility.put(c.subject(), c.level());
      }
    } else if (record instanceof LogRecord.IdWatermark w) {
      maxId = Math.max(maxId, w.maxId());
    }
  }

  private void applyVersion(LogRecord.SchemaVersion v) {
    StoredSchema incoming = new StoredSchema(v.id(), v.schemaType(), v.schema(), v.references());
    StoredSchema known = schemasById.get(v.id());
    if (known != null && !known.identity().equals(incoming.identity())) {
      // Only one writer holds the log at a time, so this is a foreign or corrupt record; every
      // instance skips it the same way, so all instances still agree.
      LOG.error("Skipping schema record {}/{}: id {} already names a different schema", v.subject(), v.version(), v.id());
      return;
    }
    Integer knownId = idsBySchema.get(incoming.identity());
    if (knownId != null && knownId != v.id()) {
      LOG.error("Skipping schema record {}/{}: schema already has id {}, record says {}", v.subject(), v.version(), knownId, v.id());
      return;
    }
    schemasById.put(v.id(), incoming);
    idsBySchema.put(incoming.identity(), v.id());
    subjects.computeIfAbsent(v.subject(), s -> new TreeMap<>()).put(v.version(), new Version(v.version(), v.id(), v.deleted()));
    maxId = Math.max(maxId, v.id());
  }

  private void applyRemoval(LogRecord.SchemaVersionRemoved r) {
    NavigableMap<Integer, Version> versions = subjects.get(r.subject());
    if (versions == null) {
      return;
    }
    Version removed = versions.remove(r.version());
    if (versions.isEmpty()) {
      subjects.remove(r.subject());
    }
    if (removed != null && usagesOf(removed.id()).isEmpty()) {
      StoredSchema schema = schemasById.remove(removed.id());
      if (schema != null) {
        idsBySchema.remove(schema.identity());
      }
    }
  }

  synchronized List<String> subjects(boolean includeDeleted) {
    List<String> names = new ArrayList<>();
    subjects.forEach((name, versions) -> {
      if (includeDeleted || versions.values().stream().anyMatch(v -> !v.deleted())) {
        names.add(name);
      }
    });
    return names;
  }

  /** All versions of a subject, soft-deleted ones included; empty if the subject is unknown. */
  synchronized List<Version> versions(String subject) {
    NavigableMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? List.of() : List.copyOf(versions.values());
  }

  synchronized Optional<Version> version(String subject, int version) {
    NavigableMap<Integer, Version> versions = subjects.get(subject);
    return versions == null ? Optional.empty() : Optional.ofNullable(versions.get(version));
  }

  synchronized Optional<StoredSchema> schema(int id) {
    return Optional.ofNullable(schemasById.get(id));
  }

  synchronized Optional<Integer> idOf(SchemaIdentity identity) {
    return Optional.ofNullable(idsBySchema.get(identity));
  }

  /** Every subject version that uses schema {@code id}, soft-deleted ones included. */
  synchronized List<RegisteredSchema> usagesOf(int id) {
    List<RegisteredSchema> usages = new ArrayList<>();
    StoredSchema schema = schemasById.get(id);
    subjects.forEach((name, versions) -> versions.values().forEach(v -> {
      if (v.id() == id && schema != null) {
        usages.add(new RegisteredSchema(name, v.version(), id, schema.schemaType(), schema.schema(), schema.references()));
      }
    }));
    return usages;
  }

  /** Ids of live schemas that reference {@code subject} version {@code version}. */
  synchronized List<Integer> referencedBy(String subject, int version) {
    List<Integer> ids = new ArrayList<>();
    subjects.values().forEach(versions -> versions.values().forEach(v -> {
      StoredSchema schema = schemasById.get(v.id());
      if (!v.deleted() && schema != null && !ids.contains(v.id())
          && schema.references().stream().anyMatch(r -> r.subject().equals(subject) && r.version() == version)) {
        ids.add(v.id());
      }
    }));
    ids.sort(Integer::compare);
    return ids;
  }

  synchronized Compatibility globalCompatibility() {
    return globalCompatibility;
  }

  synchronized Optional<Compatibility> subjectCompatibility(String subject) {
    return Optional.ofNullable(subjectCompatibility.get(subject));
  }

  synchronized Compatibility effectiveCompatibility(String subject) {
    return subjectCompatibility.getOrDefault(subject, globalCompatibility);
  }

  synchronized int maxId() {
    return maxId;
  }

  synchronized long appliedRecords() {
    return appliedRecords;
  }
}
