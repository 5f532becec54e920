package io.tandem.app;

import io.tandem.app.config.TandemConfig;
import io.tandem.app.metrics.MetricsServer;
import io.tandem.app.verify.CaptureLagReporter;
import io.tandem.app.verify.ContinuousVerifier;
import io.tandem.app.verify.LagReporter;
import io.tandem.app.verify.VerifySetup;
import io.tandem.verify.StatusPublisher;
import java.time.Clock;
import io.tandem.capture.CaptureEngine;
import io.tandem.core.config.ConfigException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * {@code tandem run --config tandem.yaml [--components capture,transform,sink]}: the demo's stages
 * against external Kafka, schema registry and databases, configured by {@code tandem.yaml}
 * (docs/configuration.md).
 *
 * <p>Order: the configuration is read and checked completely (no connection is opened when it is
 * bad), then the metrics server starts, then the embedded registry (if configured), then the
 * chosen stages. It runs until SIGTERM / Ctrl-C — or until a stage fails — and then stops
 * everything in reverse order within {@code --shutdown-timeout}.
 *
 * <p>Exit codes: {@value #EXIT_OK} clean shutdown; {@value #EXIT_FAILED} a stage failed, could not
 * start, or did not stop in time (stderr says which and why); {@value #EXIT_CONFIG} bad
 * configuration or command line (stderr holds the {@link ConfigException} message only).
 *
 * <p>Embedding (tests): construct it with an environment and streams, run it through picocli on a
 * thread of your own, and call {@link #shutdown()}: the same stop request SIGTERM makes, then a
 * bounded wait for the run's exit code.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run capture, transform and sink (or any subset) against external Kafka, schema registry and "
        + "databases, configured by a YAML file (docs/configuration.md).",
        "Runs until SIGTERM or Ctrl-C, then stops every stage cleanly."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean shutdown", "1:a stage failed, could not start, or did not stop in time",
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
      description = "Stages to run in this process, comma-separated: capture, transform, sink (default: all). "
          + "Run each one as its own deployment to scale them separately.")
  String components;

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
   * Asks the run to stop and waits until everything is closed: the same stop as SIGTERM / Ctrl-C
   * (and what the JVM shutdown hook runs). Waits at most {@code --shutdown-timeout} (plus 30 s if
   * the run is still starting).
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
    Set<Component> selected;
    TandemConfig tandem;
    Pipeline.Plan plan;
    VerifySetup verify;
    try {
      selected = Component.parseList("command line", "--components", components);
      tandem = TandemConfig.load(config, env);
      tandem.checkFor(selected);
      Set<Component> stages = java.util.EnumSet.noneOf(Component.class);
      selected.stream().filter(Component.STAGES::contains).forEach(stages::add);
      plan = stages.isEmpty() ? null : Pipeline.plan(settings(tandem, stages, env));
      verify = selected.contains(Component.VERIFY) ? VerifySetup.of(tandem, env) : null;
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return EXIT_CONFIG;
    }

    Thread hook = handleSignals ? installSignalHandling() : null;
    try {
      return run(tandem, selected, plan, verify);
    } finally {
      if (hook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down (the hook is stopping us)
        }
      }
    }
  }

  /**
   * SIGTERM and SIGINT (Ctrl-C) ask the run to stop without starting the JVM's shutdown, so the main
   * thread stops every stage and the process exits with the run's code (0 when clean, not 143/130).
   * A second signal while stopping ends the process at once (exit code 1). The shutdown hook covers
   * any other way the JVM ends while running: it stops the stages before the JVM goes.
   */
  private Thread installSignalHandling() {
    StopSignals.install(name -> {
      if (stopRequested.getCount() == 0) {
        err.println("tandem run: second SIG" + name + " while stopping: exiting now");
        err.flush();
        Runtime.getRuntime().halt(EXIT_FAILED);
      }
      LOG.info("tandem run: SIG{} received, stopping", name);
      stopRequested.countDown();
    });
    Thread hook = new Thread(this::shutdown, "tandem-run-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  private int run(TandemConfig tandem, Set<Component> selected, Pipeline.Plan plan, VerifySetup verifySetup) {
    LOG.info("tandem run: components {}; effective configuration: {}", Component.ids(selected), tandem.masked());
    out.println("Tandem run: components " + Component.ids(selected) + ", config " + config.toAbsolutePath().normalize());
    out.println("Effective configuration (secrets masked): " + tandem.masked());

    MetricsServer metrics = null;
    EmbeddedSchemaRegistry registry = null;
    Pipeline pipeline = null;
    ContinuousVerifier verifier = null;
    LagReporter lagReporter = null;
    CaptureLagReporter captureLagReporter = null;
    String failure = null;
    try {
      String stage = "metrics";
      try {
        metrics = new MetricsServer().start(tandem.metrics().host(), tandem.metrics().port());
        out.println("Metrics: " + metrics.url() + "/metrics");
        stage = "registry";
        SchemaRegistryClient.Builder client;
        if (tandem.registry().embedded().isPresent()) {
          registry = startRegistry(tandem);
          URI url = registry.url();
          String host = tandem.registry().embedded().get().host();
          if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            url = URI.create(url.getScheme() + "://127.0.0.1:" + url.getPort());
          }
          out.println("Schema registry (embedded): " + registry.url() + ", topic "
              + tandem.registry().embedded().get().topic());
          client = SchemaRegistryClient.builder(url);
        } else {
          client = SchemaRegistryClient.builder(tandem.registry().urls());
        }
        tandem.registry().basicAuth().ifPresent(auth -> client.basicAuth(auth.user(), auth.password()));
        if (stopRequested.getCount() > 0 && plan != null) {
          pipeline = plan.start(client.build(), metrics.registry());
          if (pipeline.runs(Component.SINK)) {
            stage = "lag reporter";
            Pipeline running = pipeline;
            lagReporter = new LagReporter(() -> running.sink().stats(), metrics.registry(), tandem.sink().groupId(),
                running.entities().stream().map(io.tandem.transform.EntitySchema::entity).toList(),
                new StatusPublisher(kafkaClient(tandem), tandem.verify().statusTopic(), (short) -1), Clock.systemUTC())
                .start(Duration.ofSeconds(5));
          }
          if (pipeline.runs(Component.CAPTURE)) {
            stage = "capture lag reporter";
            captureLagReporter = startCaptureLagReporter(tandem, pipeline);
          }
        }
        if (stopRequested.getCount() > 0 && verifySetup != null) {
          stage = "verify";
          verifier = new ContinuousVerifier(verifySetup, metrics.registry(), tandem.verify().interval(),
              Clock.systemUTC()).start();
        }
      } catch (Pipeline.StartException e) {
        failure = "cannot start " + e.getMessage();
      } catch (RuntimeException e) {
        failure = "cannot start " + stage + ": " + message(e);
        LOG.error("tandem run: cannot start {}", stage, e);
      }

      if (failure == null && (pipeline != null || verifier != null)) {
        while (pipeline != null && !pipeline.started() && !stopRequested.await(100, TimeUnit.MILLISECONDS)) {
          // waiting for the stage threads to leave STARTING
        }
        for (Component component : Component.STAGES) {
          out.println(status(pipeline, component));
        }
        out.println(String.format("%-9s %s", Component.VERIFY.id(), verifier == null
            ? "not started (not in --components)" : verifier.describe()));
        Pipeline watched = pipeline;
        java.util.function.Supplier<Optional<String>> failures = () -> watched == null ? Optional.empty()
            : watched.failure();
        Optional<String> failed = failures.get();
        if (failed.isEmpty()) {
          out.println("Running; stop with SIGTERM or Ctrl-C.");
          out.flush();
        }
        while (failed.isEmpty() && !stopRequested.await(250, TimeUnit.MILLISECONDS)) {
          failed = failures.get();
        }
        if (failed.isPresent()) {
          failure = "stage failed: " + failed.get();
        }
      }
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
    if (!stopAll(verifier, lagReporter, captureLagReporter, pipeline, registry, metrics)) {
      Pipeline stuck = pipeline;
      err.println("tandem run: did not stop within " + shutdownTimeout.toSeconds() + " s"
          + (stuck == null ? "" : "; " + List.of(Component.values()).stream().filter(stuck::runs)
              .map(c -> c.id() + " " + stuck.describe(c).split(" ", 2)[0]).toList()));
      return EXIT_FAILED;
    }
    out.printf("Stopped in %.1f s.%n", (System.nanoTime() - stopping) / 1e9);
    LOG.info("tandem run: stopped{}", failure == null ? " cleanly" : " after a failure");
    return failure == null ? EXIT_OK : EXIT_FAILED;
  }

  private EmbeddedSchemaRegistry startRegistry(TandemConfig tandem) {
    TandemConfig.Embedded embedded = tandem.registry().embedded().orElseThrow();
    EmbeddedSchemaRegistry.Builder builder = EmbeddedSchemaRegistry.builder()
        .kafkaStorage(tandem.kafka().bootstrapServers(), embedded.topic())
        .kafkaClientConfig(Map.copyOf(tandem.kafka().properties()))
        .host(embedded.host())
        .port(embedded.port());
    tandem.registry().basicAuth().ifPresent(auth -> builder.basicAuth(auth.user(), auth.password()));
    return builder.build().start();
  }

  /** Capture's liveness for the promotion gates; none (with a warning) if its heartbeats are off. */
  private static CaptureLagReporter startCaptureLagReporter(TandemConfig tandem, Pipeline pipeline) {
    CaptureEngine capture = pipeline.capture();
    Duration heartbeat = capture.heartbeatInterval();
    if (heartbeat.isZero()) {
      LOG.warn("heartbeat.interval.ms is 0 in the connector file: capture cannot show it is alive, so it publishes no"
          + " capture lag and the router's promotion gates refuse (docs/capture.md, 'Liveness')");
      return null;
    }
    return new CaptureLagReporter(capture::lastBatchAt, heartbeat,
        pipeline.entities().stream().map(io.tandem.transform.EntitySchema::entity).toList(),
        new StatusPublisher(kafkaClient(tandem), tandem.verify().statusTopic(), (short) -1), Clock.systemUTC())
        .start(Duration.ofSeconds(5));
  }

  /** Closes in reverse start order within {@code --shutdown-timeout}; false if that was not enough. */
  private boolean stopAll(ContinuousVerifier verifier, LagReporter lagReporter, CaptureLagReporter captureLagReporter,
      Pipeline pipeline, EmbeddedSchemaRegistry registry, MetricsServer metrics) {
    Thread stopper = new Thread(() -> {
      if (verifier != null) {
        verifier.close();
      }
      if (lagReporter != null) {
        lagReporter.close();
      }
      if (captureLagReporter != null) {
        captureLagReporter.close();
      }
      if (pipeline != null) {
        pipeline.close();
      }
      if (registry != null) {
        registry.close();
      }
      if (metrics != null) {
        metrics.close();
      }
    }, "tandem-run-stop");
    stopper.setDaemon(true);
    stopper.start();
    try {
      stopper.join(Math.max(1, shutdownTimeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !stopper.isAlive();
  }

  private static String status(Pipeline pipeline, Component component) {
    return String.format("%-9s %s", component.id(), pipeline != null && pipeline.runs(component)
        ? pipeline.describe(component) : "not started (not in --components)");
  }

  private static Map<String, Object> kafkaClient(TandemConfig tandem) {
    Map<String, Object> kafka = new java.util.HashMap<>(tandem.kafka().properties());
    kafka.put("bootstrap.servers", tandem.kafka().bootstrapServers());
    return kafka;
  }

  private static String message(Throwable e) {
    StringBuilder text = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
        text.append(" (").append(cause.getMessage()).append(')');
      }
    }
    return text.toString();
  }

  /** The pipeline settings {@code tandem.yaml} describes, for the chosen components. */
  static Pipeline.Settings settings(TandemConfig tandem, Set<Component> components, Map<String, String> processEnv) {
    TandemConfig.Target target = tandem.target().orElse(null);
    return new Pipeline.Settings(components, tandem.legacy().connector(), tandem.legacyEnvironment(processEnv),
        tandem.legacy().topicPrefix().orElse(null), tandem.schemas().dir(), tandem.kafka().bootstrapServers(),
        tandem.kafka().properties(), tandem.kafka().partitions(), null,
        target == null ? null : target.jdbcUrl(), target == null ? null : target.user(),
        target == null ? null : target.password(), tandem.transform().applicationId(), tandem.transform().threads(),
        tandem.transform().stateDir(), tandem.sink().groupId(), tandem.sink().maxPollRecords(),
        tandem.sink().tombstoneRetention());
  }
}
