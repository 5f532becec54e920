package io.tandem.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The legacy side of a pass: chunks of rows in primary-key order (keyset pagination), read as the raw
 * change topic carries them, within the legacy read budget; and single rows by key for re-checks.
 */
final class LegacyReader {
  /** A chunk of legacy rows and the new database's fingerprint of its key range, already under way. */
  record Chunk(List<LegacyRow> rows, Object[] lastKey, CompletableFuture<long[]> fingerprint) {
    boolean end() {
      return rows.isEmpty();
    }
  }

  /** Starts the new database's fingerprint of a key range {@code (lower, upper]}. */
  interface Fingerprints {
    CompletableFuture<long[]> of(Object[] lower, Object[] upper);
  }

  private final EntityPlan plan;
  private final Connector legacy;
  private final VerifyOptions options;

  LegacyReader(EntityPlan plan, Connector legacy, VerifyOptions options) {
    this.plan = plan;
    this.legacy = legacy;
    this.options = options;
  }

  /**
   * Reads every chunk into {@code out}, starting each chunk's fingerprint as soon as its range is known,
   * and ends with an empty chunk. Runs on its own thread.
   */
  void readAll(BlockingQueue<Chunk> out, Fingerprints fingerprints) {
    long started = System.nanoTime();
    long rows = 0;
    try (Connection connection = open();
        PreparedStatement first = connection.prepareStatement(plan.legacyChunkSql(false));
        PreparedStatement next = connection.prepareStatement(plan.legacyChunkSql(true))) {
      Object[] after = null;
      while (true) {
        PreparedStatement statement = after == null ? first : next;
        int p = 1;
        if (after != null) {
          for (int i = 0; i < after.length; i++) {
            statement.setObject(p++, after[i]);
          }
        }
        statement.setInt(p, options.chunkSize());
        List<LegacyRow> chunk = new ArrayList<>(options.chunkSize());
        try (ResultSet result = statement.executeQuery()) {
          LegacyRow.Columns columns = columns(plan, result.getMetaData());
          int keyColumns = plan.aligned ? 0 : plan.legacyKeyColumns.size();
          while (result.next()) {
            chunk.add(row(result, columns, keyColumns));
          }
        }
        if (chunk.isEmpty()) {
          out.put(new Chunk(List.of(), null, null));
          return;
        }
        if (!plan.children.isEmpty()) {
          plan.children.attach(connection, chunk);
        }
        Object[] before = after;
        after = bindKey(chunk.get(chunk.size() - 1));
        // The new database hashes this range while earlier chunks are still being mapped.
        out.put(new Chunk(chunk, after, fingerprints.of(before, after)));
        rows += chunk.size();
        throttle(started, rows);
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + plan.entity() + ": reading legacy " + plan.mapping.sourceTable() + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Takes one chunk of legacy rows (a verifier's scan, a cohort's member listing). */
  interface ChunkHandler {
    void accept(List<LegacyRow> rows) throws InterruptedException, java.sql.SQLException;
  }

  /** Every legacy row, chunk by chunk, read ahead on {@code pool}; the caller's thread handles them. */
  void forEachChunk(java.util.concurrent.Executor pool, ChunkHandler handler) throws InterruptedException,
      java.sql.SQLException {
    BlockingQueue<Chunk> chunks = new java.util.concurrent.ArrayBlockingQueue<>(2);
    java.util.concurrent.CompletableFuture<Void> reader = java.util.concurrent.CompletableFuture.runAsync(
        () -> readAll(chunks, (from, to) -> null), pool);
    while (true) {
      Chunk chunk = take(chunks, reader);
      if (chunk.end()) {
        break;
      }
      handler.accept(chunk.rows());
    }
    reader.join();
  }

  /** The next chunk; rethrows the reader's failure when it stopped. */
  static Chunk take(BlockingQueue<Chunk> chunks, java.util.concurrent.CompletableFuture<Void> reader)
      throws InterruptedException {
    while (true) {
      Chunk chunk = chunks.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (chunk != null) {
        return chunk;
      }
      if (reader.isDone()) {
        reader.join(); // rethrows the reader's failure
        chunk = chunks.poll();
        if (chunk != null) {
          return chunk;
        }
        throw new IllegalStateException("legacy reader stopped without an end marker");
      }
    }
  }

  /** The legacy row with this key, or null. */
  LegacyRow byKey(PreparedStatement byKey, Object[] legacyKey) throws SQLException {
    for (int i = 0; i < legacyKey.length; i++) {
      byKey.setObject(i + 1, legacyKey[i]);
    }
    try (ResultSet result = byKey.executeQuery()) {
      if (!result.next()) {
        return null;
      }
      LegacyRow row = row(result, columns(plan, result.getMetaData()), plan.aligned ? 0 : plan.legacyKeyColumns.size());
      if (!plan.children.isEmpty()) {
        plan.children.attach(byKey.getConnection(), List.of(row));
      }
      return row;
    }
  }

  Connection open() throws SQLException {
    Connection connection = legacy.open();
    try {
      plan.dialect.prepare(connection);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Legacy rows estimated from the database's statistics (for progress), 0 when unknown. */
  long estimate() {
    try (Connection connection = legacy.open()) {
      return plan.dialect.estimate(connection, plan.mapping.sourceTable());
    } catch (SQLException e) {
      return 0;
    }
  }

  /** A row's primary-key values, in key order. */
  Object[] key(Map<String, Object> row) {
    Object[] key = new Object[plan.legacyKeyColumns.size()];
    for (int i = 0; i < key.length; i++) {
      key[i] = row.get(plan.legacyKeyColumns.get(i));
    }
    return key;
  }

  /**
   * A row's primary key as it is bound in a later statement (keyset pagination, a re-read by key):
   * integer keys of an aligned entity as their raw-topic values, any other key as the driver's own
   * objects, so a text, UUID or date key compares in its own type.
   */
  Object[] bindKey(LegacyRow row) {
    return plan.aligned ? key(row) : row.boundKey();
  }

  private static final Object[] NO_KEY = {};

  /** The key columns come first in every legacy select list ({@link EntityPlan}). */
  private static LegacyRow row(ResultSet result, LegacyRow.Columns columns, int keyColumns) throws SQLException {
    Object[] values = new Object[columns.names.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = LegacyValues.read(result, i + 1, columns.wires[i]);
    }
    Object[] boundKey = keyColumns == 0 ? NO_KEY : new Object[keyColumns];
    for (int i = 0; i < keyColumns; i++) {
      boundKey[i] = result.getObject(i + 1);
    }
    return new LegacyRow(columns, values, boundKey);
  }

  private static LegacyRow.Columns columns(EntityPlan plan, ResultSetMetaData meta) throws SQLException {
    int n = meta.getColumnCount();
    String[] names = new String[n];
    LegacyValues.Wire[] wires = new LegacyValues.Wire[n];
    for (int i = 0; i < n; i++) {
      names[i] = meta.getColumnName(i + 1);
      wires[i] = plan.wire(meta, i + 1);
    }
    return new LegacyRow.Columns(names, wires);
  }

  private void throttle(long startedNanos, long rows) throws InterruptedException {
    if (options.legacyRowsPerSecond() <= 0) {
      return;
    }
    long dueNanos = startedNanos + (long) (rows / options.legacyRowsPerSecond() * 1e9);
    long waitNanos = dueNanos - System.nanoTime();
    if (waitNanos > 0) {
      TimeUnit.NANOSECONDS.sleep(waitNanos);
    }
  }
}
