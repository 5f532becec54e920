package io.tandem.registry.serde;

import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serde inside a real Kafka Streams application on a real broker, configured the Kafka way. */
class GenericAvroSerdeStreamsIT {
  private static final Schema LEGACY = new Schema.Parser().parse("""
      {"type":"record","name":"LegacyCustomer","fields":[
        {"name":"id","type":"long"},{"name":"balance_cents","type":"long"}]}""");
  private static final Schema MIGRATED = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"migrated","fields":[
        {"name":"id","type":"long"},{"name":"balance","type":"double"}]}""");

  @TempDir
  Path stateDir;

  @Test
  void streamsTopologyReadsAndWritesAvroThroughTheRegistry() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
            .kafkaStorage(kafka.bootstrapServers(), "_schemas").start()) {
      Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog("legacy.customers", 2));
      Topics.ensure(KafkaClients.of(kafka.bootstrapServers()), TopicSpec.changeLog("migrated.customer", 2));
      Map<String, Object> serdeConfig = Map.of(AvroSerdeConfig.URL, registry.url().toString());

      GenericAvroSerde values = new GenericAvroSerde();
      values.configure(serdeConfig, false);
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream("legacy.customers", Consumed.with(Serdes.String(), values))
          .mapValues(legacy -> (GenericRecord) new GenericRecordBuilder(MIGRATED)
              .set("id", legacy.get("id"))
              .set("balance", ((Long) legacy.get("balance_cents")) / 100.0)
              .build())
          .to("migrated.customer", Produced.with(Serdes.String(), values));
      Properties streamsProps = new Properties();
      streamsProps.put(StreamsConfig.APPLICATION_ID_CONFIG, "serde-it");
      streamsProps.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
      streamsProps.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 2);

      try (KafkaStreams streams = new KafkaStreams(builder.build(), streamsProps)) {
        streams.start();
        Map<String, Object> producerConfig = new HashMap<>(serdeConfig);
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        try (KafkaProducer<String, Object> producer =
            new KafkaProducer<>(producerConfig, new StringSerializer(), new AvroSerializer(
                AvroSerdeConfig.from("test producer", serdeConfig), false))) {
          for (long id = 1; id <= 50; id++) {
            producer.send(new ProducerRecord<>("legacy.customers", Long.toString(id),
                new GenericRecordBuilder(LEGACY).set("id", id).set("balance_cents", id * 1001).build()));
          }
        }

        Map<String, Object> consumerConfig = new HashMap<>(serdeConfig);
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, "serde-it-reader");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AvroDeserializer deserializer = new AvroDeserializer();
        deserializer.configure(serdeConfig, false);
        List<GenericRecord> migrated = new ArrayList<>();
        try (KafkaConsumer<String, Object> consumer =
            new KafkaConsumer<>(consumerConfig, new StringDeserializer(), deserializer)) {
          consumer.subscribe(List.of("migrated.customer"));
          await().atMost(Duration.ofSeconds(60)).until(() -> {
            for (ConsumerRecord<String, Object> record : consumer.poll(Duration.ofMillis(200))) {
              migrated.add((GenericRecord) record.value());
            }
            return migrated.size() >= 50;
          });
        }

        assertThat(migrated).hasSize(50);
        assertThat(migrated).allSatisfy(r -> {
          assertThat(r.getSchema()).isEqualTo(MIGRATED);
          assertThat((Double) r.get("balance")).isEqualTo(((Long) r.get("id")) * 10.01, org.assertj.core.data.Offset.offset(1e-9));
        });
        SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
        assertThat(client.subjects()).containsExactlyInAnyOrder("legacy.customers-value", "migrated.customer-value");
      }
    }
  }
}
