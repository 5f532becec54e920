package io.tandem.sink;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One decoded record of a {@code migrated.<entity>} topic, ready for SQL: every column rendered as
 * PostgreSQL input text, the key also as canonical JSON for the tombstone table.
 *
 * @param row all column values in {@link EntityTable#avroColumns()} order; null for a delete
 * @param key the key column values, in key order
 * @param commitTs the legacy commit time as PostgreSQL input text, or null when unknown
 * @param commitTsMillis the same in epoch millis, or -1
 */
record Change(
    EntityTable entity,
    String keyJson,
    String[] key,
    String[] row,
    long position,
    String commitTs,
    long commitTsMillis,
    ConsumerRecord<byte[], byte[]> record) {

  boolean isDelete() {
    return row == null;
  }
}
