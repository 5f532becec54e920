package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.core.lifecycle.State;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SupervisorTest {
  private final List<String> journal = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void startsInOrderBindingMetersFirstAndStopsInReverse() {
    FakeComponent metrics = new FakeComponent("metrics", journal);
    FakeComponent sink = new FakeComponent("sink", journal);
    Supervisor supervisor = Supervisor.builder().meters(meters).add(metrics).add("sink", () -> {
      journal.add("build sink");
      return sink;
    }).build();

    assertThat(supervisor.report()).extracting(Supervisor.Report::state).containsExactly(State.CREATED, State.CREATED);
    supervisor.start(() -> true);

    assertThat(journal).containsExactly("bind metrics", "start metrics", "build sink", "bind sink", "start sink");
    assertThat(meters.find("fake.component").gauges()).hasSize(2);
    assertThat(supervisor.ready()).isTrue();
    assertThat(supervisor.healthy()).isTrue();
    assertThat(supervisor.report()).extracting(Supervisor.Report::status)
        .containsExactly("RUNNING  fake metrics", "RUNNING  fake sink");

    journal.clear();
    assertThat(supervisor.stop()).isTrue();
    assertThat(journal).containsExactly("close sink", "close metrics");
    assertThat(supervisor.firstFailure()).as("stopped by the supervisor: no failure").isEmpty();
  }

  @Test
  void aComponentThatCannotStartIsNamedAndTheStartedOnesAreStopped() {
    FakeComponent metrics = new FakeComponent("metrics", journal);
    FakeComponent topics = new FakeComponent("topics", journal)
        .failingToStart(new IllegalStateException("cannot reach Kafka at k:9092"));
    FakeComponent sink = new FakeComponent("sink", journal);
    Supervisor supervisor = Supervisor.builder().add(metrics).add(topics).add(sink).build();

    assertThatThrownBy(() -> supervisor.start(() -> true)).isInstanceOfSatisfying(Supervisor.StartException.class,
        e -> {
          assertThat(e.component()).isEqualTo("topics");
          assertThat(e.getMessage()).isEqualTo("topics: cannot reach Kafka at k:9092");
        });
    assertThat(journal).containsExactly("start metrics", "start topics", "close topics", "close metrics");
    assertThat(sink.state()).as("never started").isEqualTo(State.STOPPED);
  }

  @Test
  void aFailureOrAStopNobodyAskedForIsADeploymentFailure() {
    FakeComponent transform = new FakeComponent("transform", journal);
    FakeComponent sink = new FakeComponent("sink", journal);
    Supervisor supervisor = Supervisor.builder().add(transform).add(sink).build();
    supervisor.start(() -> true);

    sink.fails(new IllegalStateException("relation \"customer\" does not exist", new RuntimeException("root cause")));
    assertThat(supervisor.firstFailure()).contains("sink: relation \"customer\" does not exist (root cause)");
    assertThat(supervisor.healthy()).isFalse();
    assertThat(supervisor.ready()).isFalse();

    FakeComponent quiet = new FakeComponent("capture", journal);
    Supervisor other = Supervisor.builder().add(quiet).build();
    other.start(() -> true);
    quiet.stopsByItself();
    assertThat(other.firstFailure()).contains("capture: stopped by itself (see tandem.log)");
  }

  @Test
  void readyOnlyWhenEveryComponentRunsAndTheStartStopsWhenAStopIsRequested() throws Exception {
    FakeComponent slow = new FakeComponent("transform", journal).staysStarting();
    FakeComponent sink = new FakeComponent("sink", journal);
    Supervisor supervisor = Supervisor.builder().add(slow).add(sink).build();

    supervisor.start(() -> !journal.contains("start transform"));
    assertThat(journal).containsExactly("start transform");
    assertThat(supervisor.ready()).isFalse();
    assertThat(supervisor.report()).extracting(Supervisor.Report::state).containsExactly(State.STARTING, State.CREATED);

    slow.becomesRunning();
    supervisor.awaitStarted(() -> true);
    assertThat(supervisor.stillRunning()).containsExactly("transform RUNNING");
    supervisor.stop();
    assertThat(supervisor.stillRunning()).isEmpty();
  }

  @Test
  void componentsAddedTogetherStartAtTheSameTimeAndTheNextWaitsForAll() {
    // Each factory waits for the other one to be building: started one after the other, neither would finish.
    CountDownLatch building = new CountDownLatch(2);
    FakeComponent capture = new FakeComponent("capture", journal);
    FakeComponent sink = new FakeComponent("sink", journal);
    FakeComponent lag = new FakeComponent("lag", journal);
    Supervisor.Builder builder = Supervisor.builder().meters(meters);
    builder.together(() -> builder.add("capture", () -> awaitBoth(building, capture))
        .add("sink", () -> awaitBoth(building, sink)));
    Supervisor supervisor = builder.add(lag).build();

    supervisor.start(() -> true);

    assertThat(supervisor.ready()).isTrue();
    assertThat(journal.indexOf("start lag")).isGreaterThan(journal.indexOf("start capture"))
        .isGreaterThan(journal.indexOf("start sink"));
  }

  private static FakeComponent awaitBoth(CountDownLatch building, FakeComponent component) {
    building.countDown();
    try {
      assertThat(building.await(10, TimeUnit.SECONDS)).as("both factories run at the same time").isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    return component;
  }
}
