package io.tandem.routing.status;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Publishes the pipeline's replication lag per entity to the status topic every few seconds, for the
 * router's promotion gates and the verifier's re-check delay. The value: the highest commit-to-visible
 * lag among the changes the sink applied since the last report; with none applied, 0 when the sink's
 * consumer group has nothing left to read, otherwise the time since the sink last committed (a
 * stalled sink's lag grows; one that never committed counts from the reporter's start). A stalled
 * capture is not seen here (the sink just looks idle): {@link CaptureLagReporter} covers that.
 *
 * <p>The sink group's backlog is read from the {@code tandem.consumer.lag.records} gauge of the meter
 * registry it is {@linkplain #bindTo bound} to; unbound, the backlog is unknown.
 */
public final class LagReporter extends LifecycleComponent {
  private final Supplier<AppliedChanges> applied;
  private final String sinkGroup;
  private final List<String> entities;
  private final PeriodicPublisher publisher;
  private final Clock clock;
  private final Duration every;
  private final String source;
  private volatile MeterRegistry meters;
  private Instant startedAt;
  private long lastRecords = -1;

  /**
   * @param applied what the sink has applied so far
   * @param publisher opened at start
   * @param every how often to report
   */
  public LagReporter(Supplier<AppliedChanges> applied, String sinkGroup, List<String> entities,
      Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    this(StatusRecord.Lag.SINK, applied, sinkGroup, entities, publisher, clock, every);
  }

  /** @param source what the reports say they come from ({@link StatusRecord.Lag#REVERSE_SINK} for reverse sync) */
  public LagReporter(String source, Supplier<AppliedChanges> applied, String sinkGroup, List<String> entities,
      Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    super(StatusRecord.Lag.SINK.equals(source) ? "sink-lag" : source + "-lag");
    this.source = source;
    this.applied = applied;
    this.sinkGroup = sinkGroup;
    this.entities = List.copyOf(entities);
    this.publisher = new PeriodicPublisher(lifecycle, "tandem-" + name(), "the replication lag", publisher);
    this.clock = clock;
    this.every = every;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    this.meters = registry;
  }

  @Override
  public void start() {
    startedAt = clock.instant();
    publisher.start(every, every, this::report);
  }

  @Override
  public String status() {
    return state() + "  lag/<entity> for " + entities + " every " + every.toSeconds() + " s";
  }

  /** One report. */
  private List<StatusRecord.Lag> report() {
    AppliedChanges snapshot = applied.get();
    MeterRegistry registry = meters;
    Gauge pending = registry == null ? null
        : registry.find("tandem.consumer.lag.records").tag("group", sinkGroup).gauge();
    Instant now = clock.instant();
    long lagMillis = lagMillis(snapshot, lastRecords, pending == null ? Double.NaN : pending.value(), startedAt, now);
    lastRecords = snapshot.records();
    List<StatusRecord.Lag> records = new ArrayList<>();
    for (String entity : entities) {
      records.add(new StatusRecord.Lag(entity, lagMillis, now, source));
    }
    return records;
  }

  /**
   * The lag to report: the highest commit-to-visible lag among the changes applied since the previous
   * report; with none applied, 0 when the sink's group has nothing left to read ({@code pendingRecords}
   * 0), otherwise the time since the sink last committed — or since the reporter started, if it never has.
   *
   * @param previousRecords records applied at the previous report; negative before the first
   * @param pendingRecords the sink group's consumer lag in records; NaN when not known yet
   */
  static long lagMillis(AppliedChanges snapshot, long previousRecords, double pendingRecords, Instant startedAt,
      Instant now) {
    long appliedSince = previousRecords < 0 ? snapshot.records() : snapshot.records() - previousRecords;
    List<Duration> samples = snapshot.lagSamples();
    if (appliedSince > 0 && !samples.isEmpty()) {
      int recent = (int) Math.min(appliedSince, samples.size());
      return samples.subList(samples.size() - recent, samples.size()).stream().mapToLong(Duration::toMillis).max()
          .orElse(0);
    }
    if (pendingRecords == 0) {
      return 0;
    }
    Instant since = snapshot.lastCommit() == null ? startedAt : snapshot.lastCommit();
    return Math.max(0, Duration.between(since, now).toMillis());
  }

  /** Stops reporting and closes its publisher. */
  @Override
  public void close() {
    publisher.close();
  }
}
