package io.tandem.registry.server;

import io.tandem.registry.Compatibility;
import io.tandem.registry.SchemaReference;
import java.util.List;

/**
 * One entry of the registry's log. The log is the registry: every instance rebuilds its state by
 * applying these entries in order, so the same log always gives the same answers.
 */
sealed interface LogRecord {

  /** A subject version (new, or rewritten as soft-deleted). */
  record SchemaVersion(
      String subject, int version, int id, String schemaType, String schema,
      List<SchemaReference> references, boolean deleted) implements LogRecord {
    public SchemaVersion {
      references = references == null ? List.of() : List.copyOf(references);
    }
  }

  /** A permanently deleted subject version (a tombstone for its key, so compaction drops it). */
  record SchemaVersionRemoved(String subject, int version) implements LogRecord {}

  /** Compatibility level; {@code subject == null} is the global level, {@code level == null} removes it. */
  record CompatibilityConfig(String subject, Compatibility level) implements LogRecord {}

  /**
   * Highest schema id ever handed out. Written with every new id so that ids are never reused,
   * even after permanent deletes and compaction have removed the schema that carried the highest id.
   */
  record IdWatermark(int maxId) implements LogRecord {}
}
