package io.tandem.registry;

import java.util.Objects;

/** A named type that a schema imports from another subject's version (Confluent "references"). */
public record SchemaReference(String name, String subject, int version) {
  public SchemaReference {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(subject, "subject");
  }
}
