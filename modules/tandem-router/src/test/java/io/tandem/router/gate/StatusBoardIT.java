package io.tandem.router.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The status follower on a real broker: newest record per key, bad records skipped and counted, tombstones. */
class StatusBoardIT {
  private static final Instant T = Instant.parse("2026-11-21T12:00:00Z");

  @Test
  void keepsTheNewestRecordPerKeySkipsBadOnesAndForgetsTombstones() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());
      String topic = "tandem.status." + UUID.randomUUID();
      StatusBoard.ensureTopic(client, topic, (short) -1);
      StatusBoard.ensureTopic(client, topic, (short) -1); // exists: nothing to do
      try (Admin admin = Admin.create(client)) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
        assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
            .partitions()).hasSize(1);
      }
      StatusRecord.Verification older = verification(1, true, 0);
      StatusRecord.Verification newer = verification(2, false, 3);
      StatusRecord.Lag lag = new StatusRecord.Lag("customer", 120, T, "sink");
      StatusRecord.Lag captureLag = new StatusRecord.Lag("customer", 0, T, "capture");
      try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
        send(producer, topic, older.key(), StatusCodec.encode(older));
        send(producer, topic, newer.key(), StatusCodec.encode(newer));
        send(producer, topic, lag.key(), StatusCodec.encode(lag));
        send(producer, topic, captureLag.key(), StatusCodec.encode(captureLag));
        StatusRecord.MappingVersion running = new StatusRecord.MappingVersion("customer", "0123456789abcdef", T);
        send(producer, topic, running.key(), StatusCodec.encode(running));
        send(producer, topic, "verify/customer/beta", "not json".getBytes(StandardCharsets.UTF_8));
        send(producer, topic, "verify/customer/other", StatusCodec.encode(verification(5, true, 0)));

        try (StatusBoard board = StatusBoard.follow(client, topic)) {
          board.awaitCaughtUp(Duration.ofSeconds(30));
          assertThat(board.problem()).isEmpty();
          assertThat(board.verification("customer", "beta")).contains(newer);
          assertThat(board.lag("customer")).contains(lag);
          assertThat(board.captureLag("customer")).contains(captureLag);
          assertThat(board.mapping("customer")).contains(running);
          assertThat(board.mapping("order")).isEmpty();
          assertThat(board.verification("customer", "*")).isEmpty();
          assertThat(board.lag("order")).isEmpty();
          assertThat(board.skipped()).isEqualTo(2); // (a compacted topic refuses records without a key)

          StatusRecord.Verification wide = new StatusRecord.Verification("customer", "*", true, T, T.plusSeconds(9),
              4, 5000, 0);
          send(producer, topic, wide.key(), StatusCodec.encode(wide));
          send(producer, topic, lag.key(), null);
          await().atMost(Duration.ofSeconds(10)).until(() -> board.lag("customer").isEmpty());
          assertThat(board.verification("customer", "*")).contains(wide);
          assertThat(board.verification("customer", "beta")).contains(newer);
          assertThat(board.healthy()).isTrue();
        }
      }
    }
  }

  private static StatusRecord.Verification verification(long version, boolean clean, long differences) {
    return new StatusRecord.Verification("customer", "beta", clean, T, T.plusSeconds(version), version, 1000,
        differences);
  }

  static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka) {
    return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value))
        .get(30, TimeUnit.SECONDS);
  }
}
