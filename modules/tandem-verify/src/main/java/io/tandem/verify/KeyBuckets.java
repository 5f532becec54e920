package io.tandem.verify;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-bucket fingerprints of an unaligned entity's pass ({@link EntityPlan#bucketOf}): row count and
 * sum of row hashes for each of the {@link EntityPlan#BUCKETS} buckets, the legacy side added up row by
 * row, the new side read from the new database's {@code GROUP BY}; then the buckets that differ, in
 * batches whose new rows fit in memory.
 */
final class KeyBuckets {
  final long[] counts = new long[EntityPlan.BUCKETS];
  final long[] sums = new long[EntityPlan.BUCKETS];

  void add(String keyText, long rowHash) {
    int bucket = EntityPlan.bucketOf(keyText);
    counts[bucket]++;
    sums[bucket] += rowHash;
  }

  long total() {
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    return total;
  }

  /** The new table's buckets. */
  static KeyBuckets read(Connection connection, EntityPlan plan) throws SQLException {
    KeyBuckets buckets = new KeyBuckets();
    try (PreparedStatement statement = connection.prepareStatement(plan.newBucketHashSql());
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        int bucket = rows.getInt(1);
        buckets.counts[bucket] = rows.getLong(2);
        buckets.sums[bucket] = new BigInteger(rows.getString(3)).longValue(); // the sum modulo 2^64
      }
    }
    return buckets;
  }

  /** The buckets whose count or sum differ from {@code other}'s. */
  List<Integer> differing(KeyBuckets other) {
    List<Integer> differing = new ArrayList<>();
    for (int bucket = 0; bucket < EntityPlan.BUCKETS; bucket++) {
      if (counts[bucket] != other.counts[bucket] || sums[bucket] != other.sums[bucket]) {
        differing.add(bucket);
      }
    }
    return differing;
  }

  /**
   * {@code buckets} in order, grouped so that each group holds at most {@code maxRows} of this side's rows
   * (a bucket with more is a group of its own).
   */
  List<List<Integer>> batches(List<Integer> buckets, long maxRows) {
    List<List<Integer>> batches = new ArrayList<>();
    List<Integer> batch = new ArrayList<>();
    long rows = 0;
    for (int bucket : buckets) {
      if (!batch.isEmpty() && rows + counts[bucket] > maxRows) {
        batches.add(batch);
        batch = new ArrayList<>();
        rows = 0;
      }
      batch.add(bucket);
      rows += counts[bucket];
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }
}
