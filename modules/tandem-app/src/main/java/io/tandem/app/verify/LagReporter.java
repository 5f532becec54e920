package io.tandem.app.verify;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.routing.status.StatusRecord;
import io.tandem.sink.SinkStats;
import io.tandem.verify.StatusPublisher;
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
 * capture is not seen here (the sink just looks idle): the verifier's passes cover that, since a gate
 * also needs a recent clean pass.
 */
public final class LagReporter implements AutoCloseable {
  private final Supplier<SinkStats> stats;
  private final MeterRegistry meters;
  private final String sinkGroup;
  private final List<String> entities;
  private final PeriodicPublisher publisher;
  private final Clock clock;
  private final Instant startedAt;
  private long lastRecords = -1;

  public LagReporter(Supplier<SinkStats> stats, MeterRegistry meters, String sinkGroup, List<String> entities,
      StatusPublisher publisher, Clock clock) {
    this.stats = stats;
    this.meters = meters;
    this.sinkGroup = sinkGroup;
    this.entities = List.copyOf(entities);
    this.publisher = new PeriodicPublisher("tandem-lag-reporter", "the replication lag", publisher);
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  public LagReporter start(Duration every) {
    publisher.start(every, every, this::report);
    return this;
  }

  /** One report. */
  private List<StatusRecord.Lag> report() {
    SinkStats snapshot = stats.get();
    Gauge pending = meters.find("tandem.consumer.lag.records").tag("group", sinkGroup).gauge();
    Instant now = clock.instant();
    long lagMillis = lagMillis(snapshot, lastRecords, pending == null ? Double.NaN : pending.value(), startedAt, now);
    lastRecords = snapshot.records();
    List<StatusRecord.Lag> records = new ArrayList<>();
    for (String entity : entities) {
      records.add(new StatusRecord.Lag(entity, lagMillis, now, StatusRecord.Lag.SINK));
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
  static long lagMillis(SinkStats snapshot, long previousRecords, double pendingRecords, Instant startedAt,
      Instant now) {
    long applied = previousRecords < 0 ? snapshot.records() : snapshot.records() - previousRecords;
    List<Duration> samples = snapshot.lagSamples();
    if (applied > 0 && !samples.isEmpty()) {
      int recent = (int) Math.min(applied, samples.size());
      return samples.subList(samples.size() - recent, samples.size()).stream().mapToLong(Duration::toMillis).max()
          .orElse(0);
    }
    if (pendingRecords == 0) {
      return 0;
    }
    Instant since = snapshot.lastCommit() == null ? startedAt : snapshot.lastCommit();
    return Math.max(0, Duration.between(since, now).toMillis());
  }

  /** Stops reporting and closes the publisher it was given. */
  @Override
  public void close() {
    publisher.close();
  }
}
