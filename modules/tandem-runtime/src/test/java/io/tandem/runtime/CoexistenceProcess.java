package io.tandem.runtime;

import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Forward and reverse sync with the switch coordinator alone in a JVM of their own, so that a test can kill
 * them with SIGKILL. Arguments: bootstrap, registry URL, host, port, legacy database, legacy slot, new-DB JDBC
 * URL, database user, new-side slot, routing topic, and optionally extra Kafka client settings
 * ({@code kafka.properties}) as {@code key=value,key=value}.
 */
public final class CoexistenceProcess {
  public static void main(String[] args) throws Exception {
    TandemConfig config = StackConfig.of(args[0], URI.create(args[1]), args[2], Integer.parseInt(args[3]), args[4],
        args[5], args[6], args[7], Files.createTempDirectory("tandem-streams-coexistence"))
        .withCoexistence(CoexistenceSettings.withConnector(Repo.ROOT.resolve("connectors/new-postgres.properties"))
            .withRoutingTopic(args[9]));
    if (args.length > 10 && !args[10].isEmpty()) {
      config = StackConfig.withKafkaProperties(config, StackConfig.parseKafkaProperties(args[10]));
    }
    Deployment deployment = Deployment.plan(config, EnumSet.of(ComponentName.CAPTURE, ComponentName.TRANSFORM,
        ComponentName.SINK, ComponentName.REVERSE), Map.of("NEW_SLOT_NAME", args[8], "NEW_PUBLICATION_NAME", args[8],
        "TANDEM_NEW_OFFSET_TOPIC", "offsets_" + args[8], "TANDEM_OFFSET_REPLICATION_FACTOR", "1"));
    Supervisor supervisor = deployment.supervisor(new HealthServer(config.metrics()), Duration.ofSeconds(30),
        Clock.systemUTC());
    supervisor.start(() -> true);
    System.out.println("PIPELINE STARTED");
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
    supervisor.stop();
  }

  private CoexistenceProcess() {}
}
