package io.tandem.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import java.util.List;
import java.util.Optional;

/** A component whose life the test drives; it writes what happened to it in a shared journal. */
final class FakeComponent extends LifecycleComponent {
  private final String name;
  private final List<String> journal;
  private RuntimeException startFailure;
  private boolean staysStarting;

  FakeComponent(String name, List<String> journal) {
    super(name);
    this.name = name;
    this.journal = journal;
  }

  FakeComponent failingToStart(RuntimeException failure) {
    this.startFailure = failure;
    return this;
  }

  FakeComponent staysStarting() {
    this.staysStarting = true;
    return this;
  }

  void becomesRunning() {
    lifecycle.markRunning();
  }

  void fails(Throwable cause) {
    lifecycle.finish(cause);
  }

  void stopsByItself() {
    lifecycle.requestStop();
    lifecycle.finish(null);
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    journal.add("bind " + name);
    Gauge.builder("fake.component", this, c -> 1).tag("name", name).register(meters);
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    journal.add("start " + name);
    if (startFailure != null) {
      lifecycle.finish(startFailure);
      throw startFailure;
    }
    if (!staysStarting) {
      lifecycle.markRunning();
    }
  }

  @Override
  public String status() {
    return state() + "  fake " + name;
  }

  @Override
  public void close() {
    if (lifecycle.requestStop() != State.CREATED) {
      journal.add("close " + name);
    }
    lifecycle.finish(null);
  }
}
