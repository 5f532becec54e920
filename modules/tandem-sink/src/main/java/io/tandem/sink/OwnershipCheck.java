package io.tandem.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.model.RoutingKeys;
import io.tandem.kafka.ChangeHeaders;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a batch by who owns each key: changes from the owning side go on to be applied, the others are
 * conflicts. A conflict is recorded with both versions (the incoming change and the target's current row)
 * and the routing facts; it is never applied, never dropped without a record.
 */
final class OwnershipCheck {
  private static final Logger LOG = LoggerFactory.getLogger(OwnershipCheck.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long a batch waits for the routing view before a change is called a conflict. */
  private static final Duration CATCH_UP = Duration.ofSeconds(10);

  private final WriteOwnership ownership;
  private final String direction;
  private final Map<String, LongAdder> conflicts = new ConcurrentHashMap<>();

  /** @param direction {@code forward} (the sink reads legacy's changes) or {@code reverse} (new's) */
  OwnershipCheck(WriteOwnership ownership, String direction) {
    this.ownership = ownership;
    this.direction = direction;
  }

  /** A change the source side did not own, with the routing facts it was judged by. */
  record Conflict(Change change, String routingKey, WriteOwnership.Verdict verdict) {}

  record Split(List<Change> owned, List<Conflict> conflicts) {}

  /** The routing view could not catch up: transient, the batch is retried. */
  static final class ViewBehind extends RuntimeException {
    ViewBehind(String message) {
      super(message);
    }
  }

  Split split(List<Change> changes) {
    java.util.Set<Change> suspects = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (Change change : changes) {
      if (!ownership.check(change.entity().entity(), routingKey(change)).sourceOwns()) {
        suspects.add(change);
      }
    }
    if (suspects.isEmpty()) {
      return new Split(changes, List.of());
    }
    if (!ownership.catchUp(CATCH_UP)) {
      // Judging by a stale view could call a legitimate change a conflict: better to stop and retry.
      throw new ViewBehind("the routing log view did not catch up within " + CATCH_UP
          + "; cannot tell who owns " + suspects.size() + " key(s)");
    }
    List<Change> owned = new ArrayList<>(changes.size());
    List<Conflict> found = new ArrayList<>();
    for (Change change : changes) { // in batch order: the owned keep their partition order
      if (!suspects.contains(change)) {
        owned.add(change);
        continue;
      }
      String key = routingKey(change);
      WriteOwnership.Verdict verdict = ownership.check(change.entity().entity(), key);
      if (verdict.sourceOwns()) {
        owned.add(change);
      } else if (!"r".equals(ChangeHeaders.text(change.record().headers(), ChangeHeaders.OP))) {
        // A (re-)snapshot read is no one's write (the owner's side is the truth): dropped, not reported.
        found.add(new Conflict(change, key, verdict));
      }
    }
    return new Split(owned, found);
  }

  /** The records for {@code topic}, each carrying the target's current row, read on {@code connection}. */
  List<ProducerRecord<byte[], byte[]>> records(String topic, List<Conflict> found, Map<String, BoundTable> tables,
      Connection connection) throws SQLException {
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(found.size());
    for (Conflict conflict : found) {
      Change change = conflict.change();
      BoundTable table = tables.get(change.entity().entity());
      ObjectNode document = JSON.createObjectNode();
      document.put("entity", change.entity().entity());
      document.put("key", conflict.routingKey());
      document.put("direction", direction);
      document.put("writtenOn", direction.equals("forward") ? "legacy" : "new");
      document.put("owner", direction.equals("forward") ? "new" : "legacy");
      document.put("routingVersion", conflict.verdict().version());
      document.put("cohort", conflict.verdict().cohort());
      document.put("phase", conflict.verdict().phase());
      ObjectNode incoming = document.putObject("incoming");
      incoming.put("op", ChangeHeaders.text(change.record().headers(), ChangeHeaders.OP));
      incoming.put("position", change.position());
      incoming.put("commitTs", change.commitTs());
      incoming.put("topic", change.record().topic());
      incoming.put("partition", change.record().partition());
      incoming.put("offset", change.record().offset());
      if (change.isDelete()) {
        incoming.putNull("row");
      } else {
        ObjectNode row = incoming.putObject("row");
        List<AvroColumn> columns = change.entity().avroColumns();
        for (int i = 0; i < columns.size(); i++) {
          row.put(columns.get(i).name(), change.row()[i]);
        }
      }
      String current = currentRow(connection, table, change.key());
      if (current == null) {
        document.putNull("current");
      } else {
        try {
          document.set("current", JSON.readTree(current));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          document.put("current", current); // row_to_json always gives JSON; keep the text if it ever does not
        }
      }
      document.put("detectedAt", Instant.now().toString());
      byte[] key = (change.entity().entity() + "/" + conflict.routingKey()).getBytes(StandardCharsets.UTF_8);
      records.add(new ProducerRecord<>(topic, key, toBytes(document)));
      conflicts.computeIfAbsent(change.entity().entity(), e -> new LongAdder()).increment();
      LOG.warn("Conflict: {} {} written on {} while {} owns it (routing version {}, cohort {}); not applied",
          change.entity().entity(), conflict.routingKey(), direction.equals("forward") ? "legacy" : "new",
          direction.equals("forward") ? "new" : "legacy", conflict.verdict().version(), conflict.verdict().cohort());
    }
    return records;
  }

  long conflicts(String entity) {
    LongAdder count = conflicts.get(entity);
    return count == null ? 0 : count.sum();
  }

  static String routingKey(Change change) {
    String header = ChangeHeaders.text(change.record().headers(), ChangeHeaders.ROUTING_KEY);
    return header != null ? header : RoutingKeys.of(Arrays.asList(change.key()));
  }

  private static String currentRow(Connection connection, BoundTable table, String[] key) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(table.currentRowSql())) {
      for (int i = 0; i < key.length; i++) {
        query.setString(i + 1, key[i]);
      }
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  private static byte[] toBytes(ObjectNode document) {
    try {
      return JSON.writeValueAsBytes(document);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot encode a conflict record", e);
    }
  }
}
