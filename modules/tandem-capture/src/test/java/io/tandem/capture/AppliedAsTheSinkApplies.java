package io.tandem.capture;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A raw topic of a table keyed by {@code id}, applied as the sink applies it: an upsert needs a position above
 * the row's and its tombstone's, a delete removes an older row and leaves a tombstone.
 */
final class AppliedAsTheSinkApplies {
  private AppliedAsTheSinkApplies() {}

  /** @param row what a test compares of a row ({@code after}) */
  static Map<Long, String> rows(List<ConsumerRecord<Object, Object>> records, Function<GenericRecord, String> row) {
    Map<Long, Long> at = new HashMap<>();
    Map<Long, String> rows = new HashMap<>();
    Map<Long, Long> tombstones = new HashMap<>();
    for (ConsumerRecord<Object, Object> record : records) {
      GenericRecord change = (GenericRecord) record.value();
      long id = (Long) ((GenericRecord) record.key()).get("id");
      long position = (Long) change.get("position");
      if ("d".equals(change.get("op").toString())) {
        if (at.getOrDefault(id, Long.MAX_VALUE) < position) {
          at.remove(id);
          rows.remove(id);
        }
        tombstones.merge(id, position, Math::max);
      } else if (at.getOrDefault(id, Long.MIN_VALUE) < position
          && tombstones.getOrDefault(id, Long.MIN_VALUE) < position) {
        at.put(id, position);
        rows.put(id, row.apply((GenericRecord) change.get("after")));
      }
    }
    return rows;
  }
}
