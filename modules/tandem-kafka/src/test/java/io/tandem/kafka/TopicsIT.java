package io.tandem.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.embedded.EmbeddedKafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic creation, the follower and the one-off read against a real broker. */
class TopicsIT {
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static EmbeddedKafkaBroker broker;
  private static KafkaClients kafka;

  @BeforeAll
  static void start() {
    broker = EmbeddedKafkaBroker.start();
    kafka = KafkaClients.of(broker.bootstrapServers());
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static String name(String what) {
    return what + "-" + NAMES.incrementAndGet();
  }

  @Test
  void createsWhatIsMissingOnceAndAtOnceUsable() throws Exception {
    String log = name("changes");
    String entity = name("entity");
    String dead = name("dlq");
    List<TopicSpec> specs = List.of(TopicSpec.changeLog(log, 3), TopicSpec.compacted(entity, 2),
        TopicSpec.deadLetters(dead));

    assertThat(Topics.ensure(kafka, specs)).containsExactly(log, entity, dead);
    assertThat(Topics.ensure(kafka, specs)).as("existing topics are left as they are").isEmpty();

    try (Admin admin = kafka.admin("test"); KafkaProducer<byte[], byte[]> producer = kafka.producer(Map.of(),
        Map.of())) {
      assertThat(admin.describeTopics(List.of(log)).allTopicNames().get().get(log).partitions()).hasSize(3);
      assertThat(policy(admin, entity)).isEqualTo("compact");
      // A leader per partition before ensure() returns: no metadata wait on the first send.
      producer.send(new ProducerRecord<>(log, 2, null, new byte[] {1})).get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void anExistingSinglePartitionTopicMustStillHaveOnePartitionAndItsPolicy() {
    String spread = name("routing");
    Topics.ensure(kafka, TopicSpec.changeLog(spread, 3));
    assertThatThrownBy(() -> Topics.ensure(kafka, TopicSpec.singlePartition(spread, (short) -1,
        TopicSpec.keptForever())))
        .isInstanceOf(TopicException.class).hasMessageContaining("3 partitions")
        .satisfies(e -> assertThat(((TopicException) e).timedOut()).isFalse());

    String deleting = name("status");
    Topics.ensure(kafka, TopicSpec.deadLetters(deleting));
    assertThatThrownBy(() -> Topics.ensure(kafka, TopicSpec.singlePartition(deleting, (short) -1,
        TopicSpec.compactedPolicy())))
        .isInstanceOf(TopicException.class).hasMessageContaining("cleanup.policy=delete", "'compact'");

    String fine = name("status");
    Topics.ensure(kafka, TopicSpec.singlePartition(fine, (short) -1, TopicSpec.compactedPolicy()));
    assertThat(Topics.ensure(kafka, TopicSpec.singlePartition(fine, (short) -1, TopicSpec.compactedPolicy())))
        .isEmpty();
  }

  @Test
  void anUnreachableClusterIsATimeoutNamingTheTopics() {
    KafkaClients nowhere = KafkaClients.of("127.0.0.1:9", Map.of("request.timeout.ms", "500",
        "default.api.timeout.ms", "1000"));

    assertThatThrownBy(() -> Topics.ensure(nowhere, List.of(TopicSpec.changeLog("t1", 1)), Duration.ofSeconds(2)))
        .isInstanceOf(TopicException.class)
        .satisfies(e -> assertThat(((TopicException) e).timedOut()).isTrue());
  }

  @Test
  void theFollowerReplaysFromTheStartThenFollows() throws Exception {
    String topic = name("follow");
    Topics.ensure(kafka, TopicSpec.singlePartition(topic, (short) -1, TopicSpec.keptForever()));
    send(topic, "a", "b");
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    try (TopicFollower follower = TopicFollower.all(kafka, topic, "test topic", "test-follower",
        record -> seen.add(new String(record.value())))) {
      follower.awaitCaughtUp(Duration.ofSeconds(30));
      assertThat(seen).containsExactly("a", "b");
      send(topic, "c");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 3);
      assertThat(seen).containsExactly("a", "b", "c");
      assertThat(follower.healthy()).isTrue();
    }
  }

  @Test
  void readToEndStopsAtTheEndItFoundAndReadsMissingTopicsAsEmpty() throws Exception {
    String topic = name("scan");
    Topics.ensure(kafka, TopicSpec.changeLog(topic, 2));
    send(topic, "x", "y", "z");
    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();

    TopicFollower.readToEnd(kafka, List.of(topic, name("absent")), Duration.ofSeconds(30), read::add);

    assertThat(read).extracting(r -> new String(r.value())).containsExactlyInAnyOrder("x", "y", "z");
    assertThat(read).extracting(ConsumerRecord::topic).containsOnly(topic);
  }

  @Test
  void aFollowedPartitionMayBeCreatedAfterTheFollowerStarts() throws Exception {
    String topic = name("late");
    List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    try (TopicFollower follower = TopicFollower.one(kafka, new TopicPartition(topic, 0), "late topic", "test-late",
        record -> seen.add(new String(record.value())))) {
      Topics.ensure(kafka, TopicSpec.singlePartition(topic, (short) -1, TopicSpec.keptForever()));
      send(topic, "first");
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> seen.contains("first"));
      assertThat(follower.failure()).isEmpty();
    }
  }

  private static void send(String topic, String... values) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(Map.of(), Map.of())) {
      for (String value : values) {
        producer.send(new ProducerRecord<>(topic, value.getBytes())).get(10, TimeUnit.SECONDS);
      }
    }
  }

  private static String policy(Admin admin, String topic) throws Exception {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
    return config.get("cleanup.policy").value();
  }
}
