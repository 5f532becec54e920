package io.tandem.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaBrokerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void producesAndConsumesOnAnAutoCreatedTopic() throws Exception {
    assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());

    try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
      producer.send(new ProducerRecord<>("plain", "k1", "hello")).get();
    }

    assertThat(consume(kafka, "plain", 1, Map.of()))
        .singleElement()
        .satisfies(record -> {
          assertThat(record.key()).isEqualTo("k1");
          assertThat(record.value()).isEqualTo("hello");
        });
  }

  @Test
  void transactionalProducerCommitsAndReadCommittedSeesOnlyCommitted() throws Exception {
    createTopic(kafka, "tx", 1, Map.of());
    try (KafkaProducer<String, String> producer = producer(kafka,
        Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-" + UUID.randomUUID()))) {
      producer.initTransactions();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "k", "aborted"));
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>("tx", "k", "committed"));
      producer.commitTransaction();
    }

    List<ConsumerRecord<String, String>> records = consume(kafka, "tx", 1,
        Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));

    assertThat(records).extracting(ConsumerRecord::value).containsExactly("committed");
  }

  @Test
  void servesACompactedTopic() throws Exception {
    createTopic(kafka, "compacted", 3, Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "0.01"));

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "compacted");
      Config config = admin.describeConfigs(List.of(topic)).all().get().get(topic);
      assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      assertThat(admin.describeTopics(List.of("compacted")).allTopicNames().get()
          .get("compacted").partitions()).hasSize(3);
    }
    try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
      producer.send(new ProducerRecord<>("compacted", 0, "key", "v1"));
      producer.send(new ProducerRecord<>("compacted", 0, "key", "v2")).get();
    }
    assertThat(consume(kafka, "compacted", 2, Map.of()))
        .extracting(ConsumerRecord::value).containsExactly("v1", "v2");
  }

  @Test
  void runsTwoBrokersAtOnceAndDeletesTheLogDirOnClose() throws Exception {
    Path logDir;
    try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(Map.of("log.retention.ms", 60_000))) {
      logDir = second.logDir();
      assertThat(logDir).isDirectory();
      assertThat(second.bootstrapServers()).isNotEqualTo(kafka.bootstrapServers());
      assertThat(second.clusterId()).isNotEqualTo(kafka.clusterId());

      try (KafkaProducer<String, String> producer = producer(second, Map.of())) {
        producer.send(new ProducerRecord<>("two", "k", "on the second broker")).get();
      }
      try (KafkaProducer<String, String> producer = producer(kafka, Map.of())) {
        producer.send(new ProducerRecord<>("two", "k", "on the first broker")).get();
      }

      assertThat(consume(second, "two", 1, Map.of()))
          .extracting(ConsumerRecord::value).containsExactly("on the second broker");
      assertThat(consume(kafka, "two", 1, Map.of()))
          .extracting(ConsumerRecord::value).containsExactly("on the first broker");
    }
    assertThat(logDir).doesNotExist();
  }

  @Test
  void aTakenBrokerPortFailsTheStartWithoutHaltingTheJvm() throws Exception {
    try (ServerSocket taken = bindAnyLoopbackPort()) {
      assertThatThrownBy(() -> EmbeddedKafkaBroker.startOn(taken.getLocalPort(), FreePorts.pick(), Map.of()))
          .hasRootCauseInstanceOf(BindException.class);
    }
    // Reaching this line means the JVM was not halted; the shared broker still serves.
    createTopic(kafka, "after-broker-port-clash", 1, Map.of());
  }

  @Test
  void aTakenControllerPortFailsTheStartWithoutHaltingTheJvm() throws Exception {
    try (ServerSocket taken = bindAnyLoopbackPort()) {
      assertThatThrownBy(() -> EmbeddedKafkaBroker.startOn(FreePorts.pick(), taken.getLocalPort(), Map.of()))
          .hasRootCauseInstanceOf(BindException.class);
    }
    createTopic(kafka, "after-controller-port-clash", 1, Map.of());
  }

  @Test
  void refusesToOverrideManagedSettings() {
    assertThatThrownBy(() -> EmbeddedKafkaBroker.start(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listeners");
  }

  private static ServerSocket bindAnyLoopbackPort() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    return socket;
  }

  @Test
  void aSaslListenerAcceptsItsUserAndRefusesOthers() throws Exception {
    EmbeddedKafkaBroker.SaslPlainUser user = new EmbeddedKafkaBroker.SaslPlainUser("tandem", "s3cret");
    try (EmbeddedKafkaBroker secured = EmbeddedKafkaBroker.start(Map.of(), user)) {
      Map<String, Object> sasl = new java.util.HashMap<>(user.clientProperties());
      sasl.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, secured.saslBootstrapServers());
      try (KafkaProducer<String, String> producer = producer(secured, sasl)) {
        producer.send(new ProducerRecord<>("secured", "k", "v")).get();
      }
      assertThat(consume(secured, "secured", 1, sasl)).extracting(ConsumerRecord::value).containsExactly("v");

      Map<String, Object> wrong = new java.util.HashMap<>(
          new EmbeddedKafkaBroker.SaslPlainUser("tandem", "guess").clientProperties());
      wrong.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, secured.saslBootstrapServers());
      wrong.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
      try (KafkaProducer<String, String> producer = producer(secured, wrong)) {
        assertThatThrownBy(() -> producer.send(new ProducerRecord<>("secured", "k", "v")).get())
            .hasRootCauseInstanceOf(org.apache.kafka.common.errors.SaslAuthenticationException.class);
      }
    }
    assertThatThrownBy(kafka::saslBootstrapServers).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no SASL listener");
  }

  /** Through the admin API, as any client would (the broker has no topic helper of its own). */
  private static void createTopic(EmbeddedKafkaBroker broker, String name, int partitions, Map<String, String> configs)
      throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs))).all()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker, Map<String, Object> extra) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.putAll(extra);
    return new KafkaProducer<>(props);
  }

  /** Polls from the start of {@code topic} until {@code count} records arrived or the timeout passed. */
  private static List<ConsumerRecord<String, String>> consume(EmbeddedKafkaBroker broker, String topic, int count,
                                Map<String, Object> extra) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.putAll(extra);
    List<ConsumerRecord<String, String>> records = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }
}
