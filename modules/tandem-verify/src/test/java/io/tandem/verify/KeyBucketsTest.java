package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Key-bucket bookkeeping: what differs, and batches whose new rows fit in memory. */
class KeyBucketsTest {
  @Test
  void aBucketDiffersByCountOrBySum() {
    KeyBuckets legacy = new KeyBuckets();
    KeyBuckets fresh = new KeyBuckets();
    legacy.add("a", 5);
    fresh.add("a", 5);
    assertThat(legacy.differing(fresh)).isEmpty();
    fresh.add("b", 7);
    legacy.add("c", 1);
    legacy.add("c", -1); // the same count and sum as nothing, but one row more
    assertThat(legacy.differing(fresh)).containsExactlyInAnyOrder(EntityPlan.bucketOf("b"), EntityPlan.bucketOf("c"));
    KeyBuckets changed = new KeyBuckets();
    changed.add("a", 6);
    assertThat(changed.differing(legacy)).contains(EntityPlan.bucketOf("a"));
    assertThat(legacy.total()).isEqualTo(3);
  }

  @Test
  void batchesHoldAtMostTheLimitUnlessOneBucketIsLarger() {
    KeyBuckets fresh = new KeyBuckets();
    fresh.counts[1] = 60;
    fresh.counts[2] = 50;
    fresh.counts[3] = 250;
    fresh.counts[4] = 10;
    assertThat(fresh.batches(List.of(1, 2, 3, 4), 100)).containsExactly(List.of(1), List.of(2), List.of(3), List.of(4));
    assertThat(fresh.batches(List.of(1, 4, 2), 110)).containsExactly(List.of(1, 4), List.of(2));
    assertThat(fresh.batches(List.of(), 100)).isEmpty();
  }
}
