package io.tandem.app;

import java.util.function.Consumer;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a stop request instead of JVM shutdown: the main thread then
 * stops the stages itself while everything (including embedded databases, which their libraries
 * close in shutdown hooks of their own) is still there, and the process exits with its own code.
 */
public final class StopSignals {
  private StopSignals() {}

  /** Calls {@code onSignal} with the signal's name ("TERM", "INT") on the signal-dispatch thread. */
  public static void install(Consumer<String> onSignal) {
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onSignal.accept(name));
      } catch (IllegalArgumentException e) {
        // not available on this platform: the caller's shutdown hook still stops the work
      }
    }
  }
}
