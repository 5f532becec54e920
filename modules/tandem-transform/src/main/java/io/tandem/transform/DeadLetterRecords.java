package io.tandem.transform;

import io.tandem.kafka.DeadLetter;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The dead letter of a record a topology's processor refused: its bytes as read, with the envelope headers. */
final class DeadLetterRecords {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRecords.class);

  private DeadLetterRecords() {}

  static Record<Object, Object> of(ProcessorContext<Object, Object> context, String stage, Record<byte[], byte[]> input,
      Long position, String reason, Exception cause) {
    Headers headers = new RecordHeaders(input.headers().toArray());
    Optional<RecordMetadata> metadata = context.recordMetadata();
    new DeadLetter(stage, reason, cause.getClass().getName(), metadata.map(RecordMetadata::topic).orElse(null),
        metadata.map(RecordMetadata::partition).orElse(null), metadata.map(RecordMetadata::offset).orElse(null))
        .writeTo(headers, position);
    LOG.warn("{} dead-lettered {}: {}", stage,
        metadata.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?"), reason);
    return new Record<>(input.key(), input.value(), input.timestamp(), headers);
  }

  /** A record a processor could not take, and why: on its way to the dead-letter sink. */
  record Rejected(Record<byte[], byte[]> input, Long position, String reason, Exception cause) {}

  /** Forwards the rejected part of a stream's values to the dead-letter sink ({@link TransformProcessor#DLQ_CHILD}). */
  static final class Forwarder<V>
      implements org.apache.kafka.streams.processor.api.Processor<String, V, Object, Object> {
    private final java.util.function.Function<V, Rejected> rejected;
    private ProcessorContext<Object, Object> context;

    Forwarder(java.util.function.Function<V, Rejected> rejected) {
      this.rejected = rejected;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
      this.context = context;
    }

    @Override
    public void process(Record<String, V> record) {
      Rejected failed = rejected.apply(record.value());
      context.forward(of(context, "transform", failed.input(), failed.position(), failed.reason(), failed.cause()),
          TransformProcessor.DLQ_CHILD);
    }
  }
}
