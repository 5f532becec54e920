package io.tandem.registry.server;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.Compatibility;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.embedded.EmbeddedKafkaBroker;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The registry on a real broker: state lives in the compacted topic, shared by every instance. */
class KafkaBackedRegistryIT {
  private static EmbeddedKafkaBroker kafka;
  private static final AtomicInteger TOPICS = new AtomicInteger();

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static String newTopic() {
    return "_schemas_it_" + TOPICS.incrementAndGet();
  }

  private static EmbeddedSchemaRegistry registry(String topic) {
    return EmbeddedSchemaRegistry.builder().kafkaStorage(kafka.bootstrapServers(), topic).start();
  }

  private static SchemaRegistryClient client(URI url) {
    return SchemaRegistryClient.builder(url).retry(RetryPolicy.none()).build();
  }

  private static Schema schema(String name, int fields) {
    StringBuilder text = new StringBuilder("{\"type\":\"record\",\"name\":\"" + name + "\",\"fields\":[");
    for (int i = 0; i < fields; i++) {
      text.append(i == 0 ? "" : ",").append("{\"name\":\"f").append(i).append("\",\"type\":[\"null\",\"string\"],\"default\":null}");
    }
    return new Schema.Parser().parse(text.append("]}").toString());
  }

  @Test
  void createsACompactedSinglePartitionTopic() throws Exception {
    String topic = newTopic();
    try (EmbeddedSchemaRegistry ignored = registry(topic);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      String policy = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("cleanup.policy").value();

      assertThat(description.partitions()).hasSize(1);
      assertThat(policy).isEqualTo("compact");
    }
  }

  @Test
  void refusesATopicThatWouldLoseOrderOrSchemas() {
    String topic = newTopic();
    Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog(topic, 3));

    assertThatThrownBy(() -> registry(topic))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.getMessage()).contains(topic, "3 partitions"));
  }

  @Test
  void restartRebuildsTheSameStateFromTheTopic() {
    String topic = newTopic();
    Map<String, Integer> ids = new HashMap<>();
    int deletedId;
    try (EmbeddedSchemaRegistry first = registry(topic)) {
      SchemaRegistryClient client = client(first.url());
      for (int i = 1; i <= 3; i++) {
        ids.put("customers-value/" + i, client.register("customers-value", schema("Customer", i)));
      }
      ids.put("orders-value/1", client.register("orders-value", schema("Order", 2)));
      client.setCompatibility(Compatibility.FULL);
      client.setCompatibility("orders-value", Compatibility.NONE);
      client.deleteVersion("customers-value", 3, false);
      deletedId = client.register("scratch-value", schema("Scratch", 1));
      client.deleteSubject("scratch-value", false);
      client.deleteSubject("scratch-value", true);
    }

    try (EmbeddedSchemaRegistry second = registry(topic)) {
      SchemaRegistryClient client = client(second.url());
      assertThat(client.subjects()).containsExactly("customers-value", "orders-value");
      assertThat(client.versions("customers-value")).containsExactly(1, 2);
      for (int i = 1; i <= 2; i++) {
        assertThat(client.version("customers-value", i).id()).isEqualTo(ids.get("customers-value/" + i));
        assertThat(client.schemaById(ids.get("customers-value/" + i))).isEqualTo(schema("Customer", i));
      }
      // Soft-deleted version 3 is hidden but its id still decodes.
      assertThat(client.schemaById(ids.get("customers-value/3"))).isEqualTo(schema("Customer", 3));
      assertThat(client.latest("orders-value").id()).isEqualTo(ids.get("orders-value/1"));
      assertThat(client.compatibility()).isEqualTo(Compatibility.FULL);
      assertThat(client.compatibility("orders-value")).contains(Compatibility.NONE);
      // Same schema, same id after restart; a new schema never reuses a permanently deleted id.
      assertThat(client.register("customers-value", schema("Customer", 2))).isEqualTo(ids.get("customers-value/2"));
      assertThat(client.register("fresh-value", schema("Fresh", 1))).isGreaterThan(deletedId);
      assertThatThrownBy(() -> client.schemaById(deletedId))
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SCHEMA_NOT_FOUND));
    }
  }

  @Test
  void twoInstancesOnOneTopicAnswerTheSame() {
    String topic = newTopic();
    try (EmbeddedSchemaRegistry a = registry(topic); EmbeddedSchemaRegistry b = registry(topic)) {
      SchemaRegistryClient onA = client(a.url());
      SchemaRegistryClient onB = client(b.url());

      int id = onA.register("customers-value", schema("Customer", 1));
      // Read-your-write across instances: B catches up on a miss instead of answering 404.
      assertThat(onB.schemaById(id)).isEqualTo(schema("Customer", 1));
      assertThat(onB.latest("customers-value").id()).isEqualTo(id);
      // B registering the same schema finds A's id; B's next version follows A's.
      assertThat(onB.register("customers-value", schema("Customer", 1))).isEqualTo(id);
      int next = onB.register("customers-value", schema("Customer", 2));
      assertThat(onA.latest("customers-value").version()).isEqualTo(2);
      assertThat(onA.latest("customers-value").id()).isEqualTo(next);
      onB.setCompatibility(Compatibility.FORWARD);
      assertThat(snapshot(a)).isEqualTo(snapshot(b));
    }
  }

  @Test
  void concurrentWritersOnTwoInstancesNeverHandOutOneIdTwice() throws Exception {
    String topic = newTopic();
    try (EmbeddedSchemaRegistry a = registry(topic); EmbeddedSchemaRegistry b = registry(topic)) {
      List<SchemaRegistryClient> clients = List.of(client(a.url()), client(b.url()));
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Integer>> futures = new ArrayList<>();
      int schemas = 40;
      for (int i = 0; i < schemas; i++) {
        SchemaRegistryClient client = clients.get(i % 2);
        Schema schema = schema("Concurrent" + i, 1 + i % 3);
        String subject = "concurrent-" + (i % 4) + "-value";
        futures.add(pool.submit((Callable<Integer>) () -> {
          // Each subject gets new record names: NONE lets unrelated schemas share a subject.
          client.setCompatibility(subject, Compatibility.NONE);
          return client.register(subject, schema);
        }));
      }
      Set<Integer> ids = new HashSet<>();
      for (Future<Integer> future : futures) {
        ids.add(future.get());
      }
      pool.shutdown();

      assertThat(ids).hasSize(schemas);
      int versions = 0;
      for (int s = 0; s < 4; s++) {
        versions += clients.get(0).versions("concurrent-" + s + "-value").size();
      }
      assertThat(versions).isEqualTo(schemas);
      String snapshotA = snapshot(a);
      assertThat(snapshot(b)).isEqualTo(snapshotA);
      // A fresh instance replaying the topic agrees as well.
      try (EmbeddedSchemaRegistry c = registry(topic)) {
        assertThat(snapshot(c)).isEqualTo(snapshotA);
      }
    }
  }

  /** Everything observable: subjects, versions with ids and schemas, and compatibility. */
  private static String snapshot(EmbeddedSchemaRegistry registry) {
    SchemaRegistryClient client = client(registry.url());
    StringBuilder out = new StringBuilder(client.compatibility().name());
    for (String subject : client.subjects()) {
      out.append('\n').append(subject).append(client.compatibility(subject));
      for (int version : client.versions(subject)) {
        var registered = client.version(subject, version);
        out.append(" v").append(version).append("=").append(registered.id()).append(registered.schema().hashCode());
      }
    }
    return out.toString();
  }
}
