package io.tandem.verify;

import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The newest status record per key, read from the start of the status topic to its current end. */
public final class StatusTopic {
  private StatusTopic() {}

  public static Map<String, StatusRecord> readLatest(Map<String, Object> kafka, String topic, Duration timeout) {
    Map<String, Object> config = new HashMap<>(kafka);
    config.remove(ConsumerConfig.GROUP_ID_CONFIG);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, StatusRecord> latest = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<PartitionInfo> infos = consumer.listTopics(timeout).get(topic);
      if (infos == null) {
        return latest;
      }
      List<TopicPartition> partitions = new ArrayList<>();
      infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new VerifyException("reading status topic " + topic + " took longer than " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (record.value() == null) {
            continue;
          }
          try {
            StatusRecord status = StatusCodec.decode(record.value());
            latest.put(status.key(), status);
          } catch (IllegalArgumentException e) {
            // someone else's record: the router counts and logs these; the verifier only needs lag
          }
        }
      }
    }
    return latest;
  }
}
