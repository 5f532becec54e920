package io.tandem.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void aComponentStartsOnce() {
    Lifecycle lifecycle = new Lifecycle("sink");
    lifecycle.beginStart();
    assertThat(lifecycle.state()).isEqualTo(State.STARTING);
    assertThat(lifecycle.markRunning()).isTrue();
    assertThatThrownBy(lifecycle::beginStart).isInstanceOf(IllegalStateException.class)
        .hasMessage("sink is RUNNING; it starts once");
  }

  @Test
  void stoppingBeforeStartingLeavesNothingToStopAndNoStartAfterwards() {
    Lifecycle lifecycle = new Lifecycle("capture");
    assertThat(lifecycle.requestStop()).isEqualTo(State.CREATED);
    assertThat(lifecycle.state()).isEqualTo(State.STOPPED);
    assertThat(lifecycle.awaitTerminal(Duration.ZERO)).isTrue();
    assertThatThrownBy(lifecycle::beginStart).hasMessageContaining("STOPPED");
  }

  @Test
  void aStopDuringTheStartWinsOverRunning() {
    Lifecycle lifecycle = new Lifecycle("capture");
    lifecycle.beginStart();
    assertThat(lifecycle.requestStop()).isEqualTo(State.STARTING);
    assertThat(lifecycle.markRunning()).as("the start sees the stop").isFalse();
    assertThat(lifecycle.isStopRequested()).isTrue();
    lifecycle.finish(null);
    assertThat(lifecycle.state()).isEqualTo(State.STOPPED);
  }

  @Test
  void aFailureIsVisibleWithItsCauseAndTheTerminalStateIsKept() {
    Lifecycle lifecycle = new Lifecycle("transform");
    lifecycle.beginStart();
    lifecycle.markRunning();
    IllegalStateException cause = new IllegalStateException("stream thread died");
    lifecycle.finish(cause);
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.failure()).contains(cause);
    assertThat(lifecycle.requestStop()).as("closing a failed component changes nothing").isEqualTo(State.FAILED);
    lifecycle.finish(null);
    assertThat(lifecycle.state()).isEqualTo(State.FAILED);
    assertThat(lifecycle.isActive()).isFalse();
  }

  @Test
  void waitingForTheEndTimesOutWhileItRuns() {
    Lifecycle lifecycle = new Lifecycle("verify");
    lifecycle.beginStart();
    lifecycle.markRunning();
    assertThat(lifecycle.awaitTerminal(Duration.ofMillis(20))).isFalse();
    assertThat(lifecycle.requestStop()).isEqualTo(State.RUNNING);
    assertThat(lifecycle.state()).isEqualTo(State.STOPPING);
    lifecycle.finish(null);
    assertThat(lifecycle.awaitTerminal(Duration.ZERO)).isTrue();
  }
}
