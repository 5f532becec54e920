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
}
