package io.tandem.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads topics from their start to the end they had when the scan began (no consumer group, nothing
 * committed): the verifier's view of the status and dead-letter topics at the start of a pass. Topics
 * that do not exist are read as empty.
 */
final class TopicScan {
  private TopicScan() {}

  static void readToEnd(Map<String, Object> kafka, List<String> topics, Duration timeout,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      Map<String, List<PartitionInfo>> existing = consumer.listTopics(timeout);
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : topics) {
        existing.getOrDefault(topic, List.of()).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      if (partitions.isEmpty()) {
        return;
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new VerifyException("reading " + topics + " took longer than " + timeout);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }
}
