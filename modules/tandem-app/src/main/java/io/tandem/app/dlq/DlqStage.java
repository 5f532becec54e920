package io.tandem.app.dlq;

import io.tandem.capture.CaptureEngine;
import io.tandem.runtime.MigrationModel;
import io.tandem.sink.JdbcSink;
import io.tandem.transform.ReverseTopology;
import io.tandem.transform.TransformTopology;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Every stage that dead-letters, with its topic. A stage's dead letters are put back on the topic the stage
 * reads ({@code tandem.dlq.source.topic}); capture's were never on a Kafka topic (Debezium handed them over),
 * so they cannot be replayed: capture reads such rows again when asked ({@code tandem verify --repair}).
 */
public enum DlqStage {
  CAPTURE("capture", CaptureEngine.DEAD_LETTER_TOPIC, false),
  TRANSFORM("transform", TransformTopology.DEAD_LETTER_TOPIC, true),
  SINK("sink", JdbcSink.DEAD_LETTER_TOPIC, true),
  CAPTURE_NEW("capture-new", MigrationModel.REVERSE_CAPTURE_DEAD_LETTERS, false),
  REVERSE("reverse", ReverseTopology.DEAD_LETTER_TOPIC, true),
  SINK_LEGACY("sink-legacy", JdbcSink.LEGACY_DEAD_LETTER_TOPIC, true);

  private final String label;
  private final String topic;
  private final boolean replayable;

  DlqStage(String label, String topic, boolean replayable) {
    this.label = label;
    this.topic = topic;
    this.replayable = replayable;
  }

  /** The name on the command line and in output: {@code capture}, {@code sink-legacy}, ... */
  public String label() {
    return label;
  }

  public String topic() {
    return topic;
  }

  /** Whether its dead letters can be put back on a Kafka topic. */
  public boolean replayable() {
    return replayable;
  }

  public static Optional<DlqStage> byLabel(String label) {
    String wanted = label.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(s -> s.label.equals(wanted)).findFirst();
  }

  /** {@code capture, transform, ...} for messages. */
  public static String labels() {
    return Arrays.stream(values()).map(DlqStage::label).collect(Collectors.joining(", "));
  }
}
