package io.tandem.core.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateBudgetTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void oneSecondsWorthIsFreeThenCallersAreHeldToTheRate() {
    RateBudget budget = new RateBudget(1000, now::get);

    assertThat(budget.reserve(1000)).as("the first second's worth").isZero();
    assertThat(budget.reserve(500)).as("500 rows over: half a second").isEqualTo(500_000_000L);
    now.addAndGet(2_000_000_000L); // two seconds later: 1,500 booked rows are long due, credit is capped
    assertThat(budget.reserve(1000)).isZero();
    assertThat(budget.reserve(1000)).as("idle time does not pile up credit beyond a second").isEqualTo(1_000_000_000L);
  }

  @Test
  void overALongRunTheRateHolds() {
    RateBudget budget = new RateBudget(200, now::get);
    long rows = 0;
    for (int i = 0; i < 1000; i++) {
      now.addAndGet(budget.reserve(50)); // the caller waits what it is told
      rows += 50;
    }
    double seconds = (now.get() - 1_000_000_000L) / 1e9;
    assertThat(rows / seconds).isBetween(200.0, 205.0);
  }

  @Test
  void zeroIsUnlimitedAndNegativeIsRefused() throws InterruptedException {
    RateBudget unlimited = RateBudget.unlimited();
    assertThat(unlimited.limited()).isFalse();
    assertThat(unlimited.acquire(1_000_000)).isZero();
    assertThatThrownBy(() -> new RateBudget(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RateBudget(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
  }
}
