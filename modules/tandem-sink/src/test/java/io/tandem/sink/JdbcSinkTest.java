package io.tandem.sink;

import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.ChangeHeaders;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.core.lifecycle.State;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.client.SchemaRegistryClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class JdbcSinkTest {
  private static final SchemaRegistryClient REGISTRY = SchemaRegistryClient.builder(URI.create("http://localhost:1")).build();

  private static JdbcSink.Builder valid() {
    return JdbcSink.builder()
        .kafka(KafkaClients.of("localhost:9092"))
        .registry(REGISTRY)
        .jdbc("jdbc:postgresql://localhost/app", "u", "p")
        .entity(Fixtures.customerTable("migrated.customer"));
  }

  @Test
  void theBuilderNamesWhatIsMissingOrWrong() {
    assertThatThrownBy(() -> JdbcSink.builder().registry(REGISTRY).jdbc("jdbc:postgresql://localhost/app", "u", "p")
        .entity(Fixtures.customerTable("migrated.customer")).build()).isInstanceOf(ConfigException.class)
        .hasMessage("JdbcSink builder: key 'kafka': expected the Kafka cluster (KafkaClients), got nothing");
    assertThatThrownBy(() -> JdbcSink.builder().kafka(KafkaClients.of("k:9092")).registry(REGISTRY)
        .jdbc("jdbc:postgresql://localhost/app", "u", "p").build())
        .hasMessageContaining("key 'entity': expected at least one EntityTable");
    assertThatThrownBy(() -> valid().jdbc("jdbc:h2:mem:x", null, null).build())
        .hasMessageContaining("key 'jdbc': expected a DataSource, a jdbc:postgresql: URL, or for reverse sync a"
            + " jdbc:mariadb: URL");
    assertThatThrownBy(() -> valid().jdbc("jdbc:mariadb://localhost/app", null, null).build())
        .as("only reverse sync writes MariaDB").hasMessageContaining("key 'jdbc'");
    assertThatThrownBy(() -> valid().entity(Fixtures.customerTable("migrated.customer")).build())
        .hasMessageContaining("expected one entity per topic");
    assertThatThrownBy(() -> valid().dlqTopic("migrated.customer").build())
        .hasMessageContaining("key 'dlqTopic': expected a topic the sink does not read");
    // The same rule as the file's sink.maxPollRecords, defined once in SinkSettings.
    assertThatThrownBy(() -> valid().maxPollRecords(0).build()).isInstanceOf(ConfigException.class)
        .hasMessage("settings: key 'sink.maxPollRecords': expected an integer from 1 to 100000, got '0'");
    assertThatThrownBy(() -> valid().groupId(" ").build())
        .hasMessageContaining("key 'sink.groupId': expected a consumer group id");
  }

  @Test
  void aSinkClosedBeforeItRanStopsAndCannotRunAnymore() {
    JdbcSink sink = valid().build();
    assertThat(sink.state()).isEqualTo(State.CREATED);
    sink.close();
    assertThat(sink.state()).isEqualTo(State.STOPPED);
    sink.close();
    assertThatThrownBy(sink::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("starts once");
    assertThat(sink.failure()).isEmpty();
    assertThat(sink.stats().records()).isZero();
  }

  @Test
  void aDeadLetterKeepsTheOriginalBytesAndHeadersAndSaysWhy() {
    RecordHeaders headers = new RecordHeaders();
    headers.add(ChangeHeaders.POSITION, ChangeHeaders.longBytes(42));
    headers.add(ChangeHeaders.OP, ChangeHeaders.utf8("u"));
    ConsumerRecord<byte[], byte[]> source = new ConsumerRecord<>("migrated.customer", 2, 17L, 0L,
        TimestampType.CREATE_TIME, 3, 3, new byte[] {1, 2, 3}, new byte[] {4, 5, 6}, headers, Optional.empty());

    ProducerRecord<byte[], byte[]> letter = JdbcSink.deadLetterRecord("sink", "tandem.dlq.sink",
        new Reject("customer", source, "SQLState 23514: check", "org.postgresql.util.PSQLException", 42L));

    assertThat(letter.topic()).isEqualTo("tandem.dlq.sink");
    assertThat(letter.key()).containsExactly(1, 2, 3);
    assertThat(letter.value()).containsExactly(4, 5, 6);
    assertThat(text(letter, DeadLetter.REASON)).isEqualTo("SQLState 23514: check");
    assertThat(text(letter, DeadLetter.STAGE)).isEqualTo("sink");
    assertThat(text(letter, DeadLetter.EXCEPTION)).isEqualTo("org.postgresql.util.PSQLException");
    assertThat(text(letter, DeadLetter.SOURCE_TOPIC)).isEqualTo("migrated.customer");
    assertThat(text(letter, DeadLetter.SOURCE_PARTITION)).isEqualTo("2");
    assertThat(text(letter, DeadLetter.SOURCE_OFFSET)).isEqualTo("17");
    assertThat(text(letter, ChangeHeaders.OP)).isEqualTo("u");
    assertThat(letter.headers().headers(ChangeHeaders.POSITION)).hasSize(1);
    assertThat(ChangeHeaders.longValue(letter.headers(), ChangeHeaders.POSITION)).isEqualTo(42);
  }

  private static String text(ProducerRecord<byte[], byte[]> record, String header) {
    return new String(record.headers().lastHeader(header).value(), StandardCharsets.UTF_8);
  }
}
