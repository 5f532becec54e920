package io.tandem.runtime;

import io.tandem.core.sql.DatabaseKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Command;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingState;
import io.tandem.routing.WriteGuard;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives write switches to completion (docs/coexistence.md, "Write cutover"). When the routing log begins a
 * switch, the moved keys' writes are already refused by every {@link WriteGuard} and the router; the
 * coordinator then, for each database:
 * <ol>
 *   <li>writes the fence marker: under the entity's fence lock (taken exclusively, so guarded writes in
 *       flight finish first), the fence row gets the switch id and the switch's routing-log offset;</li>
 *   <li>waits until capture has produced that row change: everything committed before it is then in Kafka;</li>
 *   <li>waits until the transform and then the sink have committed past everything that was in their input
 *       topics at that moment: the other side holds every write made before the fence.</li>
 * </ol>
 * Then it proposes the switch's completion, and once applied raises the fence rows to the completion's
 * offset, so that a writer with a stale routing view catches up before it writes. A switch that cannot drain
 * within the timeout is aborted (nothing moves, the fence lifts). The fence window (begin → completion
 * applied) is a timer, {@code tandem.switch.window}.
 */
final class SwitchCoordinator extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(SwitchCoordinator.class);

  /** One direction of sync: a database, the fence marker's raw topic, the stages that carry its changes. */
  record Side(io.tandem.routing.Target target, String name, String jdbcUrl, String user, String password, String fenceTopic, List<String> rawTopics,
      String transformGroup, List<String> outputTopics, String sinkGroup) {}

  private final KafkaClients kafka;
  private final String routingTopic;
  private final SchemaRegistryClient registry;
  private final List<Side> sides;
  private final Duration timeout;
  private final AtomicReference<RoutingLog> log = new AtomicReference<>();
  private final java.util.function.Supplier<RoutingLog> logSource;
  private final LinkedBlockingQueue<Long> wakeups = new LinkedBlockingQueue<>();
  private final java.util.concurrent.ExecutorService drainers = java.util.concurrent.Executors.newFixedThreadPool(2,
      runnable -> {
        Thread thread = new Thread(runnable, "tandem-switch-drain");
        thread.setDaemon(true);
        return thread;
      });
  private final List<Duration> windows = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Timer windowTimer;
  private volatile Thread worker;
  private volatile String lastOutcome = "no switch yet";

  SwitchCoordinator(KafkaClients kafka, java.util.function.Supplier<RoutingLog> logSource, String routingTopic,
      SchemaRegistryClient registry, List<Side> sides, Duration timeout) {
    super("switch-coordinator");
    this.kafka = kafka;
    this.logSource = logSource;
    this.routingTopic = routingTopic;
    this.registry = registry;
    this.sides = List.copyOf(sides);
    this.timeout = timeout;
    this.markerValues = new AvroDeserializer(AvroSerdeConfig.withClient(registry));
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    windowTimer = Timer.builder("tandem.switch.window").description("Write switch: begin → completion applied")
        .publishPercentiles(0.5, 0.99).register(meters);
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    RoutingLog routing = logSource.get();
    log.set(routing);
    routing.onApplied(this::applied);
    Thread thread = new Thread(this::run, "tandem-switch-coordinator");
    thread.setDaemon(true);
    worker = thread;
    lifecycle.markRunning();
    thread.start();
    wakeups.add(-1L); // a switch begun before this process started is resumed
  }

  private void applied(AuditEntry entry) {
    if (entry.applied() && entry.proposal() != null && entry.proposal().command() instanceof Command.BeginSwitch) {
      wakeups.add(entry.offset());
    }
  }

  private void run() {
    try {
      warmUp();
      while (!lifecycle.isStopRequested()) {
        Long wake = wakeups.poll(500, TimeUnit.MILLISECONDS);
        if (wake == null) {
          continue;
        }
        Optional<RoutingState.PendingSwitch> pending = log.get().state().pendingSwitch();
        if (pending.isPresent()) {
          drive(pending.get());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("Switch coordinator failed", e);
      lifecycle.finish(e);
      return;
    }
    lifecycle.finish(null);
  }

  private void drive(RoutingState.PendingSwitch pending) throws InterruptedException {
    String id = pending.id();
    long beginOffset = pending.beginOffset();
    long started = System.nanoTime();
    Instant began = Instant.now();
    LOG.info("Write switch {} (entities {}): fencing, marker at routing offset {}", id, pending.entities(), beginOffset);
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      // Only the sides giving writes up have writes to carry across; they drain in parallel.
      List<java.util.concurrent.Future<String>> drains = new ArrayList<>();
      for (Side side : sides) {
        if (pending.losing().contains(side.target())) {
          drains.add(drainers.submit(() -> drain(side, id, pending.entities(), beginOffset, deadline)));
        }
      }
      List<String> timings = new ArrayList<>();
      for (java.util.concurrent.Future<String> drained : drains) {
        timings.add(drained.get());
      }
      LOG.info("Write switch {} drained: {}", id, timings);
      Optional<AuditEntry> done = propose(new Command.CompleteSwitch(id));
      if (done.isEmpty()) {
        lastOutcome = "switch " + id + ": completion refused (aborted meanwhile?)";
        return;
      }
      for (Side side : sides) {
        mark(side, pending.entities(), id, done.get().offset(), true);
      }
      Duration window = Duration.ofNanos(System.nanoTime() - started);
      windows.add(window);
      Timer timer = windowTimer;
      if (timer != null) {
        timer.record(window);
      }
      lastOutcome = "switch " + id + " completed, fence window " + window.toMillis() + " ms (began " + began + ")";
      LOG.info("Write switch {} completed: fence window {} ms", id, window.toMillis());
    } catch (java.util.concurrent.ExecutionException | SQLException e) {
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      LOG.warn("Write switch {} could not drain ({}); aborting it: nothing moves", id, cause.getMessage());
      Optional<AuditEntry> aborted = propose(new Command.AbortSwitch(id));
      lastOutcome = "switch " + id + " aborted: " + cause.getMessage();
      if (aborted.isPresent()) {
        for (Side side : sides) {
          try {
            mark(side, pending.entities(), id, aborted.get().offset(), true);
          } catch (SQLException ignored) {
            LOG.warn("Cannot lift the fence row in {} after the abort: {}", side.name(), ignored.getMessage());
          }
        }
      }
    }
  }

  /** Fences one side and waits until its writes before the fence reached the other; returns the timings. */
  private String drain(Side side, String id, Set<String> entities, long beginOffset, long deadline)
      throws SQLException, InterruptedException, java.util.concurrent.TimeoutException,
      java.util.concurrent.ExecutionException {
    long start = System.nanoTime();
    SideClients clients = clients(side);
    TopicPartition fencePartition = new TopicPartition(side.fenceTopic(), 0);
    // Ready to read before the marker is written: the wait then measures capture, not a consumer starting.
    clients.markers.seekToEnd(List.of(fencePartition));
    clients.markers.position(fencePartition);
    mark(side, entities, id, beginOffset, false);
    long marked = System.nanoTime();
    awaitMarker(clients.markers, side, id, deadline);
    long seen = System.nanoTime();
    Map<TopicPartition, Long> raw = endOffsets(clients.admin, side.rawTopics());
    awaitCommitted(clients.admin, side.transformGroup(), raw, deadline);
    long transformed = System.nanoTime();
    Map<TopicPartition, Long> out = endOffsets(clients.admin, side.outputTopics());
    awaitCommitted(clients.admin, side.sinkGroup(), out, deadline);
    long applied = System.nanoTime();
    return side.name() + ": marker written " + ms(marked - start) + " ms, captured +" + ms(seen - marked)
        + " ms, transformed +" + ms(transformed - seen) + " ms, applied +" + ms(applied - transformed) + " ms";
  }

  /** One side's Kafka clients, kept open between switches: starting them cost ~1 s of the first window. */
  private static final class SideClients implements AutoCloseable {
    final Admin admin;
    final KafkaConsumer<byte[], byte[]> markers;

    SideClients(Admin admin, KafkaConsumer<byte[], byte[]> markers) {
      this.admin = admin;
      this.markers = markers;
    }

    @Override
    public void close() {
      markers.close(Duration.ofSeconds(5));
      admin.close(Duration.ofSeconds(5));
    }
  }

  private final Map<String, SideClients> clients = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile AvroDeserializer markerValues;

  private SideClients clients(Side side) {
    return clients.computeIfAbsent(side.name(), name -> {
      TopicPartition fencePartition = new TopicPartition(side.fenceTopic(), 0);
      KafkaConsumer<byte[], byte[]> markers = new KafkaConsumer<>(kafka.config(Map.of("fetch.max.wait.ms", 20),
          Map.of("enable.auto.commit", false)), new ByteArrayDeserializer(), new ByteArrayDeserializer());
      markers.assign(List.of(fencePartition));
      markers.seekToEnd(List.of(fencePartition));
      markers.position(fencePartition); // fetches metadata and the end now, not during the first switch
      return new SideClients(kafka.admin("tandem-switch-" + name), markers);
    });
  }

  /** Opens both sides' clients and looks up the fence topics' schemas before any switch needs them. */
  private void warmUp() {
    for (Side side : sides) {
      try {
        SideClients opened = clients(side);
        endOffsets(opened.admin, List.of(side.fenceTopic()));
        registry.latest(side.fenceTopic() + "-value");
      } catch (RuntimeException | InterruptedException | java.util.concurrent.ExecutionException
          | java.util.concurrent.TimeoutException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        // Nothing captured on the fence table yet (no schema): the first switch fetches it.
        LOG.debug("Warming up the switch clients of {}: {}", side.name(), e.getMessage());
      }
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** The fence row of each entity, under the exclusive fence lock; the commit is the marker. */
  private void mark(Side side, Set<String> entities, String id, long routingOffset, boolean writable)
      throws SQLException {
    try (Connection connection = DriverManager.getConnection(side.jdbcUrl(), side.user(), side.password())) {
      connection.setAutoCommit(false);
      boolean mariaDb = DatabaseKind.ofUrl(side.jdbcUrl()) == DatabaseKind.MARIADB;
      for (String entity : new java.util.TreeSet<>(entities)) { // one lock order: no deadlock between switches
        if (!mariaDb) {
          try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, WriteGuard.lockName(entity));
            lock.execute();
          }
        }
        // MariaDB: the upsert's exclusive row lock is the fence lock (guarded writes read the row LOCK IN SHARE MODE).
        try (PreparedStatement fence = connection.prepareStatement(mariaDb
            ? "INSERT INTO tandem_write_fence (entity, cohort, writable, switch_id, routing_offset, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, current_timestamp(6)) ON DUPLICATE KEY UPDATE writable = VALUES(writable),"
                + " switch_id = VALUES(switch_id), routing_offset = GREATEST(routing_offset, VALUES(routing_offset)),"
                + " updated_at = current_timestamp(6)"
            : "INSERT INTO tandem_write_fence AS f (entity, cohort, writable, switch_id, routing_offset, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, now()) ON CONFLICT (entity, cohort) DO UPDATE SET writable = EXCLUDED.writable,"
                + " switch_id = EXCLUDED.switch_id, routing_offset = greatest(f.routing_offset, EXCLUDED.routing_offset),"
                + " updated_at = now()")) {
          fence.setString(1, entity);
          fence.setString(2, WriteGuard.ENTITY_ROW);
          fence.setBoolean(3, writable);
          fence.setString(4, id);
          fence.setLong(5, routingOffset);
          fence.executeUpdate();
        }
      }
      connection.commit();
    }
  }

  private void awaitMarker(KafkaConsumer<byte[], byte[]> consumer, Side side, String id, long deadline)
      throws java.util.concurrent.TimeoutException {
    AvroDeserializer values = markerValues;
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
        if (record.value() != null && isMarker(values.deserialize(record.topic(), record.value()), id)) {
          return;
        }
      }
    }
    throw new java.util.concurrent.TimeoutException("no fence marker of switch " + id + " on " + side.fenceTopic());
  }

  private static boolean isMarker(Object value, String id) {
    if (!(value instanceof GenericRecord change) || !(change.get("after") instanceof GenericRecord after)) {
      return false;
    }
    Object switchId = after.get("switch_id");
    Object writable = after.get("writable");
    // MariaDB's boolean is TINYINT(1), which lands as the number 0 or 1 (docs/data-model.md).
    boolean fenced = Boolean.FALSE.equals(writable) || writable instanceof Number n && n.intValue() == 0;
    return switchId != null && id.equals(switchId.toString()) && fenced;
  }

  private void awaitCommitted(Admin admin, String group, Map<TopicPartition, Long> ends, long deadline)
      throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    while (true) {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      boolean drained = true;
      for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
        OffsetAndMetadata offset = committed.get(end.getKey());
        if ((offset == null ? 0 : offset.offset()) < end.getValue()) {
          drained = false;
          break;
        }
      }
      if (drained) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new java.util.concurrent.TimeoutException("group " + group + " did not reach " + ends);
      }
      Thread.sleep(20);
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, List<String> topics)
      throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    var descriptions = admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS);
    descriptions.forEach((topic, description) -> description.partitions()
        .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** Proposes {@code command} at the current version until it is applied or refused for another reason. */
  private Optional<AuditEntry> propose(Command command) throws InterruptedException {
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer(Map.of(), Map.of("acks", "all"))) {
      for (int attempt = 0; attempt < 20; attempt++) {
        RoutingLog routing = log.get();
        long version = routing.state().version();
        Proposal proposal = new Proposal(UUID.randomUUID().toString(), version, "switch-coordinator",
            "fenced write switch: the old side's writes before the marker have reached the other side",
            Instant.now(), false, command);
        long offset;
        try {
          offset = producer.send(new ProducerRecord<>(routingTopic, 0, null, ProposalCodec.encode(proposal))).get(30,
              TimeUnit.SECONDS).offset();
          AuditEntry entry = routing.applied(offset).get(30, TimeUnit.SECONDS);
          if (entry.applied()) {
            return Optional.of(entry);
          }
          if (entry.rejection() != io.tandem.routing.Rejection.VERSION_CONFLICT) {
            LOG.warn("{} refused: {} {}", command.type(), entry.rejection(), entry.message());
            return Optional.empty();
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
          LOG.warn("Cannot propose {} ({}); retrying", command.type(), e.getMessage());
          Thread.sleep(200);
        }
      }
    }
    throw new IllegalStateException("could not propose " + command.type() + " after 20 attempts");
  }

  /** The fence windows of the switches completed since start, oldest first. */
  List<Duration> windows() {
    return new ArrayList<>(windows);
  }

  @Override
  public String status() {
    return state() + "  " + lastOutcome;
  }

  @Override
  public void close() {
    lifecycle.requestStop();
    drainers.shutdownNow();
    Thread current = worker;
    if (current != null) {
      current.interrupt();
      try {
        current.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SideClients opened : clients.values()) {
      try {
        opened.close();
      } catch (RuntimeException e) {
        LOG.debug("Closing the switch clients: {}", e.getMessage()); // a drain cut short by the stop may hold them
      }
    }
    clients.clear();
    lifecycle.finish(null);
  }
}
