package io.tandem.capture;

import io.tandem.core.lifecycle.State;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tandem.embedded.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import io.tandem.kafka.KafkaClients;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Capture against a broker that only lets authenticated clients in: the producer and Debezium's offset
 * store both get the security settings given to the engine, and the connector file needs none of them.
 */
class CaptureSecurityIT {
  private static final EmbeddedKafkaBroker.SaslPlainUser USER =
      new EmbeddedKafkaBroker.SaslPlainUser("capture", "Kafka-Pa55word");
  private static CaptureHarness harness;
  private static EmbeddedKafkaBroker secured;

  @BeforeAll
  static void start() {
    harness = new CaptureHarness();
    secured = EmbeddedKafkaBroker.start(Map.of(), USER);
  }

  @AfterAll
  static void stop() {
    secured.close();
    harness.close();
  }

  @Test
  void producerAndOffsetStoreUseTheEngineSecuritySettings() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try (CaptureHarness.Legacy legacy = harness.new Legacy("sasl", "public.accounts")) {
      legacy.sql("CREATE TABLE accounts (id bigint PRIMARY KEY, balance int)", "INSERT INTO accounts VALUES (1, 10)");
      legacy.env.put("KAFKA_BOOTSTRAP_SERVERS", secured.saslBootstrapServers());
      // The deployment's security settings reach the producer and Debezium's offset store alike.
      try (CaptureEngine engine = CaptureEngine.builder(legacy.config()).schemaRegistry(harness.client)
          .kafka(KafkaClients.of(secured.saslBootstrapServers(), USER.clientProperties())).build()) {
        engine.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.stats().events() == 1);
        legacy.sql("UPDATE accounts SET balance = 11 WHERE id = 1");

        // Debezium's offsets reach the secured broker: the offset store could connect and write.
        try (KafkaConsumer<byte[], byte[]> offsets = securedConsumer(legacy.env.get("TANDEM_OFFSET_TOPIC"))) {
          List<ConsumerRecord<byte[], byte[]>> stored = new ArrayList<>();
          await().atMost(Duration.ofSeconds(60)).until(() -> {
            offsets.poll(Duration.ofMillis(200)).forEach(stored::add);
            return !stored.isEmpty();
          });
          assertThat(new String(stored.get(0).value(), java.nio.charset.StandardCharsets.UTF_8)).contains("\"lsn\"");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.stats().events() == 2);
        assertThat(engine.state()).isEqualTo(State.RUNNING);
      }
    } finally {
      root.detachAppender(logs);
    }
    assertThat(logs.list).isNotEmpty().noneMatch(event -> event.getFormattedMessage().contains("Kafka-Pa55word"));
  }

  private static KafkaConsumer<byte[], byte[]> securedConsumer(String topic) {
    Properties props = new Properties();
    props.putAll(USER.clientProperties());
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, secured.saslBootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }
}
