package io.tandem.app;

import java.util.LinkedHashMap;
import io.tandem.core.config.ConfigException;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.HealthServer;
import io.tandem.runtime.Supervisor;
import io.tandem.runtime.TandemConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem run --config tandem.yaml [--components capture,transform,sink,verify]}: the chosen
 * components against external Kafka, schema registry and databases (docs/configuration.md), under one
 * {@link Supervisor}.
 *
 * <p>Order: the configuration and the migration model are read and checked completely (no connection is
 * opened when either is bad), then the supervisor starts the components (metrics first). It runs until
 * SIGTERM / Ctrl-C — or until a component fails — and then stops everything in reverse order within
 * {@code --shutdown-timeout}. {@code /health} and {@code /ready} on the metrics port report each
 * component.
 *
 * <p>Exit codes: {@value #EXIT_OK} clean shutdown; {@value #EXIT_FAILED} a component failed, could not
 * start, or did not stop in time (stderr says which and why); {@value #EXIT_CONFIG} bad configuration or
 * command line (stderr holds the {@link ConfigException} message only).
 *
 * <p>Embedding (tests): construct it with an environment and streams, run it through picocli on a thread
 * of your own, and call {@link #shutdown()}: the same stop request SIGTERM makes, then a bounded wait for
 * the run's exit code.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run capture, transform and sink (or any subset, plus the continuous verifier) against external "
        + "Kafka, schema registry and databases, configured by a YAML file (docs/configuration.md).",
        "Runs until SIGTERM or Ctrl-C, then stops every component cleanly."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean shutdown", "1:a component failed, could not start, or did not stop in time",
        "2:invalid configuration or command line"})
public final class RunCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_CONFIG = 2;

  /** Extra time the shutdown hook grants a run that is still starting (blocked on a connection). */
  private static final Duration STARTING_GRACE = Duration.ofSeconds(30);

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}). Relative paths in it resolve against its folder.")
  Path config;

  @Option(names = "--components", defaultValue = "capture,transform,sink", paramLabel = "LIST",
      description = "Components to run in this process, comma-separated: capture, transform, sink, verify "
          + "(default: capture,transform,sink). Run each one as its own deployment to scale them separately.")
  String components;

  @Option(names = "--capture-sources", paramLabel = "LIST",
      description = "With capture: the legacy sources this process captures, comma-separated: legacy (the legacy "
          + "section's) and names under merge.sources (default: all). One capture deployment per source.")
  String captureSources;

  @Option(names = "--shutdown-timeout", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long stopping may take before giving up with exit code 1 (default: ${DEFAULT-VALUE}).")
  Duration shutdownTimeout = Duration.ofSeconds(60);

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean handleSignals;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile int exitCode = EXIT_FAILED;

  /** As the CLI runs it: the process environment, stdout/stderr, SIGTERM / Ctrl-C handling. */
  public RunCommand() {
    this(System.getenv(), System.out, System.err, true);
  }

  /**
   * @param env resolves {@code ${VAR}} placeholders in the config file and the connector file
   * @param handleSignals whether SIGTERM / Ctrl-C stop the run (and a JVM shutdown hook stops it on
   *     any other exit); tests pass false and call {@link #shutdown()}
   */
  public RunCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean handleSignals) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
    this.handleSignals = handleSignals;
  }

  @Override
  public Integer call() {
    try {
      exitCode = execute();
    } catch (RuntimeException | Error e) {
      err.println("tandem run: unexpected error: " + e);
      LOG.error("tandem run: unexpected error", e);
      exitCode = EXIT_FAILED;
    } finally {
      out.flush();
      err.flush();
      finished.countDown();
    }
    return exitCode;
  }

  /**
   * Asks the run to stop and waits until everything is closed: the same stop as SIGTERM / Ctrl-C (and
   * what the JVM shutdown hook runs). Waits at most {@code --shutdown-timeout} (plus 30 s if the run is
   * still starting).
   *
   * @return the run's exit code, or {@value #EXIT_FAILED} if it did not finish in time
   */
  public int shutdown() {
    if (stopRequested.getCount() > 0) {
      LOG.info("tandem run: stop requested");
    }
    stopRequested.countDown();
    try {
      if (finished.await(shutdownTimeout.plus(STARTING_GRACE).toMillis(), TimeUnit.MILLISECONDS)) {
        return exitCode;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    err.println("tandem run: did not stop within " + shutdownTimeout.plus(STARTING_GRACE).toSeconds() + " s");
    err.flush();
    return EXIT_FAILED;
  }

  private int execute() {
    Deployment deployment;
    try {
      Set<ComponentName> selected = ComponentName.parseList("command line", "--components", components);
      Set<String> sources = captureSources == null ? null : new java.util.LinkedHashSet<>(java.util.Arrays.stream(
          captureSources.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList());
      deployment = Deployment.plan(TandemConfig.load(config, env), selected, env, sources);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return EXIT_CONFIG;
    }
    Thread hook = handleSignals ? StopSignals.installStopRequest("tandem run", stopRequested, this::shutdown, err)
        : null;
    try {
      return run(deployment);
    } finally {
      StopSignals.remove(hook);
    }
  }

  private int run(Deployment deployment) {
    TandemConfig tandem = deployment.config();
    LOG.info("tandem run: components {}; effective configuration: {}", ComponentName.ids(deployment.components()),
        tandem.masked());
    out.println("Tandem run: components " + ComponentName.ids(deployment.components()) + ", config "
        + config.toAbsolutePath().normalize());
    out.println("Effective configuration (secrets masked): " + tandem.masked());

    HealthServer health = new HealthServer(tandem.metrics());
    Supervisor supervisor = deployment.supervisor(health, shutdownTimeout, Clock.systemUTC());
    String failure = null;
    try {
      supervisor.start(() -> stopRequested.getCount() > 0);
      if (health.state() == io.tandem.core.lifecycle.State.RUNNING) {
        out.println("Metrics: " + health.url() + "/metrics (health: /health, /ready)");
      }
      supervisor.awaitStarted(() -> stopRequested.getCount() > 0);
      printStatus(deployment, supervisor);
      Optional<String> failed = supervisor.firstFailure();
      if (failed.isEmpty()) {
        out.println("Running; stop with SIGTERM or Ctrl-C.");
        out.flush();
      }
      while (failed.isEmpty() && !stopRequested.await(250, TimeUnit.MILLISECONDS)) {
        failed = supervisor.firstFailure();
      }
      if (failed.isPresent()) {
        failure = "stage failed: " + failed.get();
      }
    } catch (Supervisor.StartException e) {
      failure = "cannot start " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }

    if (failure != null) {
      err.println("tandem run: " + failure);
      LOG.error("tandem run: {}", failure);
    }
    out.println(failure == null ? "Stopping..." : "Stopping the other components...");
    long stopping = System.nanoTime();
    if (!supervisor.stop()) {
      err.println("tandem run: did not stop within " + shutdownTimeout.toSeconds() + " s; "
          + supervisor.stillRunning());
      return EXIT_FAILED;
    }
    out.printf("Stopped in %.1f s.%n", (System.nanoTime() - stopping) / 1e9);
    LOG.info("tandem run: stopped{}", failure == null ? " cleanly" : " after a failure");
    return failure == null ? EXIT_OK : EXIT_FAILED;
  }

  /** A line per component: the four --components first (those not chosen say so), then the others. */
  private void printStatus(Deployment deployment, Supervisor supervisor) {
    Map<String, Supervisor.Report> reports = new LinkedHashMap<>();
    supervisor.report().forEach(r -> reports.put(r.name(), r));
    for (ComponentName name : ComponentName.values()) {
      Supervisor.Report report = reports.remove(name.id());
      out.println(String.format("%-11s %s", name.id(), report != null ? report.status()
          : deployment.runs(name) ? "not started" : "not started (not in --components)"));
    }
    reports.values().forEach(r -> out.println(String.format("%-11s %s", r.name(), r.status())));
  }
}
