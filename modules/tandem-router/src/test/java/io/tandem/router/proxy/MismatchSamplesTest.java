package io.tandem.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MismatchSamplesTest {

  private static ShadowMismatch mismatch(String key) {
    return new ShadowMismatch("customer", "canary", key, "GET /c/" + key, 3, Instant.EPOCH, 200, 200,
        List.of("$.a"), "{}", "{}");
  }

  @Test
  void keepsTheLatestOldestFirstAsAnImmutableCopy() {
    MismatchSamples samples = new MismatchSamples(2);
    samples.add(mismatch("1"));
    samples.add(mismatch("2"));
    samples.add(mismatch("3"));

    List<ShadowMismatch> snapshot = samples.snapshot();
    samples.add(mismatch("4"));

    assertThat(snapshot).extracting(ShadowMismatch::key).containsExactly("2", "3");
    assertThat(samples.snapshot()).extracting(ShadowMismatch::key).containsExactly("3", "4");
    assertThatThrownBy(() -> snapshot.add(mismatch("5"))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void sizeZeroKeepsNone() {
    MismatchSamples samples = new MismatchSamples(0);
    samples.add(mismatch("1"));
    assertThat(samples.snapshot()).isEmpty();
  }
}
