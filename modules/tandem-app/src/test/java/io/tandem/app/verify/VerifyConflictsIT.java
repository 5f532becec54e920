package io.tandem.app.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.kafka.KafkaClients;
import io.tandem.sink.JdbcSink;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** {@code tandem verify} reports the conflicts the sinks recorded (docs/coexistence.md), read from a real broker. */
class VerifyConflictsIT {

  @Test
  void reportsNoneAndThenTheCountAndLatestPerEntity() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      KafkaClients clients = KafkaClients.of(kafka.bootstrapServers());
      assertThat(VerifyCommand.conflicts(clients)).isEqualTo("Conflicts: none recorded on tandem.conflicts.\n");

      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
          kafka.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
        for (String key : new String[] {"41", "42"}) {
          producer.send(new ProducerRecord<>(JdbcSink.CONFLICT_TOPIC, ("customer/" + key).getBytes(StandardCharsets.UTF_8),
              ("{\"entity\":\"customer\",\"key\":\"" + key + "\",\"direction\":\"forward\",\"writtenOn\":\"legacy\","
                  + "\"owner\":\"new\",\"routingVersion\":7,\"detectedAt\":\"2026-12-05T13:00:0" + key.charAt(1) + "Z\"}")
                  .getBytes(StandardCharsets.UTF_8))).get();
        }
      }

      assertThat(VerifyCommand.conflicts(clients)).isEqualTo("Conflicts recorded on tandem.conflicts (writes on the"
          + " side that did not own the key, not carried across; docs/coexistence.md):\n"
          + "  customer: 2, latest key 42 written on legacy while new owned it (routing version 7,"
          + " 2026-12-05T13:00:02Z)\n");
    }
  }
}
