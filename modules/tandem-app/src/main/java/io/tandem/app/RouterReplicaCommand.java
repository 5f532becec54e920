package io.tandem.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.core.config.ConfigException;
import io.tandem.router.RouterConfigSection;
import io.tandem.router.RouterServer;
import io.tandem.router.RouterSettings;
import io.tandem.runtime.Supervisor;
import io.tandem.runtime.TandemConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem router --config tandem.yaml}: one cohort router replica (docs/router.md), configured by
 * the {@code kafka} and {@code router} sections. Start as many as you like on the same Kafka and routing
 * topic; they share one routing truth.
 */
@Command(name = "router", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a cohort router replica: decision API, operator API, read proxy (docs/router.md), "
        + "configured by the kafka and router sections of a YAML file.",
        "Runs until SIGTERM or Ctrl-C."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean shutdown", "1:could not start or failed", "2:invalid configuration"})
public final class RouterReplicaCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(RouterReplicaCommand.class);

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private final boolean handleSignals;
  private final CountDownLatch stop = new CountDownLatch(1);
  private volatile RouterServer server;

  public RouterReplicaCommand() {
    this(System.getenv(), System.out, System.err, true);
  }

  /** For tests: {@code handleSignals=false}, stop with {@link #stop()}. */
  public RouterReplicaCommand(Map<String, String> env, PrintStream out, PrintStream err, boolean handleSignals) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
    this.handleSignals = handleSignals;
  }

  @Override
  public Integer call() {
    RouterSettings settings;
    try {
      settings = TandemConfig.loadRouter(config, env);
    } catch (ConfigException e) {
      err.println("tandem router: " + e.getMessage());
      return RunCommand.EXIT_CONFIG;
    }
    String masked = RouterConfigSection.masked(settings);
    LOG.info("tandem router: effective configuration: {}", masked);
    out.println("Effective configuration (secrets masked): " + masked);
    if (handleSignals) {
      StopSignals.install(name -> {
        LOG.info("tandem router: SIG{} received, stopping", name);
        stop.countDown();
      });
    }
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    server = new RouterServer(settings, meters, router -> { });
    Supervisor supervisor = Supervisor.builder().add(server).stopTimeout(Duration.ofSeconds(30)).build();
    try {
      supervisor.start(() -> stop.getCount() > 0);
    } catch (Supervisor.StartException e) {
      err.println("tandem router: cannot start: " + e.getCause().getMessage());
      return RunCommand.EXIT_FAILED;
    }
    out.println("Router listening on " + server.scheme() + "://" + settings.host() + ":" + server.port()
        + " (routing version " + server.log().state().version() + ", topic " + settings.topic() + ")");
    out.println("Running; stop with SIGTERM or Ctrl-C.");
    out.flush();
    try {
      Optional<String> failed = Optional.empty();
      while (failed.isEmpty() && !stop.await(500, TimeUnit.MILLISECONDS)) {
        failed = supervisor.firstFailure();
      }
      if (failed.isPresent()) {
        err.println("tandem router: " + failed.get() + "; exiting so the replica can be restarted");
        supervisor.stop();
        return RunCommand.EXIT_FAILED;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    supervisor.stop();
    out.println("Stopped.");
    return RunCommand.EXIT_OK;
  }

  /** The running server (tests), or null before it serves. */
  public RouterServer server() {
    RouterServer current = server;
    return current != null && current.state() == io.tandem.core.lifecycle.State.RUNNING ? current : null;
  }

  public void stop() {
    stop.countDown();
  }
}
