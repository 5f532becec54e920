package io.tandem.registry.serde;

import java.util.Locale;
import java.util.Optional;
import org.apache.avro.Schema;

/** How a topic and a schema name a registry subject; names and results are Confluent's. */
public enum SubjectNameStrategy {
  /** {@code <topic>-key} / {@code <topic>-value}: one schema lineage per topic (the default). */
  TOPIC_NAME,
  /** The record's full name: one lineage per record type, across topics. */
  RECORD_NAME,
  /** {@code <topic>-<record full name>}. */
  TOPIC_RECORD_NAME;

  public String subject(String topic, boolean isKey, Schema schema) {
    return switch (this) {
      case TOPIC_NAME -> topic + (isKey ? "-key" : "-value");
      case RECORD_NAME -> schema.getFullName();
      case TOPIC_RECORD_NAME -> topic + "-" + schema.getFullName();
    };
  }

  /** Accepts Confluent's class names and short names alike, e.g. "TopicNameStrategy". */
  public static Optional<SubjectNameStrategy> parse(String text) {
    String simple = text.substring(text.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return switch (simple) {
      case "topicnamestrategy", "topic_name" -> Optional.of(TOPIC_NAME);
      case "recordnamestrategy", "record_name" -> Optional.of(RECORD_NAME);
      case "topicrecordnamestrategy", "topic_record_name" -> Optional.of(TOPIC_RECORD_NAME);
      default -> Optional.empty();
    };
  }
}
