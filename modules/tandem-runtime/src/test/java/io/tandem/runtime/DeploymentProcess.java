package io.tandem.runtime;

import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Capture, transform and sink alone in a JVM of their own, so that a test can kill them without any
 * graceful close ({@code Process.destroyForcibly}: SIGKILL). Arguments: bootstrap, registry URL, legacy
 * host, legacy port, legacy database, slot name, new-DB JDBC URL, database user, and optionally extra Kafka client
 * settings ({@code kafka.properties}) as {@code key=value,key=value}.
 */
public final class DeploymentProcess {
  public static void main(String[] args) throws Exception {
    TandemConfig config = StackConfig.of(args[0], URI.create(args[1]), args[2], Integer.parseInt(args[3]), args[4],
        args[5], args[6], args[7], Files.createTempDirectory("tandem-streams-proc"));
    if (args.length > 8 && !args[8].isEmpty()) {
      config = StackConfig.withKafkaProperties(config, StackConfig.parseKafkaProperties(args[8]));
    }
    Deployment deployment = Deployment.plan(config, ComponentName.STAGES, Map.of());
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    System.out.println("PIPELINE STARTED");
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
    supervisor.stop();
  }

  private DeploymentProcess() {}
}
