package io.tandem.verify;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.model.EntitySchema;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.avro.generic.GenericRecord;

/**
 * Verifies one entity: legacy rows in primary-key order, chunk by chunk, through the mapping; each
 * chunk's fingerprint compared with the new rows of the same key range (computed by the new database);
 * row-level diff only where fingerprints differ; then every difference re-read after the replication
 * lag, so a change still in flight is not reported. An entity whose new key is not the legacy primary
 * key in order (text, UUID, composite, re-keyed) is compared by key buckets instead ({@link EntityPlan}).
 *
 * <p>Three threads overlap: a reader fetching the next legacy chunk, the new database hashing the
 * current range, and the caller mapping and hashing the current chunk.
 */
public final class EntityVerifier {
  /** Told after every chunk. */
  public interface Progress {
    Progress NONE = (entity, rowsRead, estimatedRows) -> { };

    void chunkDone(String entity, long rowsRead, long estimatedRows);
  }

  private final EntityPlan plan;
  private final Connector fresh;
  private final VerifyOptions options;
  private final CohortResolver cohorts;
  private final DeadLetters deadLetters;
  private final Clock clock;
  private final LegacyReader legacyReader;
  private final RowMapper mapper;
  private final ThreadLocal<RowHash> hashers;
  private final RowComparer comparer;
  private final Rechecker rechecker;

  private EntityVerifier(EntityPlan plan, Connector legacy, Connector fresh, VerifyOptions options,
      CohortResolver cohorts, DeadLetters deadLetters, Clock clock) {
    this.plan = plan;
    this.fresh = fresh;
    this.options = options;
    this.cohorts = cohorts;
    this.deadLetters = deadLetters;
    this.clock = clock;
    this.legacyReader = new LegacyReader(plan, legacy, options);
    this.hashers = ThreadLocal.withInitial(plan::rowHash);
    this.mapper = new RowMapper(plan);
    this.comparer = new RowComparer(plan, options, cohorts);
    this.rechecker = new Rechecker(plan, legacyReader, mapper, fresh, options, comparer);
  }

  /**
   * @param newTable the entity's table in the new database (as the sink writes it)
   * @throws VerifyException when the mapping cannot be verified (named), or the cohort is unknown
   */
  public static EntityVerifier create(Mapping mapping, EntitySchema schema, String newTable, Connector legacy,
      Connector fresh, VerifyOptions options, CohortResolver cohorts, DeadLetters deadLetters, Clock clock) {
    if (options.cohort() != null && !cohorts.knows(schema.entity(), options.cohort())) {
      throw VerifyException.badRequest("entity " + schema.entity() + " has no cohort '" + options.cohort()
          + "' at routing version " + cohorts.routingVersion());
    }
    try (Connection connection = legacy.open(); Connection newConnection = fresh.open()) {
      EntityPlan plan = EntityPlan.prepare(connection, newConnection, mapping, schema, newTable);
      return new EntityVerifier(plan, legacy, fresh, options, cohorts, deadLetters, clock);
    } catch (SQLException e) {
      throw new VerifyException("entity " + schema.entity() + ": cannot connect to the legacy or new database: "
          + e.getMessage(), e);
    }
  }

  public String entity() {
    return plan.entity();
  }

  /**
   * Whether differences can be repaired by key ({@link #legacyKey}, {@link #newKey}, {@link #legacyLookup}):
   * the new key is the legacy primary key's integers in order.
   */
  public boolean aligned() {
    return plan.aligned;
  }

  /** Why the entity is not {@link #aligned()}, or null. */
  public String unalignedReason() {
    return plan.unalignedReason;
  }

  /** The legacy primary-key columns, in key order (for re-emitting rows by key). */
  public List<String> legacyKeyColumns() {
    return plan.legacyKeyColumns;
  }

  /** The legacy key values behind a difference (the new key is the legacy primary key, in order). */
  public List<Object> legacyKey(Difference difference) {
    return java.util.Arrays.asList(mapper.legacyKeyOf(difference.key()));
  }

  /** The new key of a difference as the entity's key record fields (for a delete on {@code migrated.<entity>}). */
  public Map<String, Object> newKey(Difference difference) {
    Object[] parts = mapper.legacyKeyOf(difference.key());
    Map<String, Object> key = new LinkedHashMap<>();
    for (int i = 0; i < plan.keyFieldIndexes.length; i++) {
      FieldForm form = plan.fields.get(plan.keyFieldIndexes[i]);
      key.put(form.name(), form.kind() == FieldForm.Kind.INT ? (Object) ((Number) parts[i]).intValue()
          : (Object) ((Number) parts[i]).longValue());
    }
    return key;
  }

  /** Legacy rows read by key on one connection: a repair asks it once or twice per difference. */
  public final class LegacyLookup implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement byKey;

    private LegacyLookup() throws SQLException {
      connection = legacyReader.open();
      try {
        byKey = connection.prepareStatement(plan.legacyByKeySql());
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
    }

    /** Whether legacy, now, has a row for this key that the mapping keeps (else new must not have it). */
    public boolean hasMappedRow(Difference difference) throws SQLException {
        return rechecker.hasMappedRow(byKey, mapper.legacyKeyOf(difference.key()));
    }

    @Override
    public void close() throws SQLException {
      try {
        byKey.close();
      } finally {
        connection.close();
      }
    }
  }

  public LegacyLookup legacyLookup() throws SQLException {
    return new LegacyLookup();
  }

  /**
   * Re-reads the keys of {@code differences} until new equals legacy for each (or both lack it), or
   * {@code timeout} passes: after a repair, the re-emitted rows take a replication lag to arrive.
   *
   * @return the differences that remain, as they stand now
   */
  public List<Difference> awaitResolved(List<Difference> differences, Duration timeout) throws InterruptedException {
    return rechecker.awaitResolved(differences, timeout);
  }

  /** One full pass. */
  public EntityResult run(Progress progress) throws InterruptedException {
    Instant started = clock.instant();
    Tally tally = new Tally();
    Map<String, Suspect> suspects = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(2, daemons("tandem-verify-" + plan.entity()));
    ExecutorService hashing = Executors.newSingleThreadExecutor(daemons("tandem-verify-hash-" + plan.entity()));
    try {
      if (plan.aligned) {
        scanByKeyRanges(progress, tally, suspects, pool, hashing);
      } else {
        scanByKeyBuckets(progress, tally, suspects, pool, hashing);
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + plan.entity() + ": " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
      hashing.shutdownNow();
      try {
        hashing.awaitTermination(30, TimeUnit.SECONDS); // every fingerprint was joined; this ends the thread
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    Rechecker.Result recheck = rechecker.recheck(suspects);
    List<Difference> differences = new ArrayList<>();
    for (Difference difference : recheck.remaining()) {
      Optional<String> dead = deadLetters.reason(plan.entity(), difference.key());
      differences.add(dead.isPresent() ? difference.withDeadLetter(dead.get()) : difference);
    }
    Map<String, EntityResult.CohortTally> byCohort = new LinkedHashMap<>();
    tally.rowsByCohort.forEach((cohort, rows) -> byCohort.put(cohort, new EntityResult.CohortTally(rows,
        differences.stream().filter(d -> Objects.equals(d.cohort(), cohort)).count(),
        recheck.unsettled().stream().filter(u -> Objects.equals(u.cohort(), cohort)).count())));
    for (Difference d : differences) {
      byCohort.putIfAbsent(d.cohort(), new EntityResult.CohortTally(0,
          differences.stream().filter(x -> Objects.equals(x.cohort(), d.cohort())).count(), 0));
    }
    return new EntityResult(plan.entity(), options.cohort(), cohorts.routingVersion(), started, clock.instant(),
        tally.rowsRead, tally.rowsChecked, tally.expectedRows, tally.newRows, tally.chunks, tally.chunksDiffering,
        differences, recheck.rechecked(), recheck.cleared(), recheck.unsettled().stream().map(Rechecker.Unsettled::key)
        .toList(), byCohort);
  }

  /** An aligned entity: legacy chunks and the new rows of the same key range, fingerprint against fingerprint. */
  private void scanByKeyRanges(Progress progress, Tally tally, Map<String, Suspect> suspects, ExecutorService pool,
      ExecutorService hashing) throws InterruptedException, SQLException {
    BlockingQueue<LegacyReader.Chunk> chunks = new ArrayBlockingQueue<>(2);
    try (Connection newSide = fresh.open(); Connection hashConnection = fresh.open()) {
      long estimated = legacyReader.estimate();
      CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> legacyReader.readAll(chunks,
          (from, to) -> CompletableFuture.supplyAsync(() -> newFingerprint(hashConnection, from, to), hashing)), pool);
      Object[] lower = null;
      while (true) {
        LegacyReader.Chunk chunk = LegacyReader.take(chunks, reader);
        if (chunk.end()) {
          // After the last legacy key: anything in new is extra.
          long[] rest = newFingerprint(newSide, lower, null);
          tally.newRows += rest[0];
          if (rest[0] > 0) {
            compareRange(newSide, lower, null, new Expected(), tally, suspects);
          }
          break;
        }
        Object[] upper = chunk.lastKey();
        CompletableFuture<long[]> fingerprint = chunk.fingerprint();
        Expected expected = expect(chunk.rows(), pool);
        tally.rowsRead += chunk.rows().size();
        compareChunk(newSide, lower, upper, expected, join(fingerprint), tally, suspects);
        lower = upper;
        progress.chunkDone(plan.entity(), tally.rowsRead, Math.max(estimated, tally.rowsRead));
      }
      reader.join();
    }
  }

  /** New rows of differing buckets held in memory at once; more differing rows take further legacy scans. */
  static final int MAX_BUCKET_ROWS_IN_MEMORY = 200_000;

  /**
   * An unaligned entity. (1) One legacy scan sums each key bucket's mapped rows and row hashes while the
   * new database groups its rows the same way. (2) For the buckets that differ, their new rows are read,
   * then a second legacy scan diffs the legacy rows of those buckets against them: new is read first, so
   * a row new holds came from a legacy commit that scan sees, and a new row no legacy row claims is extra.
   */
  private void scanByKeyBuckets(Progress progress, Tally tally, Map<String, Suspect> suspects, ExecutorService pool,
      ExecutorService hashing) throws InterruptedException, SQLException {
    KeyBuckets legacyBuckets = new KeyBuckets();
    try (Connection newSide = fresh.open(); Connection groupConnection = fresh.open()) {
      CompletableFuture<KeyBuckets> grouped = CompletableFuture.supplyAsync(() -> {
        try {
          return KeyBuckets.read(groupConnection, plan);
        } catch (SQLException e) {
          throw new VerifyException("entity " + plan.entity() + ": hashing new table " + plan.newTable + ": "
              + e.getMessage(), e);
        }
      }, hashing);
      long estimated = legacyReader.estimate();
      forEachLegacyChunk(pool, rows -> {
        Expected expected = expect(rows, pool);
        tally.rowsRead += rows.size();
        countChecked(expected, tally, suspects);
        for (ExpectedRow row : expected.rows) {
          legacyBuckets.add(row.key(), row.hash);
        }
        progress.chunkDone(plan.entity(), tally.rowsRead, Math.max(estimated, tally.rowsRead));
      });
      KeyBuckets newBuckets = join(grouped);
      List<Integer> differing = legacyBuckets.differing(newBuckets);
      tally.expectedRows += legacyBuckets.total();
      tally.newRows += newBuckets.total();
      tally.chunks += EntityPlan.BUCKETS;
      tally.chunksDiffering += differing.size();
      for (List<Integer> batch : newBuckets.batches(differing, MAX_BUCKET_ROWS_IN_MEMORY)) {
        compareBuckets(newSide, batch, pool, suspects);
      }
    }
  }

  /** Row-level diff of some key buckets: their new rows in memory, then a legacy scan. */
  private void compareBuckets(Connection newSide, List<Integer> buckets, ExecutorService pool,
      Map<String, Suspect> suspects) throws InterruptedException, SQLException {
    boolean[] wanted = new boolean[EntityPlan.BUCKETS];
    buckets.forEach(bucket -> wanted[bucket] = true);
    Map<String, String[]> unclaimed = new HashMap<>();
    try (PreparedStatement statement = newSide.prepareStatement(plan.newBucketRowsSql())) {
      statement.setArray(1, newSide.createArrayOf("integer", buckets.toArray()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String[] actual = canonical(rows);
          unclaimed.put(mapper.keyText(actual), actual);
        }
      }
    }
    forEachLegacyChunk(pool, rows -> {
      for (ExpectedRow want : expect(rows, pool).rows) {
        if (!wanted[EntityPlan.bucketOf(want.key())]) {
          continue;
        }
        String[] actual = unclaimed.remove(want.key());
        if (!counts(want.cohort)) {
          continue;
        }
        if (actual == null) {
          suspects.put(want.key(), new Suspect(new Difference(plan.entity(), want.key(), want.cohort,
              Difference.Kind.MISSING, null, null, null, null, false), want.legacyKey, want.newKey(), want.cohort));
        } else {
          Difference different = diff(want, actual);
          if (different != null) {
            suspects.put(want.key(), new Suspect(different, want.legacyKey, want.newKey(), want.cohort));
          }
        }
      }
    });
    unclaimed.forEach((key, actual) -> {
      String cohort = cohortOf(key, actual);
      if (counts(cohort)) {
        suspects.put(key, new Suspect(new Difference(plan.entity(), key, cohort, Difference.Kind.EXTRA, null, null,
            null, null, false), null, mapper.keyPartsOf(actual), cohort));
      }
    });
  }

  /** Every legacy row, chunk by chunk (read ahead on a pool thread). */
  private void forEachLegacyChunk(ExecutorService pool, LegacyReader.ChunkHandler handler)
      throws InterruptedException, SQLException {
    legacyReader.forEachChunk(pool, handler);
  }

  // ---- legacy side ----

  private static java.util.concurrent.ThreadFactory daemons(String name) {
    return r -> {
      Thread thread = new Thread(r, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /** What the new database should hold for one chunk, by key text. */
  private static final class Expected {
    final List<ExpectedRow> rows = new ArrayList<>();
    final Map<String, String> filtered = new HashMap<>();
    final List<Suspect> unmappable = new ArrayList<>();
    long count;
    long sum;
  }

  /** A mapped legacy row; its key text and canonical texts are made only if a diff needs them. */
  private final class ExpectedRow {
    final Object[] legacyKey;
    final String cohort;
    final long hash;
    private final GenericRecord record;
    private String key;
    private String[] canonical;

    ExpectedRow(Object[] legacyKey, GenericRecord record, long hash, String key, String cohort) {
      this.legacyKey = legacyKey;
      this.record = record;
      this.hash = hash;
      this.key = key;
      this.cohort = cohort;
    }

    ExpectedRow(String key, Object[] legacyKey, String[] canonical, String cohort) {
      this(legacyKey, null, 0, key, cohort);
      this.canonical = canonical;
    }

    String key() {
      if (key == null) {
        key = plan.aligned ? mapper.keyText(legacyKey) : mapper.keyTextOf(record);
      }
      return key;
    }

    /** The new key's field texts, for re-reading an unaligned entity's row (null when aligned). */
    String[] newKey() {
      return plan.aligned ? null : mapper.keyPartsOf(canonical());
    }

    String[] canonical() {
      if (canonical == null) {
        canonical = mapper.canonicalOf(record);
      }
      return canonical;
    }
  }

  /** Maps a chunk on two threads (the caller and a pool thread): the mapping is the most expensive part. */
  private Expected expect(List<LegacyRow> rows, ExecutorService pool) throws InterruptedException {
    if (rows.size() < 1000) {
      return expect(rows);
    }
    int half = rows.size() / 2;
    CompletableFuture<Expected> first = CompletableFuture.supplyAsync(() -> expect(rows.subList(0, half)), pool);
    Expected second = expect(rows.subList(half, rows.size()));
    Expected merged = join(first);
    merged.rows.addAll(second.rows);
    merged.filtered.putAll(second.filtered);
    merged.unmappable.addAll(second.unmappable);
    merged.count += second.count;
    merged.sum += second.sum;
    return merged;
  }

  private Expected expect(List<LegacyRow> rows) {
    RowHash hasher = hashers.get();
    Expected expected = new Expected();
    for (LegacyRow row : rows) {
      Object[] legacyKey = legacyReader.bindKey(row);
      RowMapper.Mapped mapped = mapper.map(row);
      if (mapped.record() != null) {
        String key = null;
        String cohort = null;
        if (cohorts != CohortResolver.NONE) {
          key = plan.aligned ? mapper.keyText(legacyKey) : mapper.keyTextOf(mapped.record());
          cohort = cohortOf(key, mapped.record());
        }
        long hash = hasher.hash(mapped.record());
        expected.rows.add(new ExpectedRow(legacyKey, mapped.record(), hash, key, cohort));
        expected.count++;
        expected.sum += hash;
      } else if (mapped.filteredBy() != null) {
        expected.filtered.put(mapper.keyText(legacyKey), mapped.filteredBy());
      } else {
        String key = mapper.keyText(legacyKey);
        String cohort = cohortOf(key, Map.of());
        expected.unmappable.add(new Suspect(new Difference(plan.entity(), key, cohort, Difference.Kind.UNMAPPABLE,
            null, null, null, mapped.error(), false), legacyKey, null, cohort));
      }
    }
    return expected;
  }

  private String cohortOf(String key, GenericRecord record) {
    return cohortOf(key, i -> plan.fields.get(i).text(record.get(i)));
  }

  private String cohortOf(String key, String[] canonical) {
    return cohortOf(key, i -> canonical[i]);
  }

  /** Rule cohorts read the entity's declared attributes from the row's fields, as canonical text. */
  private String cohortOf(String key, IntFunction<String> fieldText) {
    if (cohorts == CohortResolver.NONE) {
      return null;
    }
    return cohortOf(key, new java.util.AbstractMap<String, String>() {
      @Override
      public String get(Object name) {
        int i = plan.fieldIndex(name);
        return i < 0 ? null : fieldText.apply(i);
      }

      @Override
      public java.util.Set<Entry<String, String>> entrySet() {
        java.util.Set<Entry<String, String>> entries = new java.util.LinkedHashSet<>();
        for (int i = 0; i < plan.fields.size(); i++) {
          entries.add(new SimpleImmutableEntry<>(plan.fields.get(i).name(), fieldText.apply(i)));
        }
        return entries;
      }
    });
  }

  private String cohortOf(String key, Map<String, String> fields) {
    return cohorts == CohortResolver.NONE ? null : cohorts.cohortOf(plan.entity(), key, fields);
  }

  private boolean counts(String cohort) {
    return options.cohort() == null || options.cohort().equals(cohort);
  }

  // ---- new side ----

  private long[] newFingerprint(Connection connection, Object[] lower, Object[] upper) {
    try {
      try (PreparedStatement statement = connection.prepareStatement(plan.newChunkHashSql(lower != null,
          upper != null))) {
        bindRange(statement, lower, upper);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          return new long[] {rows.getLong(1), new BigInteger(rows.getString(2)).longValue()};
        }
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + plan.entity() + ": hashing new table " + plan.newTable + ": "
          + e.getMessage(), e);
    }
  }

  private void bindRange(PreparedStatement statement, Object[] lower, Object[] upper) throws SQLException {
    int p = 1;
    if (lower != null) {
      for (Object part : lower) {
        statement.setObject(p++, part);
      }
    }
    if (upper != null) {
      for (Object part : upper) {
        statement.setObject(p++, part);
      }
    }
  }

  private void compareChunk(Connection newSide, Object[] lower, Object[] upper, Expected expected, long[] actual,
      Tally tally, Map<String, Suspect> suspects) throws SQLException {
    tally.chunks++;
    tally.expectedRows += expected.count;
    tally.newRows += actual[0];
    countChecked(expected, tally, suspects);
    if (actual[0] == expected.count && actual[1] == expected.sum) {
      return;
    }
    tally.chunksDiffering++;
    compareRange(newSide, lower, upper, expected, tally, suspects);
  }

  /** Counts a chunk's rows of the cohort verified; its unmappable rows are suspects whatever new holds. */
  private void countChecked(Expected expected, Tally tally, Map<String, Suspect> suspects) {
    for (ExpectedRow row : expected.rows) {
      if (counts(row.cohort)) {
        tally.rowsChecked++;
        tally.rowsByCohort.merge(row.cohort, 1L, Long::sum);
      }
    }
    for (Suspect unmappable : expected.unmappable) {
      if (counts(unmappable.cohort())) {
        tally.rowsChecked++;
        tally.rowsByCohort.merge(unmappable.cohort(), 1L, Long::sum);
        suspects.put(unmappable.key(), unmappable);
      }
    }
  }

  /** Row-level diff of one key range. */
  private void compareRange(Connection newSide, Object[] lower, Object[] upper, Expected expected, Tally tally,
      Map<String, Suspect> suspects) throws SQLException {
    Map<String, ExpectedRow> unseen = new HashMap<>();
    expected.rows.forEach(row -> unseen.put(row.key(), row));
    java.util.Set<String> unmappable = new java.util.HashSet<>();
    expected.unmappable.forEach(suspect -> unmappable.add(suspect.key()));
    try (PreparedStatement statement = newSide.prepareStatement(plan.newChunkRowsSql(lower != null, upper != null))) {
      bindRange(statement, lower, upper);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String[] actual = canonical(rows);
          String key = mapper.keyText(actual);
          ExpectedRow want = unseen.remove(key);
          if (want == null) {
            if (unmappable.contains(key)) {
              continue;
            }
            String cohort = cohortOf(key, actual);
            if (counts(cohort)) {
              String reason = expected.filtered.containsKey(key)
                  ? "the mapping filters the legacy row out (" + expected.filtered.get(key) + ")" : null;
              Difference extra = new Difference(plan.entity(), key, cohort, Difference.Kind.EXTRA, null, null,
                  null, reason, false);
              suspects.put(key, new Suspect(extra, mapper.legacyKeyOf(key), null, cohort));
            }
            continue;
          }
          Difference different = diff(want, actual);
          if (different != null && counts(want.cohort)) {
            suspects.put(key, new Suspect(different, want.legacyKey, null, want.cohort));
          }
        }
      }
    }
    for (ExpectedRow missing : unseen.values()) {
      if (counts(missing.cohort)) {
        suspects.put(missing.key(), new Suspect(new Difference(plan.entity(), missing.key(), missing.cohort,
            Difference.Kind.MISSING, null, null, null, null, false), missing.legacyKey, null, missing.cohort));
      }
    }
  }

  private Difference diff(ExpectedRow want, String[] actual) {
    return comparer.diff(want.key(), want.cohort, want.canonical(), actual);
  }

  private String[] canonical(ResultSet rows) throws SQLException {
    return Rechecker.canonical(rows, plan.fields.size());
  }

  static <T> T join(CompletableFuture<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new VerifyException(e.getCause().getMessage(), e.getCause());
    }
  }

  private static final class Tally {
    long rowsRead;
    long rowsChecked;
    long chunks;
    long chunksDiffering;
    long expectedRows;
    long newRows;
    final Map<String, Long> rowsByCohort = new LinkedHashMap<>();
  }
}
