package io.tandem.sink;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.Secrets;
import io.tandem.core.flow.RateBudget;
import io.tandem.core.retry.RetryPolicy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.kafka.DeadLetter;
import io.tandem.kafka.KafkaClients;
import io.tandem.registry.client.SchemaRegistryClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@code migrated.<entity>} topics into the new database.
 *
 * <p>Each poll is one unit: decode every record, keep the newest change per key, apply the batch in
 * one database transaction, send rejects to the dead-letter topic, and only then commit the
 * offsets. A crash anywhere re-delivers the uncommitted records, and re-applying them changes
 * nothing, because a change is written only if its source position is newer than the one stored
 * with the row (or with the key's tombstone). See docs/sink.md.
 *
 * <pre>{@code
 * try (JdbcSink sink = JdbcSink.builder()
 *     .kafka(KafkaClients.of("localhost:9092"))
 *     .registry(SchemaRegistryClient.builder(URI.create("http://localhost:8081")).build())
 *     .jdbc("jdbc:postgresql://localhost/app", "tandem", secret)
 *     .entity(EntityTable.builder("customer", customerSchema).keyColumns("id").build())
 *     .build()) {
 *   sink.start();   // runs on its own thread until close()
 *   ...
 * }
 * }</pre>
 */
public final class JdbcSink extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcSink.class);
  private static final String STAGE = "sink";
  /** The sink of reverse sync, writing legacy tables: its own component name, meters and dead-letter stage. */
  private static final String LEGACY_STAGE = "sink-legacy";

  /** Where the sink sends the records the new database refuses. */
  public static final String DEAD_LETTER_TOPIC = io.tandem.kafka.DeadLetter.topic("sink");
  /** Where the sink writing legacy (reverse sync) sends what legacy refuses. */
  public static final String LEGACY_DEAD_LETTER_TOPIC = io.tandem.kafka.DeadLetter.topic("sink-legacy");
  /** Changes written on the side that did not own their key (docs/coexistence.md, "Conflicts"). */
  public static final String CONFLICT_TOPIC = io.tandem.kafka.DeadLetter.CONFLICT_TOPIC;

  private final Builder settings;
  private final Map<String, EntityTable> entitiesByTopic;
  private final TableWriter writer;
  private final StatsRecorder stats = new StatsRecorder();
  private final OwnershipCheck ownership;
  private final RateBudget writeBudget;
  private final List<Consumer<Duration>> lagListeners = new CopyOnWriteArrayList<>();

  // Set on the sink thread, read by close() from others.
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile Thread runner;
  /** Set while the sink retries a batch (the database or the registry unavailable): since when, and why. */
  private volatile Retrying retrying;

  private record Retrying(Instant since, String reason) {}

  // Owned by the sink thread.
  private HikariDataSource ownedDataSource;
  private DataSource dataSource;
  private KafkaProducer<byte[], byte[]> producer;
  private final Map<String, ChangeDecoder> decoders = new HashMap<>();
  private final Map<String, BoundTable> tables = new HashMap<>();
  private SinkDialect dialect = SinkDialect.POSTGRES;

  private JdbcSink(Builder settings, TableWriter writer) {
    super(writesLegacy(settings) ? LEGACY_STAGE : STAGE);
    this.settings = settings;
    this.writer = writer;
    this.writeBudget = new RateBudget(settings.settings.maxRowsPerSecond());
    Map<String, EntityTable> byTopic = new LinkedHashMap<>();
    settings.entities.forEach(entity -> byTopic.put(entity.topic(), entity));
    this.entitiesByTopic = byTopic;
    lagListeners.add(settings.lagListener);
    this.ownership = settings.ownership == null ? null
        : new OwnershipCheck(settings.ownership, name().equals(LEGACY_STAGE) ? "reverse" : "forward");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The sink's settings as built. */
  public SinkSettings settings() {
    return settings.settings;
  }

  @Override
  public String status() {
    Retrying current = retrying;
    return state() + "  group " + settings.settings.groupId() + ": " + List.copyOf(entitiesByTopic.keySet()) + " → "
        + (settings.jdbcUrl == null ? "(a data source)" : Secrets.maskUrl(settings.jdbcUrl))
        + (current == null ? "" : "; retrying since " + current.since() + " (" + stats.snapshot().retries()
            + " retries so far): " + current.reason());
  }

  /** Whether the sink is retrying a batch now (the database or the schema registry unavailable). */
  public boolean retrying() {
    return retrying != null;
  }

  /**
   * Counters per entity and result, dead letters, and the commit-to-visible lag (legacy commit → new-DB
   * commit) as a histogram: p50/p99 over any window in Prometheus.
   */
  @Override
  public void bindTo(MeterRegistry meters) {
    boolean reverse = name().equals(LEGACY_STAGE);
    for (EntityTable table : entitiesByTopic.values()) {
      String entity = table.entity();
      for (String result : List.of("upserted", "deleted", "stale", "superseded", "rejected")) {
        FunctionCounter.builder(reverse ? "tandem.reverse.sink.rows" : "tandem.sink.rows", this,
                s -> s.stats().entity(entity).count(result))
            .tags(Tags.of("entity", entity, "result", result))
            .description(reverse ? "New-side changes handled by the sink writing legacy" : "Changes handled by the sink")
            .register(meters);
      }
    }
    if (ownership != null) {
      for (EntityTable table : entitiesByTopic.values()) {
        String entity = table.entity();
        FunctionCounter.builder("tandem.conflicts", this, s -> s.conflicts(entity))
            .tags("entity", entity, "direction", reverse ? "reverse" : "forward")
            .description("Changes written on the side that did not own the key: recorded, not applied")
            .register(meters);
      }
    }
    FunctionCounter.builder("tandem.sink.throttle.seconds", writeBudget, RateBudget::waitedSeconds)
        .tags("stage", name()).description("Time the sink waited for its write budget (sink.maxRowsPerSecond)")
        .register(meters);
    io.micrometer.core.instrument.Gauge.builder("tandem.sink.write.budget.rows.per.second", writeBudget,
            RateBudget::rowsPerSecond).tags("stage", name())
        .description("The sink's write budget on its database; 0 = unlimited").register(meters);
    FunctionCounter.builder("tandem.dlq.records", this, s -> s.stats().dlqCount()).tags("stage", name())
        .description("Records sent to a dead-letter topic").register(meters);
    FunctionCounter.builder("tandem.sink.retries", this, s -> s.stats().retries()).tags("stage", name())
        .description("Batch attempts repeated because the database or the schema registry was unavailable")
        .register(meters);
    io.micrometer.core.instrument.Gauge.builder("tandem.sink.retrying", this, s -> s.retrying() ? 1 : 0)
        .tags("stage", name())
        .description("1 while the sink retries a batch (database or schema registry unavailable), else 0")
        .register(meters);
    Timer lag = Timer.builder(reverse ? "tandem.reverse.commit.visible.lag" : "tandem.commit.visible.lag")
        .description(reverse ? "New commit → legacy commit of applied changes"
            : "Legacy commit → new-DB commit of applied changes")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(10))
        .register(meters);
    lagListeners.add(lag::record);
  }

  /** A consistent snapshot of the counters; callable from any thread. */
  public SinkStats stats() {
    return stats.snapshot();
  }

  /**
   * Runs the sink on its own thread until {@link #close()} or a failure it cannot get past (database
   * unreachable for longer than the retry policy allows, a table that does not fit, a dead-letter topic
   * that cannot be written): then {@link State#FAILED} with {@link #failure()}. A sink runs once.
   */
  @Override
  public void start() {
    lifecycle.beginStart();
    if (settings.migrations != null || settings.migrateLegacy) {
      try {
        migrate();
      } catch (RuntimeException e) {
        lifecycle.finish(e);
        throw e;
      }
    }
    Thread thread = new Thread(this::run, "tandem-sink");
    thread.setDaemon(true);
    runner = thread;
    thread.start();
  }

  /** The new database's Flyway migrations, before anything is written (docs/sink.md). */
  private void migrate() {
    DataSource target = settings.dataSource;
    if (target == null && SinkDialect.ofUrl(settings.jdbcUrl) == SinkDialect.MARIADB) {
      try {
        org.mariadb.jdbc.MariaDbDataSource mariaDb = new org.mariadb.jdbc.MariaDbDataSource(settings.jdbcUrl);
        mariaDb.setUser(settings.jdbcUser);
        mariaDb.setPassword(settings.jdbcPassword);
        target = mariaDb;
      } catch (SQLException e) {
        throw new IllegalStateException("bad MariaDB URL " + Secrets.maskUrl(settings.jdbcUrl) + ": " + e.getMessage(),
            e);
      }
    } else if (target == null) {
      PGSimpleDataSource simple = new PGSimpleDataSource();
      simple.setURL(settings.jdbcUrl);
      simple.setUser(settings.jdbcUser);
      simple.setPassword(settings.jdbcPassword);
      target = simple;
    }
    try {
      if (settings.migrateLegacy) {
        SinkSchema.migrateLegacy(target);
      } else {
        SinkSchema.migrate(target, settings.migrations);
      }
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot migrate the " + (settings.migrateLegacy ? "legacy" : "new")
          + " database " + (settings.jdbcUrl == null ? "" : Secrets.maskUrl(settings.jdbcUrl)) + ": " + e.getMessage(), e);
    }
  }

  private void run() {
    Throwable failure = null;
    try {
      open();
      if (lifecycle.markRunning()) {
        LOG.info("Tandem sink running: group {}, {}", settings.settings.groupId(), entitiesByTopic.values());
        while (lifecycle.state() == State.RUNNING) {
          pollOnce();
        }
      }
    } catch (WakeupException e) {
      if (!lifecycle.isStopRequested()) {
        failure = e;
      }
    } catch (InterruptedException | org.apache.kafka.common.errors.InterruptException e) {
      // close() gave up waiting and interrupted us: a stop, not a failure (the batch replays).
      if (!lifecycle.isStopRequested()) {
        failure = e;
      }
    } catch (FencedInstanceIdException e) {
      failure = new IllegalStateException("another process joined consumer group " + settings.settings.groupId()
          + " with this process's kafka.instanceId " + settings.kafka.instanceId().orElse("")
          + "; give each process that runs this stage its own kafka.instanceId", e);
    } catch (Exception e) {
      // An outage met while stopping is a stop: the uncommitted poll is simply read again.
      boolean outage = SqlErrors.isRetriable(e) || ChangeDecoder.registryUnavailable(e);
      if (!(outage && lifecycle.isStopRequested())) {
        failure = e;
      }
    } catch (Error e) {
      failure = e;
    } finally {
      closeResources();
      if (failure != null) {
        LOG.error("Tandem sink failed; uncommitted records will be re-applied on restart", failure);
      } else {
        LOG.info("Tandem sink stopped");
      }
      lifecycle.finish(failure);
    }
  }

  /**
   * Stops the sink: the batch in progress finishes (database commit, dead letters, offsets), then
   * the clients close. Waits up to the builder's close timeout, then interrupts the sink thread.
   */
  @Override
  public void close() {
    State before = lifecycle.requestStop();
    if (before == State.CREATED || before.isTerminal()) {
      return;
    }
    if (before != State.STOPPING) {
      KafkaConsumer<byte[], byte[]> c = consumer;
      if (c != null) {
        c.wakeup();
      }
    }
    if (Thread.currentThread() == runner) {
      return; // close() from inside the loop: the loop sees STOPPING and exits
    }
    if (!lifecycle.awaitTerminal(settings.closeTimeout)) {
      Thread t = runner;
      LOG.warn("Tandem sink did not stop within {}; interrupting it", settings.closeTimeout);
      if (t != null) {
        t.interrupt();
      }
      lifecycle.awaitTerminal(settings.closeTimeout);
    }
  }

  private boolean running() {
    return lifecycle.isActive();
  }

  private void open() throws Exception {
    if (settings.dataSource != null) {
      dataSource = settings.dataSource;
    } else {
      HikariConfig hikari = new HikariConfig();
      hikari.setJdbcUrl(settings.jdbcUrl);
      hikari.setUsername(settings.jdbcUser);
      hikari.setPassword(settings.jdbcPassword);
      hikari.setPoolName("tandem-sink");
      hikari.setMaximumPoolSize(2);
      // An unreachable database shows as "retrying" within 10 s, not after Hikari's default 30 s wait for a connection.
      hikari.setConnectionTimeout(10_000);
      // Start even while the database is down; binding below retries.
      hikari.setInitializationFailTimeout(-1);
      if (SinkDialect.ofUrl(settings.jdbcUrl) == SinkDialect.MARIADB) {
        hikari.setConnectionInitSql("SET time_zone = '+00:00'"); // TIMESTAMP values are written as UTC wall clocks
      } else {
        hikari.addDataSourceProperty("ApplicationName", "tandem-sink");
        // A server error's detail ("Failing row contains (...)") holds row values, personal data perhaps: it must
        // not reach logs or dead-letter reasons.
        hikari.addDataSourceProperty("logServerErrorDetail", "false");
      }
      ownedDataSource = new HikariDataSource(hikari);
      dataSource = ownedDataSource;
    }
    settings.retry.call(() -> {
      try (Connection connection = dataSource.getConnection()) {
        dialect = SinkDialect.of(connection);
        for (EntityTable entity : entitiesByTopic.values()) {
          tables.put(entity.entity(), BoundTable.bind(connection, entity));
        }
      }
      return null;
    }, this::retryDatabase);
    retrying = null;
    for (EntityTable entity : entitiesByTopic.values()) {
      decoders.put(entity.topic(), new ChangeDecoder(entity, settings.registry));
    }

    String group = settings.settings.groupId();
    producer = settings.kafka.producer(
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.CLIENT_ID_CONFIG, group + "-dlq"),
        Map.of());
    // Offsets are committed by hand after the database commit, so auto-commit and the group are fixed.
    Map<String, Object> fixed = new HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.settings.maxPollRecords()));
    // A static member: after a crash the restarted sink gets its partitions back at once.
    settings.kafka.instanceId().ifPresent(id -> fixed.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
    KafkaConsumer<byte[], byte[]> c = settings.kafka.consumer(
        // A new sink must start from the beginning of the topics: the new database starts empty.
        Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), fixed);
    c.subscribe(List.copyOf(entitiesByTopic.keySet()));
    consumer = c;
  }

  private long lastPrune = System.nanoTime();

  /** Deletes tombstones older than the retention, at most once per prune interval. */
  private void pruneTombstonesWhenDue() {
    if (settings.settings.tombstoneRetention().isZero()
        || System.nanoTime() - lastPrune < settings.tombstonePruneEvery.toNanos()) {
      return;
    }
    lastPrune = System.nanoTime();
    String sql = dialect == SinkDialect.MARIADB ? MariaDbLegacyWriter.PRUNE_SQL : name().equals(LEGACY_STAGE)
        ? "DELETE FROM " + BoundTable.APPLIED + " WHERE deleted AND applied_at < now() - make_interval(secs => ?)"
        : "DELETE FROM " + BoundTable.TOMBSTONES + " WHERE raised_at < now() - make_interval(secs => ?)";
    try (Connection connection = dataSource.getConnection();
        java.sql.PreparedStatement prune = connection.prepareStatement(sql)) {
      connection.setAutoCommit(true);
      if (dialect == SinkDialect.MARIADB) {
        prune.setLong(1, settings.settings.tombstoneRetention().toNanos() / 1000);
      } else {
        prune.setDouble(1, settings.settings.tombstoneRetention().toMillis() / 1000.0);
      }
      int pruned = prune.executeUpdate();
      if (pruned > 0) {
        stats.tombstonesPruned(pruned);
        LOG.info("Pruned {} tombstone(s) older than {}", pruned, settings.settings.tombstoneRetention());
      }
    } catch (SQLException e) {
      // Pruning is housekeeping: a failure waits for the next interval, the data path goes on.
      LOG.warn("Cannot prune tombstones: {}", e.getMessage());
    }
  }

  /** A sink of legacy tables (reverse sync); the builder refuses a mix of legacy and new tables. */
  private static boolean writesLegacy(Builder settings) {
    return settings.entities.stream().allMatch(e -> e.legacy().isPresent());
  }

  private void pollOnce() throws Exception {
    pruneTombstonesWhenDue();
    ConsumerRecords<byte[], byte[]> records = consumer.poll(settings.pollTimeout);
    if (records.isEmpty()) {
      return;
    }
    writeBudget.acquire(records.count());
    Batch batch = settings.retry.call(() -> decode(records), e -> {
      boolean retry = ChangeDecoder.registryUnavailable(e) && running();
      if (retry) {
        retried("schema registry unavailable: " + e.getMessage());
        LOG.warn("Schema registry unavailable ({}); retrying the batch", e.getMessage());
      }
      return retry;
    });
    OwnershipCheck.Split split = ownership == null ? new OwnershipCheck.Split(batch.changes(), List.of())
        : settings.retry.call(() -> ownership.split(batch.changes()), e -> {
          boolean retry = e instanceof OwnershipCheck.ViewBehind && running();
          if (retry) {
            retried(e.getMessage());
            LOG.warn("{}; retrying the batch", e.getMessage());
          }
          return retry;
        });
    Outcome outcome = settings.retry.call(() -> apply(split.owned()), this::retryDatabase);
    settings.afterDatabaseCommit.run();

    List<Reject> rejects = new ArrayList<>(batch.rejects());
    rejects.addAll(outcome.rejects);
    deadLetter(rejects);
    if (!split.conflicts().isEmpty()) {
      recordConflicts(split.conflicts());
    }
    for (Reject reject : batch.rejects()) {
      outcome.counts(reject.entity())[4]++;
    }
    commitOffsets(records);

    outcome.counts.forEach((entity, c) -> stats.add(entity, c[0], c[1], c[2], c[3], c[4]));
    for (Change change : outcome.sampled) {
      if (change.commitTsMillis() >= 0) {
        Duration lag = Duration.ofMillis(Math.max(0, outcome.committedAt.toEpochMilli() - change.commitTsMillis()));
        stats.lag(lag);
        for (Consumer<Duration> listener : lagListeners) {
          listener.accept(lag);
        }
      }
    }
    stats.committed(records.count(), Instant.now());
    if (retrying != null) {
      LOG.info("Batch written after retrying since {}; the sink goes on", retrying.since());
      retrying = null;
    }
  }

  private boolean retryDatabase(Exception e) {
    boolean retry = SqlErrors.isRetriable(e) && running();
    if (retry) {
      retried("database unavailable: " + SqlErrors.describe(e));
      LOG.warn("Database unavailable ({}); retrying", SqlErrors.describe(e));
    }
    return retry;
  }

  private void retried(String reason) {
    stats.retried();
    Retrying current = retrying;
    retrying = new Retrying(current == null ? Instant.now() : current.since(), reason);
  }

  private record Batch(List<Change> changes, List<Reject> rejects) {}

  private Batch decode(ConsumerRecords<byte[], byte[]> records) {
    List<Change> changes = new ArrayList<>(records.count());
    List<Reject> rejects = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      Object decoded = decoders.get(record.topic()).decode(record);
      if (decoded instanceof Change change) {
        changes.add(change);
      } else {
        rejects.add((Reject) decoded);
      }
    }
    return new Batch(changes, rejects);
  }

  /** Per entity {upserted, deleted, stale, superseded, rejected}, the rejects, and what to sample for lag. */
  private static final class Outcome {
    final Map<String, long[]> counts = new HashMap<>();
    final List<Reject> rejects = new ArrayList<>();
    List<Change> sampled = List.of();
    Instant committedAt;

    long[] counts(String entity) {
      return counts.computeIfAbsent(entity, e -> new long[5]);
    }
  }

  /** One transaction for the whole batch; if the data is refused, one savepoint per record. */
  private Outcome apply(List<Change> changes) throws SQLException {
    if (changes.isEmpty()) {
      Outcome nothing = new Outcome();
      nothing.committedAt = Instant.now();
      return nothing;
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      Outcome outcome;
      try {
        outcome = applyBatch(connection, changes);
        connection.commit();
      } catch (SQLException e) {
        rollbackQuietly(connection, e);
        if (!SqlErrors.isDataError(e)) {
          throw e;
        }
        LOG.info("Batch of {} changes refused ({}); applying them one by one", changes.size(), SqlErrors.describe(e));
        outcome = applyOneByOne(connection, changes);
        connection.commit();
      }
      outcome.committedAt = Instant.now();
      return outcome;
    }
  }

  private Outcome applyBatch(Connection connection, List<Change> changes) throws SQLException {
    markOrigin(connection);
    Outcome outcome = new Outcome();
    // Newest change per key; partition order is the per-key order, and positions say which is newer.
    Map<String, Map<String, Change>> newest = new LinkedHashMap<>();
    for (Change change : changes) {
      Map<String, Change> byKey = newest.computeIfAbsent(change.entity().entity(), e -> new HashMap<>());
      Change previous = byKey.putIfAbsent(change.keyJson(), change);
      if (previous != null) {
        if (change.position() > previous.position()) {
          byKey.put(change.keyJson(), change);
          outcome.counts(change.entity().entity())[3]++;
        } else {
          // A replay behind a newer change: the database would skip it too.
          outcome.counts(change.entity().entity())[2]++;
        }
      }
    }
    List<Change> applied = new ArrayList<>();
    for (Map.Entry<String, Map<String, Change>> entry : newest.entrySet()) {
      BoundTable table = tables.get(entry.getKey());
      List<Change> upserts = new ArrayList<>();
      List<Change> deletes = new ArrayList<>();
      for (Change change : entry.getValue().values()) {
        (change.isDelete() ? deletes : upserts).add(change);
      }
      long[] counts = outcome.counts(entry.getKey());
      int upserted = writer.upsert(connection, table, upserts);
      int deleted = writer.delete(connection, table, deletes);
      counts[0] += upserted;
      counts[1] += deleted;
      counts[2] += (upserts.size() - upserted) + (deletes.size() - deleted);
      applied.addAll(entry.getValue().values());
    }
    outcome.sampled = applied;
    return outcome;
  }

  /*
   * Record by record in partition order, each in its own savepoint: the result is what applying the
   * records one at a time would give, so a rejected newest change leaves the previous one in place
   * (the batch path, which only writes the newest change per key, is only used when nothing fails).
   */
  private Outcome applyOneByOne(Connection connection, List<Change> changes) throws SQLException {
    markOrigin(connection);
    Outcome outcome = new Outcome();
    List<Change> applied = new ArrayList<>();
    for (Change change : changes) {
      String entity = change.entity().entity();
      BoundTable table = tables.get(entity);
      long[] counts = outcome.counts(entity);
      Savepoint savepoint = connection.setSavepoint();
      try {
        if (change.isDelete()) {
          int deleted = writer.delete(connection, table, List.of(change));
          counts[1] += deleted;
          counts[2] += 1 - deleted;
        } else {
          int upserted = writer.upsert(connection, table, List.of(change));
          counts[0] += upserted;
          counts[2] += 1 - upserted;
        }
        connection.releaseSavepoint(savepoint);
        applied.add(change);
      } catch (SQLException e) {
        if (!SqlErrors.isDataError(e)) {
          throw e;
        }
        connection.rollback(savepoint);
        counts[4]++;
        outcome.rejects.add(new Reject(entity, change.record(), "the new database refused the change: "
            + SqlErrors.describe(e), e.getClass().getName(), change.position()));
      }
    }
    outcome.sampled = applied;
    return outcome;
  }

  /*
   * The transaction's first write: capture recognises transactions that touch tandem_origin and does not
   * send them back to the other side (docs/coexistence.md, "No echo"). It must come first, because
   * capture sees a transaction's changes in statement order.
   */
  private void markOrigin(Connection connection) throws SQLException {
    if (settings.originWriter == null) {
      return;
    }
    try (java.sql.PreparedStatement mark = connection.prepareStatement(dialect == SinkDialect.MARIADB
        ? MariaDbLegacyWriter.ORIGIN_SQL : ORIGIN_SQL)) {
      mark.setString(1, settings.originWriter);
      mark.executeUpdate();
    }
  }

  static final String ORIGIN_TABLE = "tandem_origin";
  private static final String ORIGIN_SQL = "INSERT INTO " + ORIGIN_TABLE + " AS o (writer, transactions, updated_at)"
      + " VALUES (?, 1, now()) ON CONFLICT (writer) DO UPDATE SET transactions = o.transactions + 1, updated_at = now()";

  private static void rollbackQuietly(Connection connection, SQLException cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  // Sent after the database commit and before the offset commit: a crash in between re-applies the
  // batch (a no-op) and re-sends its rejects, so a dead letter may be doubled but never lost.
  private void deadLetter(List<Reject> rejects) throws Exception {
    if (rejects.isEmpty()) {
      return;
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (Reject reject : rejects) {
      LOG.warn("Record {}-{}@{} (entity {}, position {}) sent to {}: {}", reject.record().topic(),
          reject.record().partition(), reject.record().offset(), reject.entity(), reject.position(),
          settings.dlqTopic, reject.reason());
      sent.add(producer.send(deadLetterRecord(name(), settings.dlqTopic, reject)));
    }
    producer.flush();
    for (Future<RecordMetadata> future : sent) {
      try {
        future.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("cannot write to dead-letter topic " + settings.dlqTopic + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  // Like dead letters: after the database commit, before the offset commit (doubled at worst, never lost).
  private void recordConflicts(List<OwnershipCheck.Conflict> conflicts) throws Exception {
    List<ProducerRecord<byte[], byte[]>> records = settings.retry.call(() -> {
      try (Connection connection = dataSource.getConnection()) {
        connection.setAutoCommit(true);
        return ownership.records(settings.conflictTopic, conflicts, tables, connection);
      }
    }, this::retryDatabase);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (ProducerRecord<byte[], byte[]> record : records) {
      sent.add(producer.send(record));
    }
    producer.flush();
    for (Future<RecordMetadata> future : sent) {
      try {
        future.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("cannot write to conflict topic " + settings.conflictTopic + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  /** Conflicts recorded for {@code entity} since start (0 without ownership checks). */
  public long conflicts(String entity) {
    return ownership == null ? 0 : ownership.conflicts(entity);
  }

  static ProducerRecord<byte[], byte[]> deadLetterRecord(String stage, String topic, Reject reject) {
    ConsumerRecord<byte[], byte[]> source = reject.record();
    return DeadLetter.of(stage, reject.reason(), reject.exceptionClass(), source)
        .record(topic, source.key(), source.value(), source.headers(), reject.position());
  }

  private void commitOffsets(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition partition : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> list = records.records(partition);
      ConsumerRecord<byte[], byte[]> last = list.get(list.size() - 1);
      offsets.put(partition, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
    }
    try {
      consumer.commitSync(offsets);
    } catch (WakeupException e) {
      // close() asked to stop while the batch was in flight: finish it (a wakeup fires only once).
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException e) {
      // The partitions moved on; their new owner re-applies these records, which changes nothing.
      LOG.warn("Offsets not committed ({}); the batch will be re-applied by the partitions' new owner", e.getMessage());
    }
  }

  private void closeResources() {
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      try {
        c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.warn("Consumer did not close cleanly", e);
      }
    }
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("Dead-letter producer did not close cleanly", e);
      }
    }
    if (ownedDataSource != null) {
      ownedDataSource.close();
    }
  }

  /** Settings of a {@link JdbcSink}; {@link #build()} checks that it has what it needs. */
  public static final class Builder {
    private static final String SOURCE = "JdbcSink builder";

    private KafkaClients kafka;
    private SinkSettings settings = SinkSettings.defaults();
    private SchemaRegistryClient registry;
    private DataSource dataSource;
    private String jdbcUrl;
    private String jdbcUser = "";
    private String jdbcPassword = "";
    private final List<EntityTable> entities = new ArrayList<>();
    private String dlqTopic = DEAD_LETTER_TOPIC;
    private Duration pollTimeout = Duration.ofMillis(500);
    // 60 attempts, back-off doubling from 200 ms to 10 s (with jitter: 5-10 s once there): a database or
    // registry outage is ridden out for at least ~4.5 minutes (typically ~7) before the sink gives up.
    private RetryPolicy retry = new RetryPolicy(60, Duration.ofMillis(200), Duration.ofSeconds(10));
    private Duration closeTimeout = Duration.ofSeconds(30);
    private Runnable afterDatabaseCommit = () -> { };
    private Consumer<Duration> lagListener = lag -> { };
    private TableWriter writer = new TableWriter();
    private Duration tombstonePruneEvery = Duration.ofHours(1);
    private Path migrations;
    private boolean migrateLegacy;
    private String originWriter;
    private WriteOwnership ownership;
    private String conflictTopic = CONFLICT_TOPIC;

    private Builder() {}

    /**
     * Makes every transaction mark itself in {@code tandem_origin} as written by {@code writer}, so the
     * database's capture does not send it back (coexistence; the table comes with the migrations).
     */
    public Builder originMarker(String writer) {
      this.originWriter = writer;
      return this;
    }

    /** This sink writes the legacy database (reverse sync): Tandem's legacy tables are created at start. */
    /**
     * Applies a change only when the side this sink reads from owns its key; the others are conflicts,
     * recorded on {@link #CONFLICT_TOPIC} with both versions (docs/coexistence.md).
     */
    public Builder ownership(WriteOwnership ownership) {
      this.ownership = ownership;
      return this;
    }

    /** Where conflicts are recorded (tests use their own topic). */
    public Builder conflictTopic(String topic) {
      this.conflictTopic = topic;
      return this;
    }

    public Builder migrateLegacy() {
      this.migrateLegacy = true;
      this.migrations = null;
      return this;
    }

    /** Flyway migrations applied to the new database when the sink starts (none: the tables are there). */
    public Builder migrations(Path folder) {
      this.migrations = folder;
      return this;
    }

    /** The Kafka cluster and the deployment's client settings (security, timeouts). */
    public Builder kafka(KafkaClients kafka) {
      this.kafka = Objects.requireNonNull(kafka, "kafka");
      return this;
    }

    /** The {@code sink} section: group, records per poll, tombstone retention. */
    public Builder settings(SinkSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    public Builder groupId(String groupId) {
      this.settings = settings.withGroupId(groupId);
      return this;
    }

    public Builder maxPollRecords(int maxPollRecords) {
      this.settings = settings.withMaxPollRecords(maxPollRecords);
      return this;
    }

    /** Write budget on the target database, rows per second; 0 = unlimited ({@code sink.maxRowsPerSecond}). */
    public Builder maxRowsPerSecond(int rows) {
      this.settings = settings.withMaxRowsPerSecond(rows);
      return this;
    }

    /**
     * How long a deleted key's tombstone is kept (it rejects replayed changes older than the delete);
     * {@code Duration.ZERO} keeps them forever. Keep it above the longest time a record older than a
     * delete can still be delivered: the raw and migrated topics' retention and
     * {@code delete.retention.ms}.
     */
    public Builder tombstoneRetention(Duration retention) {
      this.settings = settings.withTombstoneRetention(retention);
      return this;
    }

    /** How often the sink prunes tombstones past their retention (tests shorten it). */
    Builder tombstonePruneEvery(Duration every) {
      this.tombstonePruneEvery = every;
      return this;
    }

    public Builder registry(SchemaRegistryClient registry) {
      this.registry = registry;
      return this;
    }

    /** A data source the caller owns (and closes); the sink borrows one connection per batch. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      this.jdbcUrl = null;
      return this;
    }

    /** A PostgreSQL URL; the sink keeps its own small pool and closes it on close(). */
    public Builder jdbc(String url, String user, String password) {
      this.jdbcUrl = url;
      this.jdbcUser = user == null ? "" : user;
      this.jdbcPassword = password == null ? "" : password;
      this.dataSource = null;
      return this;
    }

    /** The {@code target} section. */
    public Builder target(TargetSettings target) {
      return jdbc(target.jdbcUrl(), target.user(), target.password());
    }

    public Builder entity(EntityTable entity) {
      entities.add(Objects.requireNonNull(entity, "entity"));
      return this;
    }

    public Builder dlqTopic(String dlqTopic) {
      this.dlqTopic = dlqTopic;
      return this;
    }

    public Builder pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /** Retries for database outages (SQLState 08xxx, timeouts) and registry outages, per batch. */
    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    /** How long close() waits for the batch in flight before interrupting the sink thread. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Called on the sink thread with each sampled commit→visible lag (legacy commit → new-DB
     * commit). Must be quick and must not throw.
     */
    public Builder lagListener(Consumer<Duration> listener) {
      this.lagListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** Test hook: runs after the database commit, before dead letters and offsets. */
    Builder afterDatabaseCommit(Runnable hook) {
      this.afterDatabaseCommit = Objects.requireNonNull(hook);
      return this;
    }

    /** Benchmark hook: another way to write the same rows. */
    Builder writer(TableWriter writer) {
      this.writer = Objects.requireNonNull(writer);
      return this;
    }

    public JdbcSink build() {
      require(kafka != null, "kafka", "the Kafka cluster (KafkaClients)", null);
      require(registry != null, "registry", "a SchemaRegistryClient", null);
      require(dataSource != null || (jdbcUrl != null && (jdbcUrl.startsWith("jdbc:postgresql:")
          || (migrateLegacy && jdbcUrl.startsWith("jdbc:mariadb:")))), "jdbc",
          "a DataSource, a jdbc:postgresql: URL, or for reverse sync a jdbc:mariadb: URL", jdbcUrl);
      require(!entities.isEmpty(), "entity", "at least one EntityTable", null);
      require(dlqTopic != null && !dlqTopic.isBlank(), "dlqTopic", "a topic name", dlqTopic);
      require(pollTimeout != null && !pollTimeout.isNegative() && !pollTimeout.isZero(), "pollTimeout",
          "a positive duration", pollTimeout);
      require(closeTimeout != null && !closeTimeout.isNegative(), "closeTimeout", "a non-negative duration",
          closeTimeout);
      require(originWriter == null || originWriter.matches("[A-Za-z0-9._-]{1,100}"), "originMarker",
          "a writer name of letters, digits, '.', '_', '-'", originWriter);
      boolean anyLegacy = entities.stream().anyMatch(e -> e.legacy().isPresent());
      require(!anyLegacy || entities.stream().allMatch(e -> e.legacy().isPresent()), "entity",
          "only legacy tables or only new tables in one sink", entities);
      Set<String> topics = new HashSet<>();
      Set<String> names = new HashSet<>();
      for (EntityTable entity : entities) {
        require(topics.add(entity.topic()), "entity", "one entity per topic", entity.topic());
        require(names.add(entity.entity()), "entity", "distinct entity names", entity.entity());
        require(!entity.topic().equals(dlqTopic), "dlqTopic", "a topic the sink does not read", dlqTopic);
      }
      return new JdbcSink(this, writer);
    }

    private static void require(boolean ok, String key, String expected, Object actual) {
      if (!ok) {
        throw new ConfigException(SOURCE, key, expected, actual);
      }
    }
  }
}
