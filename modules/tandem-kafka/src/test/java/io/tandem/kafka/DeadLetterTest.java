package io.tandem.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

  @Test
  void theEnvelopeReadsBackAsWritten() {
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("migrated.customer", 2, 17L, new byte[] {1},
        new byte[] {2});
    source.headers().add(ChangeHeaders.OP, ChangeHeaders.utf8("u"));

    ProducerRecord<byte[], byte[]> letter = DeadLetter.of("sink", "SQLState 23514: check", "java.sql.SQLException",
        source).record("tandem.dlq.sink", source.key(), source.value(), source.headers(), 42L);

    assertThat(letter.topic()).isEqualTo("tandem.dlq.sink");
    assertThat(letter.key()).containsExactly(1);
    assertThat(letter.value()).containsExactly(2);
    assertThat(DeadLetter.read(letter.headers())).contains(new DeadLetter("sink", "SQLState 23514: check",
        "java.sql.SQLException", "migrated.customer", 2, 17L));
    assertThat(ChangeHeaders.text(letter.headers(), ChangeHeaders.OP)).isEqualTo("u");
    assertThat(ChangeHeaders.longValue(letter.headers(), ChangeHeaders.POSITION)).isEqualTo(42L);
    assertThat(source.headers().lastHeader(DeadLetter.REASON)).as("the source record is untouched").isNull();
  }

  @Test
  void aRecordRefusedAgainIsDescribedOnceAndKeepsItsPosition() {
    Headers headers = new RecordHeaders();
    ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, 7);
    new DeadLetter("transform", "first", "A", "legacy.db.public.t", 0, 1L).writeTo(headers, 7L);

    new DeadLetter("sink", "second", "B", "migrated.t", 1, 9L).writeTo(headers, 99L);

    assertThat(headers.headers(DeadLetter.REASON)).hasSize(1);
    assertThat(DeadLetter.read(headers)).contains(new DeadLetter("sink", "second", "B", "migrated.t", 1, 9L));
    assertThat(headers.headers(ChangeHeaders.POSITION)).hasSize(1);
    assertThat(ChangeHeaders.longValue(headers, ChangeHeaders.POSITION)).isEqualTo(7L);
  }

  @Test
  void aCaptureDeadLetterHasNoKafkaSourcePosition() {
    Headers headers = new RecordHeaders();
    new DeadLetter("capture", "cannot convert", "X", "legacy.db.public.t", null, null).writeTo(headers, null);

    assertThat(headers.lastHeader(DeadLetter.SOURCE_PARTITION)).isNull();
    assertThat(headers.lastHeader(ChangeHeaders.POSITION)).isNull();
    assertThat(DeadLetter.read(headers).map(DeadLetter::sourceOffset)).isEqualTo(Optional.empty());
    assertThat(DeadLetter.read(new RecordHeaders())).isEmpty();
  }

  @Test
  void aMalformedLongHeaderIsAnErrorOrTheFallback() {
    Headers headers = new RecordHeaders();
    headers.add(ChangeHeaders.POSITION, new byte[] {1, 2});

    assertThat(ChangeHeaders.longValue(headers, ChangeHeaders.POSITION, -1)).isEqualTo(-1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChangeHeaders.longValue(headers, ChangeHeaders.POSITION))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8-byte");
  }
}
