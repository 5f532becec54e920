package io.tandem.capture;

import org.apache.avro.generic.GenericRecord;

/**
 * One change in the raw-topic format, with the facts the engine counts.
 *
 * @param key the primary key record, or null for a table without a key
 * @param table {@code schema.table}
 * @param snapshotMarker Debezium's {@code source.snapshot} value for snapshot reads ({@code true},
 *     {@code last_in_data_collection}, {@code last}, ..., {@code incremental} for rows read again on
 *     request, see {@link RowResnapshot}), null for streamed changes
 */
record RawChange(String topic, GenericRecord key, GenericRecord value, String table, String op, long position,
    String snapshotMarker) {

  boolean snapshot() {
    return snapshotMarker != null;
  }

  /** A row read again on request (Debezium incremental snapshot), not part of the initial snapshot. */
  boolean resnapshot() {
    return INCREMENTAL.equals(snapshotMarker);
  }

  static final String INCREMENTAL = "incremental";
}
