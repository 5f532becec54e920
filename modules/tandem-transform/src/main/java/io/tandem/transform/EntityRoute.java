package io.tandem.transform;

import io.tandem.core.model.EntitySchema;
import io.tandem.core.mapping.Mapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;

/**
 * One mapping and its entity schema: what one legacy change becomes on {@code migrated.<entity>}.
 *
 * @param members for an entity merged from several legacy sources, their mappings ({@code mapping} is the
 *     one declaring the rule); empty otherwise
 */
public record EntityRoute(Mapping mapping, EntitySchema schema, List<Mapping> members) {

  public EntityRoute {
    members = List.copyOf(members);
  }

  public EntityRoute(Mapping mapping, EntitySchema schema) {
    this(mapping, schema, List.of());
  }

  boolean merged() {
    return !members.isEmpty();
  }

  /** An output record: new key and value (null = delete) and the op it carries. */
  record Output(GenericRecord key, GenericRecord value, String op) {}

  /**
   * Maps one legacy change. A row that the mapping's filters leave out, or that moved to another
   * key, becomes a delete of the key it had, so the new side never keeps a row legacy no longer
   * has in scope.
   */
  List<Output> map(String op, Map<String, Object> before, Map<String, Object> after) {
    List<Output> out = new ArrayList<>(2);
    if (op.equals("d")) {
      if (before == null) {
        throw new IllegalArgumentException("delete without a before image");
      }
      out.add(new Output(schema.keyRecord(mapping.key(before)), null, "d"));
      return out;
    }
    if (after == null) {
      throw new IllegalArgumentException("'" + op + "' change without an after image");
    }
    Map<String, Object> newKey = mapping.key(after);
    if (op.equals("u") && before != null && hasKeyColumns(before)) {
      Map<String, Object> oldKey = mapping.key(before);
      if (!oldKey.equals(newKey)) {
        out.add(new Output(schema.keyRecord(oldKey), null, "d"));
      }
    }
    Optional<Map<String, Object>> row = mapping.apply(after);
    out.add(row.isPresent()
        ? new Output(schema.keyRecord(newKey), schema.valueRecord(row.get()), op)
        : new Output(schema.keyRecord(newKey), null, "d"));
    return out;
  }

  private boolean hasKeyColumns(Map<String, Object> row) {
    return mapping.keyFields().stream()
        .flatMap(field -> mapping.fields().get(field).columns().stream())
        .allMatch(column -> row.get(column) != null);
  }
}
