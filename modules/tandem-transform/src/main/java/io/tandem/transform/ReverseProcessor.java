package io.tandem.transform;

import io.tandem.core.model.RoutingKeys;
import java.util.ArrayList;
import java.util.List;

import io.tandem.core.mapping.MappingException;
import io.tandem.core.model.ReverseEntity;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Maps raw changes of one new-database table back to legacy rows on {@code reverse.<entity>}, keyed by
 * the legacy primary key; a delete is a tombstone. A change that cannot be carried back (a value with no
 * legacy form, a row the forward filter would keep out of the new model) goes to the dead-letter child
 * with the reason.
 */
final class ReverseProcessor implements Processor<byte[], byte[], Object, Object> {
  static final String DLQ_CHILD = "to-dlq";
  private static final String STAGE = "reverse";

  private final ReverseEntity entity;
  private final Deserializer<Object> deserializer;
  private final TransformMetrics metrics;
  private ProcessorContext<Object, Object> context;

  ReverseProcessor(ReverseEntity entity, Deserializer<Object> deserializer, TransformMetrics metrics) {
    this.entity = entity;
    this.deserializer = deserializer;
    this.metrics = metrics;
  }

  static String childFor(ReverseEntity entity) {
    return "to-" + entity.topic();
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> input) {
    if (input.value() == null) {
      return;
    }
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
    RawChangeRecord change;
    try {
      change = RawChangeRecord.of((GenericRecord) deserializer.deserialize(topic, input.value()));
    } catch (RuntimeException e) {
      deadLetter(input, null, "cannot decode raw change of the new database: " + e.getMessage(), e);
      return;
    }
    try {
      if (change.op().equals("d")) {
        if (change.before() == null) {
          throw new IllegalArgumentException("delete without a before image (set REPLICA IDENTITY FULL on "
              + entity.newTable() + ")");
        }
        forward(input, change, entity.mapping().key(change.before()), null, "d");
        return;
      }
      if (change.after() == null) {
        throw new IllegalArgumentException("'" + change.op() + "' change without an after image");
      }
      Map<String, Object> legacyRow = entity.mapping().apply(change.after());
      Map<String, Object> legacyKey = entity.mapping().key(change.after());
      if (entity.mapping().protectFiltered()) {
        Optional<String> filtered = entity.mapping().filteredBy(legacyRow);
        if (filtered.isPresent()) {
          deadLetter(input, change.position(), "the legacy form of this row fails the mapping's filter ("
              + filtered.get() + "): written to legacy it would leave the new model", new IllegalArgumentException());
          return;
        }
      }
      if (change.op().equals("u") && change.before() != null) {
        Map<String, Object> oldKey = entity.mapping().key(change.before());
        if (!oldKey.equals(legacyKey)) {
          forward(input, change, oldKey, null, "d");
        }
      }
      forward(input, change, legacyKey, legacyRow, change.op());
    } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
      deadLetter(input, change.position(), "reverse mapping " + entity.mapping().forward().name() + " ← "
          + entity.name() + ": " + e.getMessage(), e);
    }
  }

  private void forward(Record<byte[], byte[]> input, RawChangeRecord change, Map<String, Object> key,
      Map<String, Object> row, String op) {
    Headers headers = new RecordHeaders();
    ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, change.position());
    ChangeHeaders.putLong(headers, ChangeHeaders.COMMIT_TS, change.commitTs() == null ? input.timestamp() : change.commitTs());
    ChangeHeaders.putText(headers, ChangeHeaders.OP, op);
    ChangeHeaders.putText(headers, ChangeHeaders.SOURCE, change.source() == null ? entity.newTable() : change.source());
    ChangeHeaders.putText(headers, ChangeHeaders.ROUTING_KEY, routingKey(op.equals("d") ? change.before() : change.after()));
    Object value = row == null ? null : entity.valueRecord(row);
    context.forward(new Record<Object, Object>(entity.keyRecord(key), value, input.timestamp(), headers),
        childFor(entity));
    metrics.countMigrated(entity.name());
  }

  // The entity key of the new row: what the router decides on, whatever legacy key the row is written under.
  private String routingKey(Map<String, Object> row) {
    List<String> values = new ArrayList<>();
    for (String field : entity.forward().mapping().keyFields()) {
      values.add(String.valueOf(row.get(field)));
    }
    return RoutingKeys.of(values);
  }

  private void deadLetter(Record<byte[], byte[]> input, Long position, String reason, Exception cause) {
    context.forward(DeadLetterRecords.of(context, STAGE, input, position, reason, cause), DLQ_CHILD);
    metrics.countDeadLetter();
  }
}
