package io.tandem.registry.server;

import static io.tandem.registry.ErrorCode.INCOMPATIBLE_SCHEMA;
import static io.tandem.registry.ErrorCode.INVALID_SCHEMA;
import static io.tandem.registry.ErrorCode.INVALID_VERSION;
import static io.tandem.registry.ErrorCode.REFERENCE_EXISTS;
import static io.tandem.registry.ErrorCode.SCHEMA_NOT_FOUND;
import static io.tandem.registry.ErrorCode.SCHEMA_VERSION_NOT_SOFT_DELETED;
import static io.tandem.registry.ErrorCode.SCHEMA_VERSION_SOFT_DELETED;
import static io.tandem.registry.ErrorCode.STORE_ERROR;
import static io.tandem.registry.ErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED;
import static io.tandem.registry.ErrorCode.SUBJECT_NOT_FOUND;
import static io.tandem.registry.ErrorCode.SUBJECT_NOT_SOFT_DELETED;
import static io.tandem.registry.ErrorCode.SUBJECT_SOFT_DELETED;
import static io.tandem.registry.ErrorCode.VERSION_NOT_FOUND;

import io.tandem.registry.Compatibility;
import io.tandem.registry.CompatibilityResult;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.RegistryException;
import io.tandem.registry.SchemaReference;
import io.tandem.registry.server.RegistryState.SchemaIdentity;
import io.tandem.registry.server.RegistryState.StoredSchema;
import io.tandem.registry.server.RegistryState.Version;
import io.tandem.registry.server.SchemaLog.LogConflictException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.Schema;

/**
 * The registry's operations with Confluent's semantics. Reads are answered from the local state;
 * writes are planned against a caught-up state and appended to the log as the only writer.
 */
final class RegistryService {
  /** A schema as a client submits it. */
  record SchemaInput(String schema, String schemaType, List<SchemaReference> references) {
    SchemaInput {
      schemaType = schemaType == null ? RegisteredSchema.AVRO : schemaType;
      references = references == null ? List.of() : List.copyOf(references);
    }
  }

  /** The records a write appends and what the caller gets back once they are applied. */
  private record Plan<T>(List<LogRecord> records, T result) {}

  private static final int MAX_WRITE_ATTEMPTS = 10;

  private final RegistryState state;
  private final SchemaLog log;
  private final Duration timeout;
  private final ReentrantLock writeLock = new ReentrantLock();

  RegistryService(RegistryState state, SchemaLog log, Duration timeout) {
    this.state = state;
    this.log = log;
    this.timeout = timeout;
  }

  // ---- reads ----

  List<String> subjects(boolean deleted) {
    return state.subjects(deleted);
  }

  List<Integer> versions(String subject, boolean deleted) {
    List<Integer> versions = freshIfMissing(() -> state.versions(subject)).stream()
        .filter(v -> deleted || !v.deleted()).map(Version::version).toList();
    if (versions.isEmpty()) {
      throw subjectNotFound(subject);
    }
    return versions;
  }

  RegisteredSchema version(String subject, String versionSpec, boolean deleted) {
    int requested = parseVersion(versionSpec);
    List<Version> all = freshIfMissing(() -> state.versions(subject));
    if (all.isEmpty() || (!deleted && all.stream().allMatch(Version::deleted))) {
      throw subjectNotFound(subject);
    }
    Version version = requested == -1
        ? all.stream().filter(v -> deleted || !v.deleted()).reduce((a, b) -> b).orElseThrow(() -> subjectNotFound(subject))
        : all.stream().filter(v -> v.version() == requested && (deleted || !v.deleted())).findFirst()
            .orElseThrow(() -> versionNotFound(subject, requested));
    return toRegistered(subject, version);
  }

  StoredSchema schemaById(int id) {
    return freshIfMissing(() -> state.schema(id)).orElseThrow(() -> schemaNotFound(id));
  }

  List<RegisteredSchema> subjectVersionsOf(int id, boolean deleted) {
    schemaById(id);
    return state.usagesOf(id).stream().filter(u -> deleted || !isDeleted(u)).toList();
  }

  RegisteredSchema lookup(String subject, SchemaInput input, boolean deleted) {
    List<Version> all = freshIfMissing(() -> state.versions(subject));
    if (all.isEmpty() || (!deleted && all.stream().allMatch(Version::deleted))) {
      throw subjectNotFound(subject);
    }
    SchemaIdentity identity = identityOf(input);
    Optional<Integer> id = state.idOf(identity);
    return all.stream().filter(v -> id.isPresent() && v.id() == id.get() && (deleted || !v.deleted()))
        .reduce((a, b) -> b)
        .map(v -> toRegistered(subject, v))
        .orElseThrow(() -> new RegistryException(404, SCHEMA_NOT_FOUND, "Schema not found"));
  }

  List<Integer> referencedBy(String subject, String versionSpec) {
    RegisteredSchema version = version(subject, versionSpec, false);
    return state.referencedBy(subject, version.version());
  }

  CompatibilityResult testCompatibility(String subject, String versionSpec, SchemaInput input) {
    Schema candidate = parse(input).schema();
    Compatibility level = state.effectiveCompatibility(subject);
    List<Version> against;
    if (versionSpec == null) {
      against = liveVersionsToCheck(subject, level);
    } else {
      RegisteredSchema target = version(subject, versionSpec, false);
      against = List.of(new Version(target.version(), target.id(), false));
    }
    List<String> messages = new ArrayList<>();
    for (Version existing : against) {
      messages.addAll(AvroSchemas.incompatibilities(level, candidate, parseStored(existing.id()), existing.version()));
    }
    return new CompatibilityResult(messages.isEmpty(), messages);
  }

  Compatibility globalCompatibility() {
    return state.globalCompatibility();
  }

  Compatibility subjectCompatibility(String subject, boolean defaultToGlobal) {
    Optional<Compatibility> level = freshIfMissing(() -> state.subjectCompatibility(subject));
    if (level.isPresent()) {
      return level.get();
    }
    if (defaultToGlobal) {
      return state.globalCompatibility();
    }
    throw new RegistryException(404, SUBJECT_COMPATIBILITY_NOT_CONFIGURED,
        "Subject '" + subject + "' does not have subject-level compatibility configured");
  }

  // ---- writes ----

  /** Registers {@code input} under {@code subject}; the same schema gets the same id everywhere. */
  RegisteredSchema register(String subject, SchemaInput input) {
    AvroSchemas.Parsed parsedInput = parse(input);
    Schema parsed = parsedInput.schema();
    String canonical = parsedInput.canonical();
    SchemaIdentity identity = new SchemaIdentity(input.schemaType(), canonical, input.references());
    return write(current -> {
      List<Version> versions = current.versions(subject);
      Optional<Integer> existingId = current.idOf(identity);
      if (existingId.isPresent()) {
        Optional<Version> live = versions.stream().filter(v -> !v.deleted() && v.id() == existingId.get()).findFirst();
        if (live.isPresent()) {
          return new Plan<>(List.of(), toRegistered(subject, live.get()));
        }
      }
      Compatibility level = current.effectiveCompatibility(subject);
      for (Version existing : liveVersionsToCheck(subject, level)) {
        List<String> problems = AvroSchemas.incompatibilities(level, parsed, parseStored(existing.id()), existing.version());
        if (!problems.isEmpty()) {
          throw new RegistryException(409, INCOMPATIBLE_SCHEMA,
              "Schema being registered is incompatible with an earlier schema for subject \"" + subject
                  + "\", details: " + problems);
        }
      }
      int id = existingId.orElse(current.maxId() + 1);
      int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
      List<LogRecord> records = new ArrayList<>();
      if (existingId.isEmpty()) {
        records.add(new LogRecord.IdWatermark(id));
      }
      records.add(new LogRecord.SchemaVersion(subject, version, id, input.schemaType(), canonical, input.references(), false));
      return new Plan<>(records,
          new RegisteredSchema(subject, version, id, input.schemaType(), canonical, input.references()));
    });
  }

  List<Integer> deleteSubject(String subject, boolean permanent) {
    return write(current -> {
      List<Version> versions = current.versions(subject);
      if (versions.isEmpty()) {
        throw subjectNotFound(subject);
      }
      List<Version> live = versions.stream().filter(v -> !v.deleted()).toList();
      if (!permanent && live.isEmpty()) {
        throw new RegistryException(404, SUBJECT_SOFT_DELETED,
            "Subject '" + subject + "' was soft deleted. Set permanent=true to delete permanently");
      }
      if (permanent && !live.isEmpty()) {
        throw new RegistryException(404, SUBJECT_NOT_SOFT_DELETED,
            "Subject '" + subject + "' was not deleted first before being permanently deleted");
      }
      for (Version v : versions) {
        rejectIfReferenced(current, subject, v.version());
      }
      List<LogRecord> records = new ArrayList<>();
      List<Integer> deleted = new ArrayList<>();
      for (Version v : permanent ? versions : live) {
        records.add(permanent ? new LogRecord.SchemaVersionRemoved(subject, v.version()) : softDeleted(current, subject, v));
        deleted.add(v.version());
      }
      if (permanent && current.subjectCompatibility(subject).isPresent()) {
        records.add(new LogRecord.CompatibilityConfig(subject, null));
      }
      return new Plan<>(records, deleted);
    });
  }

  int deleteVersion(String subject, String versionSpec, boolean permanent) {
    int requested = parseVersion(versionSpec);
    return write(current -> {
      List<Version> versions = current.versions(subject);
      if (versions.isEmpty()) {
        throw subjectNotFound(subject);
      }
      Version target = requested == -1
          ? versions.stream().filter(v -> !v.deleted()).reduce((a, b) -> b).orElseThrow(() -> subjectNotFound(subject))
          : versions.stream().filter(v -> v.version() == requested).findFirst()
              .orElseThrow(() -> versionNotFound(subject, requested));
      if (!permanent && target.deleted()) {
        throw new RegistryException(404, SCHEMA_VERSION_SOFT_DELETED, "Subject '" + subject + "' Version "
            + target.version() + " was soft deleted. Set permanent=true to delete permanently");
      }
      if (permanent && !target.deleted()) {
        throw new RegistryException(404, SCHEMA_VERSION_NOT_SOFT_DELETED, "Subject '" + subject + "' Version "
            + target.version() + " was not deleted first before being permanently deleted");
      }
      rejectIfReferenced(current, subject, target.version());
      LogRecord record = permanent
          ? new LogRecord.SchemaVersionRemoved(subject, target.version())
          : softDeleted(current, subject, target);
      return new Plan<>(List.of(record), target.version());
    });
  }

  Compatibility setGlobalCompatibility(Compatibility level) {
    return write(current -> new Plan<>(List.of(new LogRecord.CompatibilityConfig(null, level)), level));
  }

  Compatibility setSubjectCompatibility(String subject, Compatibility level) {
    return write(current -> new Plan<>(List.of(new LogRecord.CompatibilityConfig(subject, level)), level));
  }

  Compatibility deleteSubjectCompatibility(String subject) {
    return write(current -> {
      Compatibility previous = current.subjectCompatibility(subject).orElseThrow(() -> new RegistryException(404,
          SUBJECT_COMPATIBILITY_NOT_CONFIGURED, "Subject '" + subject + "' does not have subject-level compatibility configured"));
      return new Plan<>(List.of(new LogRecord.CompatibilityConfig(subject, null)), previous);
    });
  }

  // ---- helpers ----

  private <T> T write(Function<RegistryState, Plan<T>> planner) {
    writeLock.lock();
    try {
      LogConflictException last = null;
      for (int attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
        try {
          log.acquireWriter(timeout);
          log.catchUp(timeout);
          Plan<T> plan = planner.apply(state);
          if (plan.records().isEmpty()) {
            return plan.result();
          }
          log.append(plan.records(), timeout);
          return plan.result();
        } catch (LogConflictException e) {
          last = e;
          pause(attempt);
        }
      }
      throw new RegistryException(500, STORE_ERROR, "Error in the backend datastore: gave up after "
          + MAX_WRITE_ATTEMPTS + " attempts to write to " + log.describe() + "; last failure: "
          + (last == null ? "none" : last.getMessage()), last);
    } finally {
      writeLock.unlock();
    }
  }

  private static void pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(500, STORE_ERROR, "interrupted while retrying a registry write");
    }
  }

  /** Another instance may have written what we lack: catch up once before answering "not found". */
  private <T> T freshIfMissing(Supplier<T> read) {
    T value = read.get();
    boolean missing = value == null
        || (value instanceof Optional<?> o && o.isEmpty())
        || (value instanceof List<?> l && l.isEmpty());
    if (!missing) {
      return value;
    }
    log.catchUp(timeout);
    return read.get();
  }

  private List<Version> liveVersionsToCheck(String subject, Compatibility level) {
    List<Version> live = state.versions(subject).stream().filter(v -> !v.deleted()).toList();
    if (level == Compatibility.NONE || live.isEmpty()) {
      return List.of();
    }
    return level.transitive() ? live : List.of(live.get(live.size() - 1));
  }

  private void rejectIfReferenced(RegistryState current, String subject, int version) {
    List<Integer> referrers = current.referencedBy(subject, version);
    if (!referrers.isEmpty()) {
      throw new RegistryException(422, REFERENCE_EXISTS, "One or more references exist to the schema {subject="
          + subject + ",version=" + version + "}: schema ids " + referrers);
    }
  }

  private static LogRecord softDeleted(RegistryState current, String subject, Version v) {
    StoredSchema schema = current.schema(v.id()).orElseThrow();
    return new LogRecord.SchemaVersion(subject, v.version(), v.id(), schema.schemaType(), schema.schema(),
        schema.references(), true);
  }

  private boolean isDeleted(RegisteredSchema usage) {
    return state.version(usage.subject(), usage.version()).map(Version::deleted).orElse(true);
  }

  private RegisteredSchema toRegistered(String subject, Version v) {
    StoredSchema schema = state.schema(v.id()).orElseThrow(() -> schemaNotFound(v.id()));
    return new RegisteredSchema(subject, v.version(), v.id(), schema.schemaType(), schema.schema(), schema.references());
  }

  private SchemaIdentity identityOf(SchemaInput input) {
    return new SchemaIdentity(input.schemaType(), parse(input).canonical(), input.references());
  }

  private AvroSchemas.Parsed parse(SchemaInput input) {
    if (!RegisteredSchema.AVRO.equals(input.schemaType())) {
      throw new RegistryException(422, INVALID_SCHEMA,
          "Invalid schema type " + input.schemaType() + ": this registry supports AVRO only");
    }
    if (input.schema() == null || input.schema().isBlank()) {
      throw new RegistryException(422, INVALID_SCHEMA, "Invalid schema: empty schema");
    }
    List<String> dependencies = resolveReferences(input.references(), new LinkedHashMap<>());
    try {
      return AvroSchemas.parse(input.schema(), dependencies);
    } catch (RuntimeException e) {
      throw new RegistryException(422, INVALID_SCHEMA, "Invalid schema " + input.schema() + ", details: " + e.getMessage(), e);
    }
  }

  /** Schema texts of all references, transitively, dependencies before their dependents. */
  private List<String> resolveReferences(List<SchemaReference> references, Map<String, String> seen) {
    for (SchemaReference ref : references) {
      String key = ref.subject() + "/" + ref.version();
      if (seen.containsKey(key)) {
        continue;
      }
      Version version = state.version(ref.subject(), ref.version()).orElseThrow(() -> new RegistryException(422,
          INVALID_SCHEMA, "Invalid schema: reference " + ref.name() + " points to subject '" + ref.subject()
              + "' version " + ref.version() + ", which does not exist"));
      StoredSchema stored = state.schema(version.id()).orElseThrow(() -> schemaNotFound(version.id()));
      resolveReferences(stored.references(), seen);
      seen.put(key, stored.schema());
    }
    return new ArrayList<>(seen.values());
  }

  private Schema parseStored(int id) {
    StoredSchema stored = state.schema(id).orElseThrow(() -> schemaNotFound(id));
    return AvroSchemas.parse(stored.schema(), resolveReferences(stored.references(), new LinkedHashMap<>())).schema();
  }

  /** "latest" and -1 mean the latest live version (returned as -1); otherwise 1..2^31-1. */
  static int parseVersion(String spec) {
    if ("latest".equals(spec) || "-1".equals(spec)) {
      return -1;
    }
    try {
      int version = Integer.parseInt(spec);
      if (version >= 1) {
        return version;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new RegistryException(422, INVALID_VERSION, "The specified version '" + spec
        + "' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
  }

  private static RegistryException subjectNotFound(String subject) {
    return new RegistryException(404, SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
  }

  private static RegistryException versionNotFound(String subject, int version) {
    return new RegistryException(404, VERSION_NOT_FOUND, "Version " + version + " not found.");
  }

  private static RegistryException schemaNotFound(int id) {
    return new RegistryException(404, SCHEMA_NOT_FOUND, "Schema " + id + " not found");
  }
}
