package io.tandem.capture;

import io.tandem.kafka.KafkaClients;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerializer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After an initial snapshot that replaced an earlier one ({@link SnapshotRestart}): deletes the keys the old
 * records hold and the new snapshot did not see, which legacy deleted meanwhile. Per raw-topic partition it
 * collects the keys of every record from the marker's end on (the new snapshot and what streamed after it),
 * then reads the records below the marker and, for each key among them whose latest record is not a delete and
 * that has no newer record, produces a delete: {@code op = d}, the old row as {@code before}, the key and
 * partition of the old record, and the position one below the slot's {@code restart_lsn} read just before the
 * newer records were collected. Every change with a lower position was confirmed by Debezium, so it is among
 * the collected records; every later change of such a key (a new insert) has a higher position and outranks
 * the delete. Sweeping twice is harmless: a delete at a position the row already passed changes nothing.
 */
final class SnapshotSweep {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSweep.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaClients kafka;
  private final Producer<byte[], byte[]> producer;
  private final AvroDeserializer values;
  private final AvroSerializer serializer;
  private final LongSupplier floor;

  /**
   * @param floor reads one below the replication slot's current {@code restart_lsn} (a fresh read each call)
   */
  SnapshotSweep(KafkaClients kafka, Producer<byte[], byte[]> producer, AvroDeserializer values,
      AvroSerializer serializer, LongSupplier floor) {
    this.kafka = kafka;
    this.producer = producer;
    this.values = values;
    this.serializer = serializer;
    this.floor = floor;
  }

  /** The deletes produced per raw topic. */
  Map<String, Long> sweep(SnapshotRestart.SweepMarker marker, BooleanSupplier stopping) {
    long position = floor.getAsLong();
    Map<String, Long> deleted = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(Map.of(), Map.of("group.id",
        "tandem-snapshot-sweep", "enable.auto.commit", false, "auto.offset.reset", "earliest"))) {
      for (Map.Entry<TopicPartition, Long> entry : marker.ends().entrySet()) {
        if (stopping.getAsBoolean()) {
          return deleted;
        }
        TopicPartition partition = entry.getKey();
        long oldEnd = entry.getValue();
        if (oldEnd == 0) {
          continue;
        }
        consumer.assign(List.of(partition));
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        Set<ByteBuffer> seenSince = new HashSet<>();
        read(consumer, partition, oldEnd, end, stopping, record -> {
          if (record.key() != null) {
            seenSince.add(ByteBuffer.wrap(record.key()));
          }
        });
        Map<ByteBuffer, ConsumerRecord<byte[], byte[]>> latestOld = new HashMap<>();
        read(consumer, partition, 0, oldEnd, stopping, record -> {
          if (record.key() != null && !seenSince.contains(ByteBuffer.wrap(record.key()))) {
            latestOld.put(ByteBuffer.wrap(record.key()), record);
          }
        });
        long count = 0;
        for (ConsumerRecord<byte[], byte[]> old : latestOld.values()) {
          if (old.value() != null && delete(old, position)) {
            count++;
          }
        }
        producer.flush();
        deleted.merge(partition.topic(), count, Long::sum);
      }
    }
    return deleted;
  }

  /** Produces the delete of {@code old}'s row at {@code position}; false when its latest record is a delete. */
  private boolean delete(ConsumerRecord<byte[], byte[]> old, long position) {
    GenericRecord change = (GenericRecord) values.deserialize(old.topic(), old.value());
    if ("d".equals(String.valueOf(change.get("op")))) {
      return false;
    }
    GenericData.Record deletion = new GenericData.Record(change.getSchema());
    change.getSchema().getFields().forEach(field -> deletion.put(field.name(), change.get(field.name())));
    deletion.put("op", "d");
    deletion.put("before", change.get("after"));
    deletion.put("after", null);
    deletion.put("position", position);
    Object commitTs = change.get("commit_ts");
    deletion.put("commit_ts", commitTs instanceof Instant ? Instant.now() : (Object) System.currentTimeMillis());
    deletion.put("tx_id", null);
    deletion.put("snapshot", false);
    byte[] value = serializer.serialize(old.topic(), deletion);
    producer.send(new ProducerRecord<>(old.topic(), old.partition(), old.key(), value));
    return true;
  }

  private static void read(KafkaConsumer<byte[], byte[]> consumer, TopicPartition partition, long from, long to,
      BooleanSupplier stopping, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> each) {
    consumer.seek(partition, from);
    while (consumer.position(partition) < to && !stopping.getAsBoolean()) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
        if (record.offset() < to) {
          each.accept(record);
        }
      }
    }
  }
}
