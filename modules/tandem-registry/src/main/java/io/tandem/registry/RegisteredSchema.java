package io.tandem.registry;

import java.util.List;
import java.util.Objects;

/** One version of a subject as the registry stores it. */
public record RegisteredSchema(
    String subject, int version, int id, String schemaType, String schema, List<SchemaReference> references) {

  public static final String AVRO = "AVRO";

  public RegisteredSchema {
    Objects.requireNonNull(schema, "schema");
    schemaType = schemaType == null ? AVRO : schemaType;
    references = references == null ? List.of() : List.copyOf(references);
  }
}
