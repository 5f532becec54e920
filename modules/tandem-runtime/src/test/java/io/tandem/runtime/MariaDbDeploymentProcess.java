package io.tandem.runtime;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Capture, transform and sink of a MariaDB legacy ({@link MariaDbStack}) alone in a JVM of their own, as
 * {@code tandem run --components capture,transform,sink} runs them, so that a test can kill them without any
 * graceful close ({@code Process.destroyForcibly}: SIGKILL). Arguments: bootstrap, registry URL, MariaDB database,
 * new-DB JDBC URL, new-DB user, schemas folder, consumer-group instance id.
 */
public final class MariaDbDeploymentProcess {
  public static void main(String[] args) throws Exception {
    TandemConfig config = MariaDbStack.config(args[0], URI.create(args[1]), args[2], args[3], args[4],
        Path.of(args[5]), Files.createTempDirectory("tandem-streams-proc"), Optional.of(args[6]), "tandem.status");
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    System.out.println("PIPELINE STARTED");
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
    supervisor.stop();
  }

  private MariaDbDeploymentProcess() {}
}
