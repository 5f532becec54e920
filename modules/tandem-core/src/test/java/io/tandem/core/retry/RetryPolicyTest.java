package io.tandem.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));

  @Test
  void retriesRetriableFailuresUntilSuccess() throws Exception {
    AtomicInteger calls = new AtomicInteger();

    String result = policy.call(() -> {
      if (calls.incrementAndGet() < 3) {
        throw new IOException("flaky");
      }
      return "ok";
    }, e -> e instanceof IOException);

    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
  }

  @Test
  void stopsAtMaxAttemptsAndKeepsEarlierFailures() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> policy.call(() -> {
      throw new IOException("down " + calls.incrementAndGet());
    }, e -> true)).hasMessage("down 3").satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(calls).hasValue(3);
  }

  @Test
  void neverRetriesPermanentFailures() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> policy.call(() -> {
      calls.incrementAndGet();
      throw new IllegalArgumentException("bad input");
    }, e -> e instanceof IOException)).isInstanceOf(IllegalArgumentException.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void backoffGrowsAndIsCapped() {
    RetryPolicy wide = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(800));

    for (int i = 0; i < 50; i++) {
      assertThat(wide.backoffFor(1).toMillis()).isBetween(50L, 100L);
      assertThat(wide.backoffFor(3).toMillis()).isBetween(200L, 400L);
      assertThat(wide.backoffFor(9).toMillis()).isBetween(400L, 800L);
    }
    assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
