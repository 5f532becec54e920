package io.tandem.core.lifecycle;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The state machine every {@link Component} shares, changed only by compare-and-set: a component
 * starts once, a stop request is answered according to how far the start got, and the terminal
 * state (with its failure) is published before anyone waiting on it wakes up.
 */
public final class Lifecycle {
  private final String name;
  private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile Throwable failure;

  public Lifecycle(String name) {
    this.name = name;
  }

  public State state() {
    return state.get();
  }

  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure);
  }

  /** CREATED → STARTING. @throws IllegalStateException when it was started (or closed) before */
  public void beginStart() {
    if (!state.compareAndSet(State.CREATED, State.STARTING)) {
      throw new IllegalStateException(name + " is " + state.get() + "; it starts once");
    }
  }

  /** STARTING → RUNNING; false when a stop (or a failure) came first. */
  public boolean markRunning() {
    return state.compareAndSet(State.STARTING, State.RUNNING);
  }

  /**
   * A stop request: CREATED → STOPPED (nothing ever ran), STARTING or RUNNING → STOPPING; a component
   * already stopping or done stays as it is.
   *
   * @return the state before the request, so the caller knows what there is to stop
   */
  public State requestStop() {
    while (true) {
      State current = state.get();
      switch (current) {
        case CREATED -> {
          if (state.compareAndSet(current, State.STOPPED)) {
            finished.countDown();
            return current;
          }
        }
        case STARTING, RUNNING -> {
          if (state.compareAndSet(current, State.STOPPING)) {
            return current;
          }
        }
        default -> {
          return current;
        }
      }
    }
  }

  /** True while STARTING or RUNNING: the work should go on. */
  public boolean isActive() {
    State current = state.get();
    return current == State.STARTING || current == State.RUNNING;
  }

  /** True once a stop was asked for (STOPPING or after). */
  public boolean isStopRequested() {
    State current = state.get();
    return current == State.STOPPING || current.isTerminal();
  }

  /**
   * The work ended: FAILED with {@code error}, or STOPPED when {@code error} is null. The failure is
   * visible before the state that announces it. A terminal state is kept.
   */
  public void finish(Throwable error) {
    while (true) {
      State current = state.get();
      if (current.isTerminal()) {
        finished.countDown();
        return;
      }
      State next = error == null ? State.STOPPED : State.FAILED;
      if (error != null) {
        failure = error;
      }
      if (state.compareAndSet(current, next)) {
        finished.countDown();
        return;
      }
    }
  }

  /** Waits until the state is terminal; false when {@code timeout} passed first. */
  public boolean awaitTerminal(Duration timeout) {
    try {
      return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return finished.getCount() == 0;
    }
  }

  @Override
  public String toString() {
    return name + " " + state.get();
  }
}
