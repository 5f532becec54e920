package io.tandem.verify;

import io.tandem.core.mapping.Join;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;

/**
 * Legacy rows into what the new database should hold, with the pipeline's own code (the mapping, then
 * the entity schema's Avro conversion), and keys between their legacy values and their canonical text.
 */
final class RowMapper {
  /** A mapped row: the record, or why there is none (filtered out, or refused by the mapping). */
  record Mapped(GenericRecord record, String filteredBy, String error) {}

  private final EntityPlan plan;

  RowMapper(EntityPlan plan) {
    this.plan = plan;
  }

  /** The canonical text of every field of a mapped row (null for null). */
  String[] canonicalOf(GenericRecord record) {
    String[] canonical = new String[plan.fields.size()];
    for (int i = 0; i < canonical.length; i++) {
      canonical[i] = plan.fields.get(i).text(record.get(i));
    }
    return canonical;
  }

  /** A legacy row through the mapping and the entity schema: the Avro record the topology would publish. */
  Mapped map(Map<String, Object> legacyRow) {
    for (Join join : plan.mapping.joins()) {
      if (legacyRow.get(join.name()) instanceof java.util.List<?> children && children.size() > Join.MAX_CHILDREN) {
        // The join topology dead-letters such a parent: expected in new is nothing.
        return new Mapped(null, null, "mapping " + plan.mapping.name() + ": " + join.name() + ": "
            + join.tooManyChildren(plan.mapping.sourceTable()));
      }
    }
    try {
      Optional<Map<String, Object>> mapped = plan.mapping.apply(legacyRow);
      if (mapped.isEmpty()) {
        return new Mapped(null, plan.mapping.filteredBy(legacyRow).orElse("filtered out"), null);
      }
      return new Mapped(plan.schema.valueRecord(mapped.get()), null, null);
    } catch (RuntimeException e) {
      return new Mapped(null, null, "mapping " + plan.mapping.name() + ": " + e.getMessage());
    }
  }

  /** A key as canonical text from legacy key values ({@code 42}; composite keys joined with a comma). */
  String keyText(Object[] legacyKey) {
    if (legacyKey.length == 1) {
      return String.valueOf(legacyKey[0]);
    }
    StringBuilder text = new StringBuilder();
    for (Object part : legacyKey) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(part);
    }
    return text.toString();
  }

  /** The same key text from a row's canonical texts (its key fields). */
  String keyText(String[] canonical) {
    if (plan.keyFieldIndexes.length == 1) {
      return canonical[plan.keyFieldIndexes[0]];
    }
    StringBuilder text = new StringBuilder();
    for (int index : plan.keyFieldIndexes) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(canonical[index]);
    }
    return text.toString();
  }

  /** The new key's canonical text of a mapped row (an unaligned entity's key). */
  String keyTextOf(GenericRecord record) {
    if (plan.keyFieldIndexes.length == 1) {
      int index = plan.keyFieldIndexes[0];
      return plan.fields.get(index).text(record.get(index));
    }
    StringBuilder text = new StringBuilder();
    for (int index : plan.keyFieldIndexes) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(plan.fields.get(index).text(record.get(index)));
    }
    return text.toString();
  }

  /** The canonical texts of a row's key fields, in key order. */
  String[] keyPartsOf(String[] canonical) {
    String[] parts = new String[plan.keyFieldIndexes.length];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = canonical[plan.keyFieldIndexes[i]];
    }
    return parts;
  }

  /** Key text back to legacy key values (the key columns are integers: EntityPlan checks it). */
  Object[] legacyKeyOf(String key) {
    String[] parts = key.split(",", -1);
    Object[] legacyKey = new Object[parts.length];
    for (int i = 0; i < parts.length; i++) {
      legacyKey[i] = plan.legacyKeyWires.get(i) == LegacyValues.Wire.INT ? (Object) Integer.valueOf(parts[i])
          : (Object) Long.valueOf(parts[i]);
    }
    return legacyKey;
  }
}
