package io.tandem.capture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.kafka.KafkaClients;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What capture does before Debezium starts an initial snapshot while the raw topics or the replication slot hold
 * an earlier one (a process killed during its snapshot, or offsets removed to snapshot again), so that the new
 * snapshot replaces the old one exactly (docs/capture.md, "A restart during the initial snapshot"):
 * <ol>
 *   <li>it writes a <em>sweep marker</em> (beside Debezium's offset) with the raw topics' end offsets: records
 *       below them are the old ones, which {@link SnapshotSweep} compares with the new snapshot;</li>
 *   <li>it drops the replication slot (once no process uses it) and removes Debezium's offset: Debezium then
 *       creates the slot again, with an exported snapshot, and its rows get a floor position (slot's new
 *       {@code restart_lsn} - 1) above every position produced before, so the sink takes them over the old
 *       snapshot's rows.</li>
 * </ol>
 * With the shipped {@code snapshot.mode=initial} only; other modes are left to Debezium. MariaDB has no slot: its
 * new snapshot outranks the old by its later binlog coordinates, and the sweep is the same.
 */
final class SnapshotRestart {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotRestart.class);
  static final String MARKER_ENGINE = "tandem-snapshot-sweep";
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration SLOT_RELEASE = Duration.ofSeconds(30);

  /** The raw topics' end offsets before a new snapshot: records below them are the old snapshot's and before. */
  record SweepMarker(Map<TopicPartition, Long> ends, Instant written) {
    SweepMarker {
      ends = Map.copyOf(ends);
    }

    JsonNode json() {
      ObjectNode node = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
      node.put("written", written.toString());
      ObjectNode topics = node.putObject("ends");
      ends.forEach((tp, end) -> {
        ObjectNode topic = topics.has(tp.topic()) ? (ObjectNode) topics.get(tp.topic()) : topics.putObject(tp.topic());
        topic.put(Integer.toString(tp.partition()), end);
      });
      return node;
    }

    static SweepMarker of(JsonNode node) {
      Map<TopicPartition, Long> ends = new LinkedHashMap<>();
      node.path("ends").properties().forEach(topic -> topic.getValue().properties().forEach(partition ->
          ends.put(new TopicPartition(topic.getKey(), Integer.parseInt(partition.getKey())),
              partition.getValue().asLong())));
      return new SweepMarker(ends, Instant.parse(node.path("written").asText("1970-01-01T00:00:00Z")));
    }
  }

  private final ConnectorConfig config;
  private final KafkaClients kafka;
  private final OffsetsTopic offsets;
  private final JsonNode debeziumKey;
  private final JsonNode markerKey;

  SnapshotRestart(ConnectorConfig config, KafkaClients kafka) {
    this.config = config;
    this.kafka = kafka;
    this.offsets = new OffsetsTopic(kafka, config.get("offset.storage.topic"));
    this.debeziumKey = OffsetsTopic.key(config.get("name"), config.topicPrefix());
    this.markerKey = OffsetsTopic.key(MARKER_ENGINE + ":" + config.get("name"), config.topicPrefix());
  }

  /** Whether this connector file's engine takes an initial snapshot when its offsets say none was completed. */
  static boolean applies(ConnectorConfig config) {
    String mode = config.get("snapshot.mode");
    return (mode == null || mode.equals("initial")) && config.get("offset.storage.topic") != null;
  }

  /**
   * Prepares the start: when Debezium is about to snapshot over an earlier snapshot, writes the sweep marker,
   * drops the slot and removes Debezium's offset. Returns the sweep to run once the snapshot is complete: this
   * one's, or one an earlier run did not finish.
   *
   * @throws IllegalStateException when the slot stays in use by another process, or Kafka cannot be read
   */
  Optional<SweepMarker> prepare() {
    Map<JsonNode, OffsetsTopic.Entry> stored = offsets.read(KAFKA_TIMEOUT);
    OffsetsTopic.Entry debezium = stored.get(debeziumKey);
    OffsetsTopic.Entry pending = stored.get(markerKey);
    Optional<SweepMarker> earlier = pending == null || pending.value() == null ? Optional.empty()
        : Optional.of(SweepMarker.of(pending.value()));
    boolean snapshotAhead = debezium == null || debezium.value() == null || snapshotRunning(debezium.value());
    if (!snapshotAhead) {
      earlier.ifPresent(m -> LOG.info("An earlier run left the sweep after its snapshot undone: sweeping once"
          + " Debezium is streaming"));
      return earlier;
    }
    Map<TopicPartition, Long> ends = rawTopicEnds();
    boolean oldRecords = ends.values().stream().anyMatch(end -> end > 0);
    boolean slot = config.kind() == SourceKind.POSTGRES && slotExists(); // MariaDB has no slot
    if (!oldRecords && !slot && earlier.isEmpty()) {
      return Optional.empty(); // a first start
    }
    SweepMarker marker = new SweepMarker(ends, Instant.now());
    if (oldRecords || earlier.isPresent()) {
      offsets.write(markerKey, marker.json(), KAFKA_TIMEOUT);
    }
    if (slot) {
      dropSlot();
    }
    if (debezium != null && debezium.value() != null) {
      offsets.remove(debezium, KAFKA_TIMEOUT);
    }
    LOG.warn("The initial snapshot of {} starts again over an earlier one ({} records in the raw topics, {}):"
            + " the new snapshot outranks the old rows and keys it no longer sees are deleted once it completes",
        config.topicPrefix(), ends.values().stream().mapToLong(Long::longValue).sum(),
        config.kind() != SourceKind.POSTGRES ? "binlog, no slot"
            : "slot " + config.slotName() + (slot ? " dropped and created again" : " absent"));
    return oldRecords || earlier.isPresent() ? Optional.of(marker) : Optional.empty();
  }

  /** Whether Debezium's offset is one written during an initial snapshot that did not complete. */
  static boolean snapshotRunning(JsonNode offset) {
    JsonNode snapshot = offset.get("snapshot");
    boolean inSnapshot = snapshot != null && !snapshot.isNull()
        && !(snapshot.isBoolean() && !snapshot.asBoolean()) && !"false".equalsIgnoreCase(snapshot.asText());
    return inSnapshot && !offset.path("snapshot_completed").asBoolean(false);
  }

  /** The sweep marker, if one is pending. */
  Optional<SweepMarker> pendingMarker() {
    return offsets.value(markerKey, KAFKA_TIMEOUT).map(SweepMarker::of);
  }

  /** Whether Debezium's committed offset shows the initial snapshot complete (streaming has its offsets). */
  boolean snapshotComplete() {
    return offsets.value(debeziumKey, KAFKA_TIMEOUT).map(offset -> !snapshotRunning(offset)).orElse(false);
  }

  /** Removes the sweep marker: the sweep is done. */
  void sweepDone() {
    offsets.write(markerKey, null, KAFKA_TIMEOUT);
  }

  /** The end offsets of every raw topic of this connector file (named {@code <topic.prefix>.<schema>.<table>}). */
  private Map<TopicPartition, Long> rawTopicEnds() {
    String prefix = config.topicPrefix() + ".";
    // Tandem's own tables (signals, write origin, fence markers) carry no rows of the migration: not swept.
    java.util.Set<String> own = new java.util.HashSet<>();
    config.signalTable().ifPresent(t -> own.add(prefix + t));
    config.originTable().ifPresent(t -> own.add(prefix + t));
    config.fenceTable().ifPresent(t -> own.add(prefix + t));
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(Map.of(),
        Map.of("group.id", "tandem-snapshot-restart", "enable.auto.commit", false))) {
      Map<String, List<PartitionInfo>> existing = consumer.listTopics(KAFKA_TIMEOUT);
      List<TopicPartition> partitions = existing.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && !own.contains(e.getKey()))
          .flatMap(e -> e.getValue().stream().map(p -> new TopicPartition(e.getKey(), p.partition()))).toList();
      return partitions.isEmpty() ? Map.of() : new LinkedHashMap<>(consumer.endOffsets(partitions, KAFKA_TIMEOUT));
    }
  }

  private boolean slotExists() {
    try (Connection connection = connect();
        PreparedStatement statement = connection.prepareStatement(
            "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
      statement.setString(1, config.slotName());
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read replication slot " + config.slotName() + " before the snapshot: "
          + e.getMessage(), e);
    }
  }

  /** Drops the slot once no process streams from it (a killed process's walsender lets go within seconds). */
  private void dropSlot() {
    long deadline = System.nanoTime() + SLOT_RELEASE.toNanos();
    try (Connection connection = connect()) {
      while (true) {
        Integer activePid = null;
        try (PreparedStatement statement = connection.prepareStatement("SELECT active, active_pid FROM"
            + " pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
          statement.setString(1, config.slotName());
          try (ResultSet rows = statement.executeQuery()) {
            if (!rows.next()) {
              return; // gone meanwhile
            }
            if (rows.getBoolean(1)) {
              activePid = rows.getInt(2);
            }
          }
        }
        if (activePid == null) {
          try (PreparedStatement drop = connection.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
            drop.setString(1, config.slotName());
            drop.execute();
          }
          LOG.info("Dropped replication slot {}: the snapshot starts again on a new one", config.slotName());
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("replication slot " + config.slotName() + " is still in use by process "
              + activePid + " after " + SLOT_RELEASE.toSeconds() + " s: another capture of this connector file is"
              + " running; stop it before starting this one");
        }
        Thread.sleep(500);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop replication slot " + config.slotName() + " before the snapshot"
          + " starts again: " + e.getMessage() + " (the capture user needs the REPLICATION attribute)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for slot " + config.slotName(), e);
    }
  }

  private Connection connect() throws SQLException {
    return config.connect("tandem-capture-snapshot-restart");
  }
}
