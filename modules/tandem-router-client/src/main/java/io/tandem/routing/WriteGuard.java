package io.tandem.routing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Writes one key on the side that owns it, safely across write switches (docs/coexistence.md, "Write
 * cutover"). Each write is one transaction on the owner's database that first takes the fence lock in shared
 * mode and reads the fence row: the switch coordinator takes the same lock exclusively to write its marker, so
 * a write either commits before the marker (and is carried across before the switch completes) or sees the
 * fence and is refused with a retryable {@link WriteFencedException}. A writer whose routing view is behind
 * the switch recorded in the fence row catches up before deciding.
 *
 * <pre>{@code
 * WriteGuard guard = new WriteGuard(routing, Map.of(Target.LEGACY, legacyDataSource, Target.NEW, newDataSource));
 * guard.write("customer", "42", (target, connection) -> {
 *   if (target == Target.LEGACY) { ... UPDATE customers ... } else { ... UPDATE customer ... }
 *   return null;
 * });   // WriteFencedException: retry after e.retryAfter()
 * }</pre>
 */
public final class WriteGuard {
  /** The fence lock's name in SQL ({@code hashtext(...)}); the coordinator uses the same. */
  public static String lockName(String entity) {
    return "tandem.fence:" + entity;
  }

  /** The fence row's cohort column: one row per entity and database. */
  public static final String ENTITY_ROW = "*";
  private static final Duration CATCH_UP = Duration.ofSeconds(5);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  /** The write itself, inside the guard's transaction on the owning side's database. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Target target, Connection connection) throws SQLException;
  }

  private final RoutingLog log;
  private final Map<Target, DataSource> databases;

  public WriteGuard(RoutingClient routing, Map<Target, DataSource> databases) {
    this(routing.log(), databases);
  }

  /** Over a routing log this process already follows. */
  public WriteGuard(RoutingLog log, Map<Target, DataSource> databases) {
    this.log = Objects.requireNonNull(log, "log");
    this.databases = Map.copyOf(databases);
    if (!this.databases.keySet().containsAll(java.util.EnumSet.allOf(Target.class))) {
      throw new IllegalArgumentException("a data source for both LEGACY and NEW is needed");
    }
  }

  /**
   * Runs {@code work} on the side that owns {@code key} and commits.
   *
   * @throws WriteFencedException while a write switch moves the key (retry after {@link
   *     WriteFencedException#retryAfter()})
   */
  public <T> T write(String entity, String key, Work<T> work) throws SQLException, InterruptedException {
    for (int attempt = 0; attempt < 3; attempt++) {
      Decision decision = log.state().decide(entity, key);
      if (decision.writeFenced()) {
        throw new WriteFencedException(entity, key, decision.version(), RETRY_AFTER);
      }
      try (Connection connection = databases.get(decision.write()).getConnection()) {
        connection.setAutoCommit(false);
        try {
          boolean mariaDb = isMariaDb(decision.write(), connection);
          long fenceOffset = lockAndReadFence(connection, entity, mariaDb);
          if (log.nextOffset() <= fenceOffset) {
            connection.rollback();
            catchUp(fenceOffset, entity, key, decision.version());
            continue; // decide again with a view that has seen the switch
          }
          // Decided again under the lock: the first decision may predate a switch the view has applied since.
          Decision locked = log.state().decide(entity, key);
          if (locked.writeFenced()) {
            connection.rollback();
            throw new WriteFencedException(entity, key, locked.version(), RETRY_AFTER);
          }
          if (locked.write() != decision.write()) {
            connection.rollback();
            continue;
          }
          // Fresh reads are judged by PostgreSQL positions; a MariaDB legacy's writes are not tracked.
          Long legacyLsn = decision.write() == Target.LEGACY && !mariaDb ? insertLsn(connection) : null;
          T result = work.run(decision.write(), connection);
          connection.commit();
          if (legacyLsn != null) {
            recentLegacyWrites.remember(entity + "/" + key, legacyLsn);
          }
          return result;
        } catch (SQLException | RuntimeException e) {
          rollbackQuietly(connection, e);
          throw e;
        }
      }
    }
    throw new WriteFencedException(entity, key, log.state().version(), RETRY_AFTER);
  }

  /**
   * Reads one key where the router sends its reads; a read from new of a key this process wrote on legacy
   * moments ago first waits (at most {@code maxWait}) until the new side holds that write, and is served
   * from legacy if it does not in time (docs/coexistence.md, "Fresh reads"). Freshness is judged by the
   * new row's {@code _tandem_position}, so {@code newTable} and {@code keyColumn} name the entity's table and
   * its (single) key column on new.
   */
  public <T> T read(String entity, String key, String newTable, String keyColumn, Duration maxWait, Work<T> work)
      throws SQLException, InterruptedException {
    Decision decision = log.state().decide(entity, key);
    Target target = decision.read();
    if (target == Target.NEW) {
      Long written = recentLegacyWrites.get(entity + "/" + key);
      if (written != null && !awaitFresh(newTable, keyColumn, key, written, maxWait)) {
        target = Target.LEGACY; // legacy owns the key's writes: it holds the write new has not applied yet
        staleReadsServedFromLegacy.incrementAndGet();
      }
    }
    try (Connection connection = databases.get(target).getConnection()) {
      return work.run(target, connection);
    }
  }

  /** Reads from new that were served from legacy because new had not applied this process's write in time. */
  public long staleReadsServedFromLegacy() {
    return staleReadsServedFromLegacy.get();
  }

  private boolean awaitFresh(String table, String keyColumn, String key, long writtenAfter, Duration maxWait)
      throws SQLException, InterruptedException {
    if (!IDENTIFIER.matcher(table).matches() || !IDENTIFIER.matcher(keyColumn).matches()) {
      throw new IllegalArgumentException("table and key column must be plain identifiers (schema.table allowed)");
    }
    long deadline = System.nanoTime() + maxWait.toNanos();
    try (Connection connection = databases.get(Target.NEW).getConnection();
        PreparedStatement position = connection.prepareStatement("SELECT _tandem_position FROM " + table
            + " WHERE " + keyColumn + "::text = ?")) {
      position.setString(1, key);
      while (true) {
        try (ResultSet row = position.executeQuery()) {
          if (row.next()) {
            long applied = row.getLong(1);
            // The write's first WAL record starts at or after the insert position read before it.
            if (!row.wasNull() && applied >= writtenAfter) {
              return true;
            }
          }
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(5);
      }
    }
  }

  private static Long insertLsn(Connection connection) throws SQLException {
    try (PreparedStatement lsn = connection.prepareStatement("SELECT (pg_current_wal_insert_lsn() - '0/0')::bigint");
        ResultSet row = lsn.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  private static final java.util.regex.Pattern IDENTIFIER =
      java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

  /**
   * This process's recent legacy writes (key → WAL position just before the write), bounded: the newest
   * {@value #RECENT_WRITES} keys, each for {@value #RECENT_SECONDS} s (later, forward sync has long caught up).
   */
  private static final class RecentWrites {
    private final java.util.LinkedHashMap<String, long[]> entries = new java.util.LinkedHashMap<>(1024, 0.75f, false);

    synchronized void remember(String key, long lsn) {
      entries.remove(key);
      entries.put(key, new long[] {lsn, System.nanoTime()});
      if (entries.size() > RECENT_WRITES) {
        entries.remove(entries.keySet().iterator().next());
      }
    }

    synchronized Long get(String key) {
      long[] entry = entries.get(key);
      if (entry == null || System.nanoTime() - entry[1] > java.util.concurrent.TimeUnit.SECONDS.toNanos(RECENT_SECONDS)) {
        return null;
      }
      return entry[0];
    }
  }

  private static final int RECENT_WRITES = 100_000;
  private static final int RECENT_SECONDS = 60;
  private final RecentWrites recentLegacyWrites = new RecentWrites();
  private final java.util.concurrent.atomic.AtomicLong staleReadsServedFromLegacy =
      new java.util.concurrent.atomic.AtomicLong();

  // Asked once per side: the kind of database behind a data source does not change.
  private final java.util.Map<Target, Boolean> mariaDbSides = new java.util.concurrent.ConcurrentHashMap<>();

  private boolean isMariaDb(Target side, Connection connection) throws SQLException {
    Boolean known = mariaDbSides.get(side);
    if (known == null) {
      known = io.tandem.core.sql.DatabaseKind.of(connection) == io.tandem.core.sql.DatabaseKind.MARIADB;
      mariaDbSides.put(side, known);
    }
    return known;
  }

  /*
   * The fence lock in shared mode: PostgreSQL's advisory lock of the entity, or on MariaDB a shared lock on the
   * entity's fence row (the coordinator's upsert of that row takes it exclusively).
   */
  private static long lockAndReadFence(Connection connection, String entity, boolean mariaDb) throws SQLException {
    if (!mariaDb) {
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock_shared(hashtext(?))")) {
        lock.setString(1, lockName(entity));
        lock.execute();
      }
    }
    try (PreparedStatement fence = connection.prepareStatement(
        "SELECT routing_offset FROM tandem_write_fence WHERE entity = ? AND cohort = ?"
            + (mariaDb ? " LOCK IN SHARE MODE" : ""))) {
      fence.setString(1, entity);
      fence.setString(2, ENTITY_ROW);
      try (ResultSet row = fence.executeQuery()) {
        return row.next() ? row.getLong(1) : -1;
      }
    }
  }

  private void catchUp(long offset, String entity, String key, long version) throws InterruptedException {
    try {
      log.awaitApplied(offset, CATCH_UP);
    } catch (TimeoutException e) {
      throw new WriteFencedException(entity, key, version, RETRY_AFTER);
    }
  }

  private static void rollbackQuietly(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
