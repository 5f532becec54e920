package io.tandem.kafka;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Why a record went to a dead-letter topic ({@code tandem.dlq.<stage>}) and where it came from: the
 * envelope every stage writes and every reader (the verifier, {@code tandem dlq}) reads, as the headers
 * of docs/data-model.md ("Dead-letter topics"). The record keeps its key, value and other headers, and
 * its source position in {@link ChangeHeaders#POSITION} where one is known.
 *
 * @param stage {@code capture}, {@code transform}, {@code sink}
 * @param exceptionClass the class of the error that refused it
 * @param sourceTopic the topic it was read from (for capture: Debezium's topic name)
 * @param sourcePartition null when not read from Kafka (capture)
 * @param sourceOffset null when not read from Kafka (capture)
 */
public record DeadLetter(String stage, String reason, String exceptionClass, String sourceTopic,
    Integer sourcePartition, Long sourceOffset) {

  /** Of the headers, and of every stage's dead-letter topic ({@link #topic}). */
  public static final String PREFIX = "tandem.dlq.";
  /** Replay markers ({@code tandem dlq replay}): under the prefix, but not a stage's dead letters. */
  public static final String REPLAYED_TOPIC = PREFIX + "replayed";
  /**
   * Where a sink records write conflicts (coexistence: changes it did not apply because the other side owned the
   * key); like dead letters, kept for operators and read by the verifier and the console.
   */
  public static final String CONFLICT_TOPIC = "tandem.conflicts";
  public static final String REASON = PREFIX + "reason";
  public static final String STAGE = PREFIX + "stage";
  public static final String EXCEPTION = PREFIX + "exception";
  public static final String SOURCE_TOPIC = PREFIX + "source.topic";
  public static final String SOURCE_PARTITION = PREFIX + "source.partition";
  public static final String SOURCE_OFFSET = PREFIX + "source.offset";
  /** On a replayed record: the dead letter it was restored from, {@code <dlq topic>/<partition>/<offset>} (UTF-8). */
  public static final String REPLAY_OF = "tandem.replay.of";
  /** On a replayed record: the replay run that re-published it (UTF-8). */
  public static final String REPLAY_ID = "tandem.replay.id";

  /** The dead-letter topic of {@code stage}: {@code tandem.dlq.<stage>}. */
  public static String topic(String stage) {
    return PREFIX + stage;
  }

  /** Whether {@code topic} is a stage's dead-letter topic (not the replay markers). */
  public static boolean isDeadLetterTopic(String topic) {
    return topic.startsWith(PREFIX) && !topic.equals(REPLAYED_TOPIC);
  }

  public DeadLetter {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(exceptionClass, "exceptionClass");
  }

  /** A record read from Kafka at {@code source}, refused by {@code stage}. */
  public static DeadLetter of(String stage, String reason, String exceptionClass, ConsumerRecord<?, ?> source) {
    return new DeadLetter(stage, reason, exceptionClass, source.topic(), source.partition(), source.offset());
  }

  /**
   * Writes this envelope into {@code headers}: dead-letter headers of an earlier refusal are replaced (a
   * replayed record refused again is described once), the others kept; {@code position} is added when
   * given and the headers carry none.
   */
  public void writeTo(Headers headers, Long position) {
    List<String> stale = new ArrayList<>();
    for (Header header : headers) {
      if (header.key().startsWith(PREFIX)) {
        stale.add(header.key());
      }
    }
    stale.forEach(headers::remove);
    headers.add(REASON, ChangeHeaders.utf8(reason));
    headers.add(STAGE, ChangeHeaders.utf8(stage));
    headers.add(EXCEPTION, ChangeHeaders.utf8(exceptionClass));
    if (sourceTopic != null) {
      headers.add(SOURCE_TOPIC, ChangeHeaders.utf8(sourceTopic));
    }
    if (sourcePartition != null) {
      headers.add(SOURCE_PARTITION, ChangeHeaders.utf8(Integer.toString(sourcePartition)));
    }
    if (sourceOffset != null) {
      headers.add(SOURCE_OFFSET, ChangeHeaders.utf8(Long.toString(sourceOffset)));
    }
    if (position != null && headers.lastHeader(ChangeHeaders.POSITION) == null) {
      headers.add(ChangeHeaders.POSITION, ChangeHeaders.longBytes(position));
    }
  }

  /** The dead-letter record: {@code key} and {@code value} as refused, {@code original} headers plus this envelope. */
  public ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] value, Headers original,
      Long position) {
    Headers headers = new RecordHeaders(original == null ? new Header[0] : original.toArray());
    writeTo(headers, position);
    return new ProducerRecord<>(topic, null, key, value, headers);
  }

  /** The envelope of a dead-letter record; empty when it has none (not a Tandem dead letter). */
  public static Optional<DeadLetter> read(Headers headers) {
    String stage = ChangeHeaders.text(headers, STAGE);
    String reason = ChangeHeaders.text(headers, REASON);
    if (stage == null || reason == null) {
      return Optional.empty();
    }
    String exception = ChangeHeaders.text(headers, EXCEPTION);
    return Optional.of(new DeadLetter(stage, reason, exception == null ? "" : exception,
        ChangeHeaders.text(headers, SOURCE_TOPIC), parse(ChangeHeaders.text(headers, SOURCE_PARTITION), Integer::valueOf),
        parse(ChangeHeaders.text(headers, SOURCE_OFFSET), Long::valueOf)));
  }

  /** Whether the refused record can be put back on its input topic: it was read from Kafka (not capture's). */
  public boolean replayable() {
    return sourceTopic != null && sourcePartition != null && sourceOffset != null;
  }

  /**
   * The record {@code deadLetter} holds as it was on its stage's input topic, to be put back there: the same
   * key, value and partition, its timestamp, its headers without this envelope's ({@code tandem.position}
   * and the others stay, so the sink still applies it only if newer), plus {@link #REPLAY_OF} and
   * {@link #REPLAY_ID}. A record refused again after the replay is dead-lettered with those headers.
   *
   * @throws IllegalArgumentException when it is no Tandem dead letter or not {@linkplain #replayable() replayable}
   */
  public static ProducerRecord<byte[], byte[]> restore(ConsumerRecord<byte[], byte[]> deadLetter, String replayId) {
    DeadLetter letter = read(deadLetter.headers()).orElseThrow(() -> new IllegalArgumentException(
        deadLetter.topic() + "/" + deadLetter.partition() + "/" + deadLetter.offset() + " is not a Tandem dead letter"));
    if (!letter.replayable()) {
      throw new IllegalArgumentException("the " + letter.stage() + " dead letter " + coordinates(deadLetter)
          + " was not read from a Kafka topic (no source topic, partition and offset): it cannot be put back");
    }
    Headers headers = new RecordHeaders();
    for (Header header : deadLetter.headers()) {
      if (!header.key().startsWith(PREFIX) && !header.key().equals(REPLAY_OF) && !header.key().equals(REPLAY_ID)) {
        headers.add(header.key(), header.value());
      }
    }
    headers.add(REPLAY_OF, ChangeHeaders.utf8(coordinates(deadLetter)));
    headers.add(REPLAY_ID, ChangeHeaders.utf8(replayId));
    return new ProducerRecord<>(letter.sourceTopic(), letter.sourcePartition(),
        deadLetter.timestamp() < 0 ? null : deadLetter.timestamp(), deadLetter.key(), deadLetter.value(), headers);
  }

  /** {@code <topic>/<partition>/<offset>} of a record. */
  public static String coordinates(ConsumerRecord<?, ?> record) {
    return record.topic() + "/" + record.partition() + "/" + record.offset();
  }

  private static <T> T parse(String text, java.util.function.Function<String, T> parser) {
    try {
      return text == null ? null : parser.apply(text.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
