package io.tandem.core.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CohortBucketsTest {
  private static final byte[] EMPTY = new byte[0];

  @Test
  void murmur3MatchesPublishedVectors() {
    // Reference values of MurmurHash3_x86_32 with seed 0 (SMHasher; also Guava's murmur3_32_fixed).
    assertThat(murmur("")).isEqualTo(0);
    assertThat(murmur("hello")).isEqualTo(0x248bfa47);
    assertThat(murmur("The quick brown fox jumps over the lazy dog")).isEqualTo(0x2e4ff723);
  }

  @Test
  void hashOfTwoPartsEqualsHashOfTheirConcatenationForEverySplit() {
    Random random = new Random(42);
    for (int n = 0; n < 2_000; n++) {
      byte[] whole = new byte[random.nextInt(40)];
      random.nextBytes(whole);
      int split = whole.length == 0 ? 0 : random.nextInt(whole.length + 1);
      byte[] a = java.util.Arrays.copyOfRange(whole, 0, split);
      byte[] b = java.util.Arrays.copyOfRange(whole, split, whole.length);
      assertThat(CohortBuckets.murmur3(a, b)).isEqualTo(CohortBuckets.murmur3(whole, EMPTY));
    }
  }

  @Test
  void bucketsAreInRangeStableAndSpreadEvenly() {
    int[] counts = new int[10];
    for (int i = 0; i < 100_000; i++) {
      int bucket = CohortBuckets.bucket("customer/canary", "cust-" + i);
      assertThat(bucket).isBetween(0, CohortBuckets.BUCKETS - 1);
      counts[bucket / 1000]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(9_500, 10_500);
    }
    assertThat(CohortBuckets.bucket("s", "k")).isEqualTo(CohortBuckets.bucket(CohortBuckets.saltPrefix("s"), "k"));
  }

  @Test
  void saltSeparatesCohortSpaces() {
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      if (CohortBuckets.bucket("a", "k" + i) == CohortBuckets.bucket("b", "k" + i)) {
        same++;
      }
    }
    assertThat(same).isLessThan(20);
  }

  private static int murmur(String s) {
    return CohortBuckets.murmur3(s.getBytes(StandardCharsets.UTF_8), EMPTY);
  }
}
