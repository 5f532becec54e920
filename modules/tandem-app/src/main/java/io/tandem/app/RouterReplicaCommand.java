package io.tandem.app;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.app.config.RouterConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.router.RouterServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem router --config tandem.yaml}: one cohort router replica (docs/router.md). Start as
 * many as you like on the same Kafka and routing topic; they share one routing truth.
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
    RouterConfig routerConfig;
    try {
      routerConfig = RouterConfig.load(config, env);
    } catch (ConfigException e) {
      err.println("tandem router: " + e.getMessage());
      return RunCommand.EXIT_CONFIG;
    }
    LOG.info("tandem router: effective configuration: {}", routerConfig.masked());
    out.println("Effective configuration (secrets masked): " + routerConfig.masked());
    if (handleSignals) {
      StopSignals.install(name -> {
        LOG.info("tandem router: SIG{} received, stopping", name);
        stop.countDown();
      });
    }
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    try {
      server = RouterServer.start(routerConfig.settings(), meters, router -> { });
    } catch (Exception e) {
      err.println("tandem router: cannot start: " + e.getMessage());
      LOG.error("tandem router: cannot start", e);
      return RunCommand.EXIT_FAILED;
    }
    out.println("Router listening on http://" + routerConfig.settings().host() + ":" + server.port()
        + " (routing version " + server.log().state().version() + ", topic " + routerConfig.settings().topic() + ")");
    out.println("Running; stop with SIGTERM or Ctrl-C.");
    out.flush();
    try {
      while (!stop.await(500, TimeUnit.MILLISECONDS)) {
        if (!server.log().healthy()) {
          err.println("tandem router: the routing log follower stopped; exiting so the replica can be restarted");
          server.close();
          return RunCommand.EXIT_FAILED;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
    out.println("Stopped.");
    return RunCommand.EXIT_OK;
  }

  /** The running server (tests), or null before it started. */
  public RouterServer server() {
    return server;
  }

  public void stop() {
    stop.countDown();
  }
}
