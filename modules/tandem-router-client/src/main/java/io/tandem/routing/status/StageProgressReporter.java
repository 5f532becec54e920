package io.tandem.routing.status;

import io.tandem.core.lifecycle.LifecycleComponent;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Publishes how far one stage of this process has come ({@link StatusRecord.StageProgress}) to the status
 * topic every few seconds, for the console: records since start, the rate over the last interval, and
 * capture's snapshot per table with an ETA at the last interval's rate. Stopping withdraws the report, so a
 * stage that stopped cleanly does not look alive; one that died leaves a report that ages (readers show it
 * as stale).
 */
public final class StageProgressReporter extends LifecycleComponent {
  private static final AtomicInteger STARTS = new AtomicInteger();

  /** One table's snapshot as the stage sees it now: rows delivered, the estimate (-1 unknown), finished. */
  public record Table(String table, long done, long estimated, boolean finished) {}

  private final String stage;
  private final String instance;
  private final LongSupplier records;
  private final LongSupplier backlog;
  private final Supplier<List<Table>> tables;
  private final PeriodicPublisher publisher;
  private final Clock clock;
  private final Duration every;
  private long lastRecords = -1;
  private Instant lastAt;
  private final Map<String, Long> lastDone = new HashMap<>();

  /**
   * @param records records the stage handled since it started
   * @param tables capture's snapshot per table ({@code List::of} for other stages)
   */
  public StageProgressReporter(String stage, LongSupplier records, Supplier<List<Table>> tables,
      Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    this(stage, records, () -> -1, tables, publisher, clock, every);
  }

  /** @param backlog records the stage's consumer group has not processed yet, -1 when unknown */
  public StageProgressReporter(String stage, LongSupplier records, LongSupplier backlog, Supplier<List<Table>> tables,
      Supplier<StatusPublisher> publisher, Clock clock, Duration every) {
    super(stage + "-progress");
    this.backlog = backlog;
    this.stage = stage;
    this.instance = instanceName();
    this.records = records;
    this.tables = tables;
    this.publisher = new PeriodicPublisher(lifecycle, "tandem-" + name(), stage + "'s progress", publisher);
    this.clock = clock;
    this.every = every;
  }

  /** {@code host/pid/n}: which process, and which start of the stage in it. */
  private static String instanceName() {
    String host = System.getenv().getOrDefault("HOSTNAME", "");
    if (host.isBlank()) {
      try {
        host = java.net.InetAddress.getLocalHost().getHostName();
      } catch (java.io.IOException e) {
        host = "localhost";
      }
    }
    return host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/" + STARTS.incrementAndGet();
  }

  public String instance() {
    return instance;
  }

  @Override
  public void start() {
    publisher.start(Duration.ZERO, every, () -> List.of(report()));
  }

  @Override
  public String status() {
    return state() + "  " + StatusRecord.progressKey(stage, instance) + " every " + every.toSeconds() + " s";
  }

  /** The report now; rates against the previous report (0 for the first). */
  synchronized StatusRecord.StageProgress report() {
    Instant now = clock.instant();
    long handled = Math.max(0, records.getAsLong());
    double seconds = lastAt == null ? 0 : Duration.between(lastAt, now).toMillis() / 1000.0;
    double rate = seconds <= 0 || lastRecords < 0 ? 0 : Math.max(0, handled - lastRecords) / seconds;
    List<StatusRecord.TableSnapshot> snapshot = new ArrayList<>();
    for (Table table : tables.get()) {
      Long before = lastDone.put(table.table(), table.done());
      long eta = -1;
      if (table.finished()) {
        eta = 0;
      } else if (before != null && seconds > 0 && table.done() > before && table.estimated() >= 0) {
        double perSecond = (table.done() - before) / seconds;
        eta = (long) Math.ceil(Math.max(0, table.estimated() - table.done()) / perSecond);
      }
      snapshot.add(new StatusRecord.TableSnapshot(table.table(), table.done(), table.estimated(), table.finished(),
          eta));
    }
    lastRecords = handled;
    lastAt = now;
    return new StatusRecord.StageProgress(stage, instance, handled, Math.round(rate * 10) / 10.0, now, snapshot,
        Math.max(-1, backlog.getAsLong()));
  }

  @Override
  public void close() {
    publisher.close(StatusRecord.progressKey(stage, instance));
  }
}
