package io.tandem.registry.server;

import io.tandem.registry.Compatibility;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/** Parsing and compatibility decisions, delegated to Avro's own parser and compatibility checker. */
final class AvroSchemas {
  private AvroSchemas() {}

  /** A parsed schema and the named types its references brought in. */
  record Parsed(Schema schema, List<Schema> referencedTypes) {
    /**
     * The stored and compared form: referenced types stay references by name, as clients sent
     * them (inlining them would make clients that define references first see a duplicate type).
     */
    String canonical() {
      return referencedTypes.isEmpty() ? schema.toString() : schema.toString(referencedTypes, false);
    }
  }

  /**
   * Parses {@code schema} after the schemas it references (dependencies first).
   *
   * @throws SchemaParseException or another runtime exception naming what is wrong
   */
  static Parsed parse(String schema, List<String> referencedSchemas) {
    Schema.Parser parser = new Schema.Parser();
    for (String dependency : referencedSchemas) {
      parser.parse(dependency);
    }
    List<Schema> referencedTypes = new ArrayList<>(parser.getTypes().values());
    return new Parsed(parser.parse(schema), referencedTypes);
  }

  /**
   * Reasons why {@code candidate} may not follow {@code existing} under {@code level}; empty when
   * it may. Backward means the candidate reads data written with the existing schema; forward
   * means the existing schema reads data written with the candidate.
   */
  static List<String> incompatibilities(Compatibility level, Schema candidate, Schema existing, int existingVersion) {
    List<String> problems = new ArrayList<>();
    if (level.checksBackward()) {
      describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing), "new", problems);
    }
    if (level.checksForward()) {
      describe(SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate), "old", problems);
    }
    if (!problems.isEmpty()) {
      problems.add("{oldSchemaVersion: " + existingVersion + "}");
      problems.add("{oldSchema: '" + existing + "'}");
      problems.add("{compatibility: '" + level.name() + "'}");
    }
    return problems;
  }

  private static void describe(SchemaCompatibility.SchemaPairCompatibility pair, String readerRole, List<String> out) {
    if (pair.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (SchemaCompatibility.Incompatibility incompatibility : pair.getResult().getIncompatibilities()) {
      out.add("{errorType:'" + incompatibility.getType() + "', description:'" + incompatibility.getMessage()
          + " (reader: " + readerRole + " schema)', location:'" + incompatibility.getLocation() + "'}");
    }
  }
}
