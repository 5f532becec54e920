package io.tandem.routing.status;

import io.tandem.core.lifecycle.LifecycleComponent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Publishes capture's liveness per entity to the status topic every few seconds ({@code
 * lag/<entity>/capture}), for the router's promotion gates. A stalled capture leaves the sink idle and
 * caught up, so the sink's own lag report says 0 while the new database falls behind; this report says
 * how long capture has been silent beyond its heartbeat interval. Debezium hands over a batch at least
 * once per heartbeat interval while it reads the slot, even when the captured tables are quiet.
 */
public final class CaptureLagReporter extends LifecycleComponent {
  // Heartbeats come from Debezium's poll loop: allow for a poll interval and a slow batch on a busy machine.
  static final Duration SLACK = Duration.ofSeconds(1);

  private final Supplier<Optional<Instant>> lastBatchAt;
  private final Duration heartbeat;
  private final List<String> entities;
  private final PeriodicPublisher publisher;
  private final Clock clock;
  private final Duration every;
  private final String source;
  private Instant startedAt;

  /**
   * @param lastBatchAt when capture last received a batch from Debezium (empty before the first)
   * @param heartbeat Debezium's {@code heartbeat.interval.ms}; must be positive, or silence means nothing
   * @param publisher opened at start
   * @param every how often to report
   */
  public CaptureLagReporter(Supplier<Optional<Instant>> lastBatchAt, Duration heartbeat, List<String> entities,
      Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    this(StatusRecord.Lag.CAPTURE, lastBatchAt, heartbeat, entities, publisher, clock, every);
  }

  /** @param source {@link StatusRecord.Lag#REVERSE_CAPTURE} for capture of the new database */
  public CaptureLagReporter(String source, Supplier<Optional<Instant>> lastBatchAt, Duration heartbeat,
      List<String> entities, Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    super(source + "-lag");
    this.source = source;
    if (heartbeat.isZero() || heartbeat.isNegative()) {
      throw new IllegalArgumentException("capture heartbeats are off (heartbeat.interval.ms=0): a quiet capture cannot"
          + " be told from a stalled one");
    }
    this.lastBatchAt = lastBatchAt;
    this.heartbeat = heartbeat;
    this.entities = List.copyOf(entities);
    this.publisher = new PeriodicPublisher(lifecycle, "tandem-" + name(), "capture's lag", publisher);
    this.clock = clock;
    this.every = every;
  }

  @Override
  public void start() {
    startedAt = clock.instant();
    publisher.start(Duration.ZERO, every, this::report);
  }

  @Override
  public String status() {
    return state() + "  lag/<entity>/capture for " + entities + " every " + every.toSeconds() + " s";
  }

  private List<StatusRecord.Lag> report() {
    Instant now = clock.instant();
    long lag = lagMillis(lastBatchAt.get(), startedAt, heartbeat, now);
    List<StatusRecord.Lag> records = new ArrayList<>();
    for (String entity : entities) {
      records.add(new StatusRecord.Lag(entity, lag, now, source));
    }
    return records;
  }

  /**
   * How long capture has been silent beyond its heartbeat interval (and {@link #SLACK}): 0 while batches
   * or heartbeats arrive on time; before the first batch, counted from the reporter's start.
   */
  static long lagMillis(Optional<Instant> lastBatch, Instant startedAt, Duration heartbeat, Instant now) {
    Instant since = lastBatch.filter(last -> last.isAfter(startedAt)).orElse(startedAt);
    long silent = Duration.between(since, now).toMillis();
    return Math.max(0, silent - heartbeat.toMillis() - SLACK.toMillis());
  }

  /** Stops reporting and closes its publisher. */
  @Override
  public void close() {
    publisher.close();
  }
}
