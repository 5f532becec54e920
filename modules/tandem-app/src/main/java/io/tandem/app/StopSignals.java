package io.tandem.app;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT (Ctrl-C) as a stop request instead of JVM shutdown: the main thread then
 * stops the components itself while everything (including embedded databases, which their libraries
 * close in shutdown hooks of their own) is still there, and the process exits with its own code.
 */
public final class StopSignals {
  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

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

  /**
   * A command's stop handling: the first signal counts {@code stopRequested} down (the command stops and
   * exits with its own code, 0 when clean, not 143/130); a second one while stopping ends the process at
   * once (exit code 1); a JVM shutdown for any other reason runs {@code onShutdown} first.
   *
   * @return the shutdown hook, for {@link #remove}
   */
  public static Thread installStopRequest(String command, CountDownLatch stopRequested, Runnable onShutdown,
      PrintStream err) {
    install(name -> {
      if (stopRequested.getCount() == 0) {
        err.println(command + ": second SIG" + name + " while stopping: exiting now");
        err.flush();
        Runtime.getRuntime().halt(1);
      }
      LOG.info("{}: SIG{} received, stopping", command, name);
      stopRequested.countDown();
    });
    Thread hook = new Thread(onShutdown, command.replace(' ', '-') + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  /** Removes a hook of {@link #installStopRequest}; nothing when null or the JVM is already shutting down. */
  public static void remove(Thread hook) {
    if (hook == null) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down (the hook is stopping us)
    }
  }
}
