package io.tandem.core.lifecycle;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * A long-running part of Tandem (capture, transform, sink, the embedded registry, the verifier, a lag
 * reporter, the metrics server, a router replica): one contract, so one supervisor can run any set of
 * them, report each one's state on {@code /health}, and stop them in order.
 *
 * <p>Building does no work and opens no connection; {@link #start()} does, and returns once the work runs
 * on the component's own threads. {@link #close()} stops it within a bounded time, whatever its state.
 */
public interface Component extends AutoCloseable {

  /** Short lower-case name as in {@code --components}, status output and logs ("sink", "registry"). */
  String name();

  /**
   * Starts the work and returns (long work runs on the component's own threads). A component starts once.
   *
   * @throws RuntimeException when it cannot start; it is then {@link State#FAILED} and {@link #failure()}
   *     holds the cause
   */
  void start();

  State state();

  /** Why it is {@link State#FAILED}; empty otherwise. */
  Optional<Throwable> failure();

  /** Registers its meters (counters, gauges); called once, before {@link #start()}. */
  default void bindTo(MeterRegistry meters) {}

  /** One line on what it does and how it is doing, for status output; never a secret. */
  String status();

  /** Stops it (finishing what is in flight, within its stop timeout); idempotent; never throws. */
  @Override
  void close();
}
