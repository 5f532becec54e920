package io.tandem.verify;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MergeGroup;
import io.tandem.core.mapping.MergeRule;
import io.tandem.core.model.MappedEntity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.avro.generic.GenericRecord;

/**
 * Verifies an entity merged from several legacy sources ({@code merge:}): what the new table should hold is
 * every source's rows through its own mapping, duplicates resolved by {@link MergeGroup#resolve} (the merge
 * topology's own function). Compared by key buckets, as an unaligned entity ({@link EntityPlan}):
 *
 * <ol>
 *   <li>a census: every source read once, the 64-bit hash of each row's match value kept (8 bytes a row),
 *       so the match values that occur more than once are known;
 *   <li>every source read again: a row whose match value is not shared goes straight into its key bucket;
 *       rows that may be duplicates are held (only those) and resolved into the buckets once all are read;
 *       meanwhile the new database sums its buckets;
 *   <li>for the buckets that differ, their new rows are read and a third read of the sources diffs them.
 * </ol>
 *
 * A difference is reported only if it is still there when the comparison is repeated after the re-check
 * delay (a change in flight then has arrived). Buckets that differed but whose rows agreed when read a moment
 * later count as re-checked and cleared: the counts of such a pass are not the same moment's.
 */
public final class MergedEntityVerifier {
  private final MappedEntity entity;
  private final MergeRule rule;
  private final List<Source> sources;
  private final EntityPlan newPlan;
  private final Connector fresh;
  private final VerifyOptions options;
  private final Clock clock;
  private final RowComparer comparer;
  /** Key texts and canonical texts of new rows (the new side is the same for every source). */
  private final RowMapper newRows;

  /** One legacy source: its mapping's plan (its legacy table; the new side is the same for all). */
  private record Source(String name, Mapping mapping, EntityPlan plan, LegacyReader reader) {}

  private MergedEntityVerifier(MappedEntity entity, List<Source> sources, Connector fresh, VerifyOptions options,
      Clock clock) {
    this.entity = entity;
    this.rule = entity.merge().orElseThrow();
    this.sources = sources;
    this.newPlan = sources.get(0).plan();
    this.fresh = fresh;
    this.options = options;
    this.clock = clock;
    this.comparer = new RowComparer(newPlan, options, CohortResolver.NONE);
    this.newRows = new RowMapper(newPlan);
  }

  /**
   * @param legacy each source's legacy database, by source name ({@link MergeRule#PRIMARY_SOURCE} for the
   *     {@code legacy} section's)
   * @throws VerifyException when a source is not configured, a cohort is asked for, or a plan cannot be made
   */
  public static MergedEntityVerifier create(MappedEntity entity, String newTable, Map<String, Connector> legacy,
      Connector fresh, VerifyOptions options, Clock clock) {
    if (options.cohort() != null) {
      throw VerifyException.badRequest("entity " + entity.name() + " is merged from several legacy sources: it is"
          + " verified as a whole, not by cohort");
    }
    List<Source> sources = new ArrayList<>();
    for (Mapping mapping : entity.sources()) {
      Connector connector = legacy.get(mapping.legacySource());
      if (connector == null) {
        throw new VerifyException("entity " + entity.name() + ": no connection for legacy source '"
            + mapping.legacySource() + "' (configure it under merge.sources)", null);
      }
      try (Connection connection = connector.open(); Connection newConnection = fresh.open()) {
        EntityPlan plan = EntityPlan.prepare(connection, newConnection, mapping, entity.schema(), newTable);
        sources.add(new Source(mapping.legacySource(), mapping, plan, new LegacyReader(plan, connector, options)));
      } catch (SQLException e) {
        throw new VerifyException("entity " + entity.name() + ": cannot connect to legacy source '"
            + mapping.legacySource() + "' or the new database: " + e.getMessage(), e);
      }
    }
    return new MergedEntityVerifier(entity, sources, fresh, options, clock);
  }

  public String entity() {
    return entity.name();
  }

  /** One pass: a comparison, and when it finds differences, a second one after the re-check delay. */
  public EntityResult run(EntityVerifier.Progress progress) throws InterruptedException {
    Instant started = clock.instant();
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
      Thread thread = new Thread(r, "tandem-verify-merge-" + entity.name());
      thread.setDaemon(true);
      return thread;
    });
    try {
      Comparison first = compare(pool, progress);
      List<Difference> differences = first.differences;
      // Buckets that differed but whose rows, read a moment later, agreed: changes that were in flight.
      long settled = first.differences.isEmpty() ? first.bucketsDiffering : 0;
      long rechecked = settled;
      long cleared = settled;
      if (!differences.isEmpty()) {
        Thread.sleep(options.recheckDelay().toMillis());
        Comparison again = compare(pool, EntityVerifier.Progress.NONE);
        Map<String, Difference> now = new LinkedHashMap<>();
        again.differences.forEach(d -> now.put(d.key(), d));
        rechecked += differences.size();
        List<Difference> remaining = new ArrayList<>();
        for (Difference difference : differences) {
          Difference still = now.get(difference.key());
          if (still != null) {
            remaining.add(still);
          }
        }
        cleared += differences.size() - remaining.size();
        differences = remaining;
      }
      Map<String, EntityResult.CohortTally> byCohort = new LinkedHashMap<>();
      byCohort.put(null, new EntityResult.CohortTally(first.rowsChecked, differences.size(), 0));
      return new EntityResult(entity.name(), null, 0, started, clock.instant(), first.rowsRead, first.rowsChecked,
          first.expectedRows, first.newRows, EntityPlan.BUCKETS, first.bucketsDiffering, differences, rechecked,
          cleared, List.of(), byCohort);
    } catch (SQLException e) {
      throw new VerifyException("entity " + entity.name() + ": " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A legacy row mapped by its source's mapping. */
  private record Mapped(Source source, Object[] legacyKey, Map<String, Object> row, String error) {}

  /** What one comparison found. */
  private static final class Comparison {
    long rowsRead;
    long rowsChecked;
    long expectedRows;
    long newRows;
    long bucketsDiffering;
    final List<Difference> differences = new ArrayList<>();
  }

  private Comparison compare(ExecutorService pool, EntityVerifier.Progress progress) throws InterruptedException,
      SQLException {
    Comparison result = new Comparison();
    Set<Long> shared = sharedMatches(pool);
    try (Connection newSide = fresh.open(); Connection groupConnection = fresh.open()) {
      CompletableFuture<KeyBuckets> grouped = CompletableFuture.supplyAsync(() -> {
        try {
          return KeyBuckets.read(groupConnection, newPlan);
        } catch (SQLException e) {
          throw new VerifyException("entity " + entity.name() + ": hashing new table " + newPlan.newTable + ": "
              + e.getMessage(), e);
        }
      }, pool);
      RowHash hasher = newPlan.rowHash();
      KeyBuckets expected = new KeyBuckets();
      Map<String, List<Mapped>> candidates = new HashMap<>();
      List<Difference> unmappable = new ArrayList<>();
      for (Source source : sources) {
        forEachRow(source, pool, mapped -> {
          result.rowsRead++;
          if (mapped.error() != null) {
            unmappable.add(new Difference(entity.name(), source.name() + ":" + keyText(mapped.legacyKey()), null,
                Difference.Kind.UNMAPPABLE, null, null, null, mapped.error(), false));
            return;
          }
          if (mapped.row() == null) {
            return; // filtered out
          }
          result.rowsChecked++;
          Optional<String> match = match(mapped);
          if (match.isPresent() && shared.contains(hash64(match.get()))) {
            candidates.computeIfAbsent(match.get(), m -> new ArrayList<>()).add(mapped);
          } else {
            GenericRecord record = entity.schema().valueRecord(mapped.row());
            expected.add(keyTextOf(record), hasher.hash(record));
          }
        });
        progress.chunkDone(entity.name(), result.rowsRead, result.rowsRead);
      }
      Map<String, GenericRecord> resolved = resolve(candidates);
      resolved.forEach((key, record) -> expected.add(key, hasher.hash(record)));
      KeyBuckets actual = EntityVerifier.join(grouped);
      result.expectedRows = expected.total();
      result.newRows = actual.total();
      List<Integer> differing = expected.differing(actual);
      result.bucketsDiffering = differing.size();
      for (List<Integer> batch : actual.batches(differing, EntityVerifier.MAX_BUCKET_ROWS_IN_MEMORY)) {
        locate(newSide, batch, resolved, shared, pool, result.differences);
      }
      result.differences.addAll(unmappable);
    }
    return result;
  }

  /** The hashes of match values that occur more than once across the sources (a full read of each). */
  private Set<Long> sharedMatches(ExecutorService pool) throws InterruptedException, SQLException {
    long[][] seen = {new long[1024]};
    int[] size = {0};
    for (Source source : sources) {
      forEachRow(source, pool, mapped -> {
        if (mapped.row() == null) {
          return;
        }
        Optional<String> match = match(mapped);
        if (match.isPresent()) {
          if (size[0] == seen[0].length) {
            seen[0] = Arrays.copyOf(seen[0], seen[0].length * 2);
          }
          seen[0][size[0]++] = hash64(match.get());
        }
      });
    }
    long[] hashes = Arrays.copyOf(seen[0], size[0]);
    Arrays.sort(hashes);
    Set<Long> shared = new HashSet<>();
    for (int i = 1; i < hashes.length; i++) {
      if (hashes[i] == hashes[i - 1]) {
        shared.add(hashes[i]);
      }
    }
    return shared;
  }

  /** The duplicate candidates' groups resolved as the merge topology resolves them: new key → record. */
  private Map<String, GenericRecord> resolve(Map<String, List<Mapped>> candidates) {
    Map<String, GenericRecord> resolved = new LinkedHashMap<>();
    for (List<Mapped> group : candidates.values()) {
      List<MergeGroup.Member> members = new ArrayList<>();
      for (Mapped mapped : group) {
        Map<String, Object> key = new LinkedHashMap<>(); // the new row's key fields: what the key rules made
        entity.mapping().keyFields().forEach(field -> key.put(field, mapped.row().get(field)));
        members.add(new MergeGroup.Member(mapped.source().name() + ":" + keyText(mapped.legacyKey()),
            mapped.source().name(), key, io.tandem.core.mapping.Join.keyText(List.copyOf(key.values())),
            mapped.row()));
      }
      for (MergeGroup.Outcome outcome : MergeGroup.resolve(rule, members, entity.mapping().keyFields()).outcomes()) {
        if (!outcome.absorbed()) {
          GenericRecord record = entity.schema().valueRecord(outcome.row());
          resolved.merge(keyTextOf(record), record, (a, b) -> a); // a collision shows as a count difference
        }
      }
    }
    return resolved;
  }

  /** Row-level diff of some buckets: their new rows in memory, then the sources read again. */
  private void locate(Connection newSide, List<Integer> buckets, Map<String, GenericRecord> resolved,
      Set<Long> shared, ExecutorService pool, List<Difference> differences) throws InterruptedException,
      SQLException {
    boolean[] wanted = new boolean[EntityPlan.BUCKETS];
    buckets.forEach(bucket -> wanted[bucket] = true);
    Map<String, String[]> unclaimed = new HashMap<>();
    try (PreparedStatement statement = newSide.prepareStatement(newPlan.newBucketRowsSql())) {
      statement.setArray(1, newSide.createArrayOf("integer", buckets.toArray()));
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          String[] actual = Rechecker.canonical(rows, newPlan.fields.size());
          unclaimed.put(newRows.keyText(actual), actual);
        }
      }
    }
    Map<String, Integer> claims = new HashMap<>();
    List<GenericRecord> wantedRecords = new ArrayList<>();
    for (Source source : sources) {
      forEachRow(source, pool, mapped -> {
        if (mapped.row() == null || mapped.error() != null) {
          return;
        }
        Optional<String> match = match(mapped);
        if (match.isPresent() && shared.contains(hash64(match.get()))) {
          return; // resolved with its group
        }
        GenericRecord record = entity.schema().valueRecord(mapped.row());
        if (wanted[EntityPlan.bucketOf(keyTextOf(record))]) {
          wantedRecords.add(record);
        }
      });
    }
    resolved.forEach((key, record) -> {
      if (wanted[EntityPlan.bucketOf(key)]) {
        wantedRecords.add(record);
      }
    });
    for (GenericRecord record : wantedRecords) {
      String key = keyTextOf(record);
      if (claims.merge(key, 1, Integer::sum) > 1) {
        differences.add(new Difference(entity.name(), key, null, Difference.Kind.UNMAPPABLE, null, null, null,
            "rows of several legacy sources map to this key and are not duplicates by merge.match: the key rules"
                + " collide (the merge topology dead-letters all but the first)", false));
        continue;
      }
      String[] actual = unclaimed.remove(key);
      if (actual == null) {
        differences.add(new Difference(entity.name(), key, null, Difference.Kind.MISSING, null, null, null, null,
            false));
      } else {
        Difference different = comparer.diff(key, null, newRows.canonicalOf(record), actual);
        if (different != null) {
          differences.add(different);
        }
      }
    }
    unclaimed.keySet().forEach(key -> differences.add(new Difference(entity.name(), key, null,
        Difference.Kind.EXTRA, null, null, null, null, false)));
  }

  private interface RowHandler {
    void accept(Mapped mapped);
  }

  /** Every row of a source, mapped by its mapping (read ahead on a pool thread). */
  private void forEachRow(Source source, ExecutorService pool, RowHandler handler) throws InterruptedException,
      SQLException {
    source.reader().forEachChunk(pool, rows -> {
      for (LegacyRow row : rows) {
        Object[] legacyKey = source.reader().bindKey(row);
        try {
          Optional<Map<String, Object>> mapped = source.mapping().apply(row);
          handler.accept(new Mapped(source, legacyKey, mapped.orElse(null), null));
        } catch (RuntimeException e) {
          handler.accept(new Mapped(source, legacyKey, null, "mapping " + source.mapping().name() + ": "
              + e.getMessage()));
        }
      }
    });
  }

  private Optional<String> match(Mapped mapped) {
    try {
      return rule.matchValue(mapped.row());
    } catch (RuntimeException e) {
      return Optional.empty(); // the topology dead-letters such a row: it is compared as not merged
    }
  }

  private String keyTextOf(GenericRecord record) {
    return newRows.keyTextOf(record);
  }

  private static String keyText(Object[] legacyKey) {
    StringBuilder text = new StringBuilder();
    for (Object part : legacyKey) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(part);
    }
    return text.toString();
  }

  /** FNV-1a over the text's UTF-16 units: a collision only holds a row back for the exact comparison. */
  static long hash64(String text) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      hash ^= text.charAt(i);
      hash *= 0x100000001b3L;
    }
    return hash;
  }

}
