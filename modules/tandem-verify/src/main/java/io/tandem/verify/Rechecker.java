package io.tandem.verify;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the rows a pass found different, after the replication lag, on both sides, so a change still
 * in flight is not reported; and, after a repair, until the repaired rows arrive.
 */
final class Rechecker {
  private static final Logger LOG = LoggerFactory.getLogger(Rechecker.class);

  private final EntityPlan plan;
  private final LegacyReader legacyReader;
  private final RowMapper mapper;
  private final Connector fresh;
  private final VerifyOptions options;
  private final RowComparer comparer;

  Rechecker(EntityPlan plan, LegacyReader legacyReader, RowMapper mapper, Connector fresh, VerifyOptions options,
      RowComparer comparer) {
    this.plan = plan;
    this.legacyReader = legacyReader;
    this.mapper = mapper;
    this.fresh = fresh;
    this.options = options;
    this.comparer = comparer;
  }

  /**
   * Re-reads the keys of {@code differences} until new equals legacy for each (or both lack it), or
   * {@code timeout} passes: after a repair, the re-emitted rows take a replication lag to arrive.
   *
   * @return the differences that remain, as they stand now
   */
  List<Difference> awaitResolved(List<Difference> differences, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Difference> pending = new ArrayList<>(differences);
    try (Connection legacyConnection = legacyReader.open(); Connection newConnection = fresh.open();
        PreparedStatement legacyByKey = legacyConnection.prepareStatement(plan.legacyByKeySql());
        PreparedStatement newByKey = newConnection.prepareStatement(plan.newByKeySql())) {
      while (true) {
        List<Difference> still = new ArrayList<>();
        for (Difference difference : pending) {
          Object[] key = mapper.legacyKeyOf(difference.key());
          State want = legacyState(legacyByKey, key);
          State have = newState(newByKey, key, null);
          if (!have.sameAs(want)) {
            Suspect suspect = new Suspect(difference, key, null, difference.cohort());
            Difference now = confirm(suspect, want, have);
            still.add(now == null ? difference : now);
          }
        }
        pending = still;
        if (pending.isEmpty() || System.nanoTime() > deadline) {
          return pending;
        }
        Thread.sleep(500);
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + plan.entity() + ": re-checking repaired rows: " + e.getMessage(), e);
    }
  }

  /** Whether legacy, now, has a row for this key that the mapping keeps. */
  boolean hasMappedRow(PreparedStatement legacyByKey, Object[] legacyKey) throws SQLException {
    State state = legacyState(legacyByKey, legacyKey);
    return state.present && state.canonical != null;
  }

  /** A key whose legacy row changed through every round: not proven either way. */
  record Unsettled(String key, String cohort) {}

  /** What the re-checks confirmed, how many they read and cleared, and what stayed unsettled. */
  record Result(List<Difference> remaining, long rechecked, long cleared, List<Unsettled> unsettled) {}

  /**
   * Re-reads every suspect: legacy now, then after the delay new and legacy again. New holding either
   * legacy state clears it (the difference was a change in flight); legacy unchanged across the delay
   * and new still different in two rounds (or the last) confirms it; legacy changing every round
   * leaves it unsettled.
   */
  Result recheck(Map<String, Suspect> suspects) throws InterruptedException {
    if (suspects.isEmpty()) {
      return new Result(List.of(), 0, 0, List.of());
    }
    Map<String, Suspect> pending = new LinkedHashMap<>(suspects);
    List<Difference> confirmed = new ArrayList<>();
    long cleared = 0;
    try (Connection legacyConnection = legacyReader.open(); Connection newConnection = fresh.open();
        PreparedStatement legacyByKey = legacyConnection.prepareStatement(plan.legacyByKeySql());
        PreparedStatement newByKey = newConnection.prepareStatement(plan.aligned ? plan.newByKeySql()
            : plan.newByKeyTextSql())) {
      for (int round = 1; round <= options.recheckRounds() && !pending.isEmpty(); round++) {
        Map<String, State> before = new HashMap<>();
        for (Suspect suspect : pending.values()) {
          before.put(suspect.key(), legacyState(legacyByKey, suspect.legacyKey()));
        }
        Thread.sleep(options.recheckDelay().toMillis());
        Map<String, Suspect> next = new LinkedHashMap<>();
        for (Suspect suspect : pending.values()) {
          State now = newState(newByKey, suspect.legacyKey(), suspect.newKey());
          State after = legacyState(legacyByKey, suspect.legacyKey());
          State earlier = before.get(suspect.key());
          if (now.sameAs(earlier) || now.sameAs(after)) {
            cleared++;
          } else if (earlier.sameAs(after) && (suspect.stableBefore() || round == options.recheckRounds())) {
            confirmed.add(confirm(suspect, after, now));
          } else if (earlier.sameAs(after)) {
            // Stable legacy, new still different: confirmed on the next round, so one lag spike longer
            // than the delay is not reported.
            next.put(suspect.key(), suspect.stable());
          } else {
            next.put(suspect.key(), suspect);
          }
        }
        pending = next;
      }
    } catch (SQLException e) {
      throw new VerifyException("entity " + plan.entity() + ": re-checking differences: " + e.getMessage(), e);
    }
    List<Unsettled> unsettled = pending.values().stream().map(s -> new Unsettled(s.key(), s.cohort())).toList();
    if (!unsettled.isEmpty()) {
      LOG.warn("{}: {} row(s) changed on legacy through every re-check; not proven either way", plan.entity(),
          unsettled.size());
    }
    return new Result(confirmed, suspects.size(), cleared, unsettled);
  }

  /** A row's state on one side: absent, unmappable (with reason), filtered, or canonical texts. */
  private record State(String[] canonical, String unmappable, boolean present) {
    boolean sameAs(State other) {
      return present == other.present && Objects.equals(unmappable, other.unmappable)
          && java.util.Arrays.equals(canonical, other.canonical);
    }
  }

  private static final State ABSENT = new State(null, null, false);

  private State legacyState(PreparedStatement byKey, Object[] legacyKey) throws SQLException {
    if (legacyKey == null) {
      return ABSENT;
    }
    LegacyRow row = legacyReader.byKey(byKey, legacyKey);
    if (row == null) {
      return ABSENT;
    }
    RowMapper.Mapped mapped = mapper.map(row);
    if (mapped.record() != null) {
      return new State(mapper.canonicalOf(mapped.record()), null, true);
    }
    // A filtered-out legacy row should be absent from new; an unmappable one too (dead-lettered).
    return mapped.filteredBy() != null ? ABSENT : new State(null, mapped.error(), true);
  }

  /** An aligned entity's new row by its legacy key values, another's by its new key texts. */
  private State newState(PreparedStatement byKey, Object[] legacyKey, String[] newKey) throws SQLException {
    Object[] values = plan.aligned ? legacyKey : newKey;
    if (values == null) {
      return ABSENT;
    }
    for (int i = 0; i < values.length; i++) {
      byKey.setObject(i + 1, values[i]);
    }
    try (ResultSet result = byKey.executeQuery()) {
      return result.next() ? new State(canonical(result, plan.fields.size()), null, true) : ABSENT;
    }
  }

  /** The difference as it stands after the re-check. */
  private Difference confirm(Suspect suspect, State legacyNow, State newNow) {
    String key = suspect.key();
    String cohort = suspect.cohort();
    if (legacyNow.unmappable != null) {
      return new Difference(plan.entity(), key, cohort, Difference.Kind.UNMAPPABLE, null, null, null,
          legacyNow.unmappable, false);
    }
    if (!legacyNow.present) {
      return new Difference(plan.entity(), key, cohort, Difference.Kind.EXTRA, null, null, null,
          suspect.difference().reason(), false);
    }
    if (!newNow.present) {
      return new Difference(plan.entity(), key, cohort, Difference.Kind.MISSING, null, null, null, null, false);
    }
    return comparer.diff(key, cohort, legacyNow.canonical, newNow.canonical);
  }

  static String[] canonical(ResultSet rows, int fields) throws SQLException {
    String[] values = new String[fields];
    for (int i = 0; i < values.length; i++) {
      values[i] = rows.getString(i + 1);
    }
    return values;
  }
}
