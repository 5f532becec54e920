package io.tandem.transform;

import io.tandem.core.mapping.MappingException;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import java.util.List;
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
 * Decodes raw change records of one legacy table and forwards, per mapping, the migrated records
 * (to the child named after the entity) or, when anything fails, the untouched input with the
 * reason (to the dead-letter child). Nothing is dropped silently.
 */
final class TransformProcessor implements Processor<byte[], byte[], Object, Object> {

  private final List<EntityRoute> routes;
  private final Deserializer<Object> deserializer;
  private final TransformMetrics metrics;
  private ProcessorContext<Object, Object> context;

  /** Columns some mapping of this table reads or drops; any other column is reported as unmapped. */
  private final java.util.Set<String> knownColumns = new java.util.HashSet<>();
  private final String table;

  TransformProcessor(List<EntityRoute> routes, Deserializer<Object> deserializer, TransformMetrics metrics) {
    this.routes = routes;
    this.deserializer = deserializer;
    this.metrics = metrics;
    for (EntityRoute route : routes) {
      knownColumns.addAll(route.mapping().columnsRead());
      knownColumns.addAll(route.mapping().dropped());
    }
    this.table = routes.isEmpty() ? "?" : routes.get(0).mapping().sourceTable();
  }

  static String childFor(EntityRoute route) {
    return "to-" + route.schema().topic();
  }

  static final String DLQ_CHILD = "to-dlq";
  private static final String STAGE = "transform";

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> input) {
    String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("?");
    if (input.value() == null) {
      return; // raw topics carry no tombstones; a foreign one means nothing to migrate
    }
    GenericRecord change;
    try {
      change = (GenericRecord) deserializer.deserialize(topic, input.value());
    } catch (RuntimeException e) {
      deadLetter(input, null, "cannot decode raw change: " + e.getMessage(), e);
      return;
    }
    RawChangeRecord raw;
    try {
      raw = RawChangeRecord.of(change);
    } catch (RuntimeException e) {
      deadLetter(input, RawChangeRecord.positionOf(change), "malformed raw change: " + e.getMessage(), e);
      return;
    }
    String op = raw.op();
    Long position = raw.position();
    Long commitTs = raw.commitTs();
    String source = raw.source();
    Map<String, Object> before = raw.before();
    Map<String, Object> after = raw.after();
    Optional<String> unavailable = unavailableColumn(after);
    if (unavailable.isPresent()) {
      deadLetter(input, position, "column '" + unavailable.get() + "' was not sent by PostgreSQL (unchanged TOASTed"
          + " value, Debezium placeholder " + UNAVAILABLE + "); set REPLICA IDENTITY FULL on the legacy table",
          new IllegalArgumentException(UNAVAILABLE));
      return;
    }
    reportUnmapped(after != null ? after : before);
    for (EntityRoute route : routes) {
      List<EntityRoute.Output> outputs;
      try {
        outputs = route.map(op, before, after);
      } catch (MappingException | IllegalArgumentException | ArithmeticException | ClassCastException e) {
        deadLetter(input, position, "mapping " + route.mapping().name() + " → " + route.schema().entity() + ": "
            + e.getMessage(), e);
        continue;
      }
      for (EntityRoute.Output output : outputs) {
        Headers headers = new RecordHeaders();
        ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, position);
        ChangeHeaders.putLong(headers, ChangeHeaders.COMMIT_TS, commitTs == null ? input.timestamp() : commitTs);
        ChangeHeaders.putText(headers, ChangeHeaders.OP, output.op());
        ChangeHeaders.putText(headers, ChangeHeaders.SOURCE, source == null ? topic : source);
        context.forward(new Record<Object, Object>(output.key(), output.value(), input.timestamp(), headers),
            childFor(route));
        metrics.countMigrated(route.schema().entity());
      }
    }
  }

  /**
   * A legacy column no mapping reads or drops (added by an ALTER TABLE since, say) is not migrated: it is
   * reported (a warning once, {@code tandem_transform_unmapped_columns}) instead of being lost silently.
   */
  private void reportUnmapped(Map<String, Object> row) {
    if (row == null || knownColumns.containsAll(row.keySet())) {
      return;
    }
    for (String column : row.keySet()) {
      if (!knownColumns.contains(column)) {
        metrics.unmappedColumn(table, column);
      }
    }
  }

  private void deadLetter(Record<byte[], byte[]> input, Long position, String reason, Exception cause) {
    context.forward(DeadLetterRecords.of(context, STAGE, input, position, reason, cause), DLQ_CHILD);
    metrics.countDeadLetter();
  }

  /**
   * PostgreSQL does not send unchanged TOASTed values of an update unless the table has REPLICA
   * IDENTITY FULL; Debezium then puts a placeholder text in the column. Migrating it would write
   * the placeholder over real data, so the change is dead-lettered instead.
   */
  private static Optional<String> unavailableColumn(Map<String, Object> row) {
    if (row == null) {
      return Optional.empty();
    }
    return row.entrySet().stream().filter(column -> UNAVAILABLE.equals(column.getValue())).map(Map.Entry::getKey).findFirst();
  }

  static final String UNAVAILABLE = "__debezium_unavailable_value";
}
