package io.tandem.runtime;

import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.lifecycle.Component;
import io.tandem.core.lifecycle.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs any set of {@link Component}s as one deployment: starts them in order (binding their meters
 * first), watches them, reports each one's state, and stops them in reverse order. A component that
 * fails, or stops without being asked, is a failure of the deployment, named.
 *
 * <p>A component may be given as a factory, built when its turn to start comes: one that needs what
 * an earlier one made (a client of the registry started just before it) is built after it started.
 * Components that do not need each other may start together ({@link Builder#together}): a restart
 * after a crash then takes as long as the slowest of them, not their sum.
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  /** One component as the deployment reports it. */
  public record Report(String name, State state, Optional<String> failure, String status) {
    /** FAILED, or stopped although the supervisor did not stop it. */
    public boolean failed() {
      return failure.isPresent();
    }
  }

  /** A component could not start; {@link #component()} names it. */
  public static final class StartException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String component;

    StartException(String component, Throwable cause) {
      super(component + ": " + Failures.describe(cause), cause);
      this.component = component;
    }

    public String component() {
      return component;
    }
  }

  private static final class Entry {
    final String name;
    final Supplier<Component> factory;
    final int startGroup;
    volatile Component component;

    Entry(String name, Supplier<Component> factory, int startGroup) {
      this.name = name;
      this.factory = factory;
      this.startGroup = startGroup;
    }
  }

  private final List<Entry> entries;
  private final MeterRegistry meters;
  private final Duration stopTimeout;
  private volatile boolean stopping;

  private Supervisor(Builder builder) {
    this.entries = List.copyOf(builder.entries);
    this.meters = builder.meters;
    this.stopTimeout = builder.stopTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds (for factories), binds and starts every component in order, until {@code keepGoing} says no.
   * When one cannot start, those started are stopped again.
   *
   * @throws StartException naming the component that could not start, and why
   */
  public void start(BooleanSupplier keepGoing) {
    int from = 0;
    while (from < entries.size()) {
      if (!keepGoing.getAsBoolean()) {
        return;
      }
      int to = from + 1;
      while (to < entries.size() && entries.get(to).startGroup == entries.get(from).startGroup) {
        to++;
      }
      List<Entry> group = entries.subList(from, to);
      Optional<StartException> failure = group.size() == 1 ? startOne(group.get(0)) : startTogether(group);
      if (failure.isPresent()) {
        stop();
        throw failure.get();
      }
      from = to;
    }
  }

  private Optional<StartException> startOne(Entry entry) {
    try {
      Component component = entry.component;
      if (component == null) {
        component = Objects.requireNonNull(entry.factory.get(), entry.name);
        entry.component = component;
      }
      if (meters != null) {
        synchronized (meters) {
          component.bindTo(meters);
        }
      }
      component.start();
      LOG.info("Started {}", entry.name);
      return Optional.empty();
    } catch (RuntimeException e) {
      LOG.error("Cannot start {}", entry.name, e);
      return Optional.of(new StartException(entry.name, e));
    }
  }

  /** Starts each of {@code group} in a thread of its own; the first of them in start order that failed. */
  private Optional<StartException> startTogether(List<Entry> group) {
    List<Thread> threads = new ArrayList<>();
    List<Optional<StartException>> results = new ArrayList<>(java.util.Collections.nCopies(group.size(),
        Optional.empty()));
    for (int i = 0; i < group.size(); i++) {
      int index = i;
      Thread thread = new Thread(() -> {
        Optional<StartException> result = startOne(group.get(index));
        synchronized (results) {
          results.set(index, result);
        }
      }, "tandem-start-" + group.get(i).name);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of(new StartException(group.get(threads.indexOf(thread)).name, e));
      }
    }
    synchronized (results) {
      return results.stream().flatMap(Optional::stream).findFirst();
    }
  }

  /** Waits until no component is STARTING (or one failed, or {@code keepWaiting} says no). */
  public void awaitStarted(BooleanSupplier keepWaiting) throws InterruptedException {
    while (keepWaiting.getAsBoolean() && firstFailure().isEmpty()
        && entries.stream().anyMatch(e -> e.component != null && e.component.state() == State.STARTING)) {
      Thread.sleep(100);
    }
  }

  /** Each component, in start order, as it is now; a component not built yet reads CREATED. */
  public List<Report> report() {
    List<Report> reports = new ArrayList<>();
    for (Entry entry : entries) {
      Component component = entry.component;
      if (component == null) {
        reports.add(new Report(entry.name, State.CREATED, Optional.empty(), "CREATED"));
        continue;
      }
      State state = component.state();
      Optional<String> failure = failureOf(component, state);
      reports.add(new Report(entry.name, state, failure, component.status()));
    }
    return reports;
  }

  /** The first component that failed, described as {@code name: why}; empty while all are well. */
  public Optional<String> firstFailure() {
    for (Report report : report()) {
      if (report.failed()) {
        return Optional.of(report.name() + ": " + report.failure().get());
      }
    }
    return Optional.empty();
  }

  /** No component failed or stopped by itself. */
  public boolean healthy() {
    return firstFailure().isEmpty();
  }

  /** Every component RUNNING. */
  public boolean ready() {
    return entries.stream().allMatch(e -> e.component != null && e.component.state() == State.RUNNING);
  }

  private Optional<String> failureOf(Component component, State state) {
    if (state == State.FAILED) {
      return Optional.of(component.failure().map(Failures::describe).orElse("failed (see tandem.log)"));
    }
    if (state == State.STOPPED && !stopping) {
      return Optional.of("stopped by itself (see tandem.log)");
    }
    return Optional.empty();
  }

  /**
   * Stops every component in reverse start order, each within its own stop timeout, all within the
   * supervisor's; idempotent.
   *
   * @return false when that was not enough (a component is still stopping)
   */
  public boolean stop() {
    stopping = true;
    Thread stopper = new Thread(() -> {
      for (int i = entries.size() - 1; i >= 0; i--) {
        Component component = entries.get(i).component;
        if (component == null) {
          continue;
        }
        try {
          component.close();
        } catch (RuntimeException e) {
          LOG.warn("{} did not close cleanly", entries.get(i).name, e);
        }
      }
    }, "tandem-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(Math.max(1, stopTimeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !stopper.isAlive();
  }

  /** The started components not stopped yet, as {@code name STATE}, for a message after {@link #stop()} gave up. */
  public List<String> stillRunning() {
    return entries.stream().filter(e -> e.component != null && !e.component.state().isTerminal()
        && e.component.state() != State.CREATED).map(e -> e.name + " " + e.component.state()).toList();
  }

  @Override
  public void close() {
    stop();
  }

  /** The components, in start order. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();
    private MeterRegistry meters;
    private Duration stopTimeout = Duration.ofSeconds(60);
    private int nextGroup;
    private boolean together;

    private Builder() {}

    public Builder add(Component component) {
      Entry entry = new Entry(component.name(), () -> component, startGroup());
      entry.component = component;
      entries.add(entry);
      return this;
    }

    /** A component built when its turn to start comes (it needs what an earlier one made). */
    public Builder add(String name, Supplier<Component> factory) {
      entries.add(new Entry(name, factory, startGroup()));
      return this;
    }

    /**
     * Components added by {@code adds} start at the same time (factories included), each in a thread of its
     * own; the next component waits until all of them started. They must not need each other.
     */
    public Builder together(Runnable adds) {
      if (together) {
        throw new IllegalStateException("together() does not nest");
      }
      nextGroup++;
      together = true;
      try {
        adds.run();
      } finally {
        together = false;
      }
      return this;
    }

    private int startGroup() {
      return together ? nextGroup : ++nextGroup;
    }

    /** Every component's meters go here. */
    public Builder meters(MeterRegistry meters) {
      this.meters = meters;
      return this;
    }

    /** How long stopping everything may take. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = timeout;
      return this;
    }

    public Supervisor build() {
      return new Supervisor(this);
    }
  }
}
