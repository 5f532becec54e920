package io.tandem.capture;

import java.util.Collections;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Counters of one capture engine run, as of the moment they were read.
 *
 * @param eventsByTable changes delivered to the raw topics (acknowledged by Kafka) per {@code schema.table}
 * @param deadLettered records sent to the dead-letter topic because they could not be converted
 * @param skipped records that are not row changes (heartbeats, tombstones, messages), not written anywhere
 * @param lastPosition source position (LSN) of the last delivered change, empty before the first
 * @param resnapshotted rows read again on request ({@link RowResnapshot}) and delivered; also counted in
 *     {@code eventsByTable}
 * @param echoSuppressed changes of transactions a Tandem sink wrote (marked in the origin table), not produced
 *     so that they are not synced back to where they came from
 */
public record CaptureStats(Map<String, Long> eventsByTable, long deadLettered, long skipped, OptionalLong lastPosition,
    long resnapshotted, long echoSuppressed) {

  public CaptureStats {
    eventsByTable = Collections.unmodifiableMap(new TreeMap<>(eventsByTable));
  }

  /** All changes delivered, over every table. */
  public long events() {
    return eventsByTable.values().stream().mapToLong(Long::longValue).sum();
  }
}
