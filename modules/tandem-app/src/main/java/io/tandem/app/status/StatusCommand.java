package io.tandem.app.status;

import io.tandem.app.DurationConverter;
import io.tandem.app.dlq.DlqStage;
import io.tandem.core.config.ConfigException;
import io.tandem.kafka.KafkaClients;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.RoutingState;
import io.tandem.routing.status.StatusRecord;
import io.tandem.routing.status.StatusTopic;
import io.tandem.runtime.TandemConfig;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem status}: the migration on one screen — lag, capture, mapping, verification, cohorts, dead letters. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"The migration on one screen, read from Kafka: per entity the replication lag and capture's"
        + " liveness (as the stages last reported them), the running mapping, the latest verification; the cohorts"
        + " with their phases and last verification; dead letters per stage. Reports older than 2 min are marked"
        + " STALE (the stage that writes them is not running)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:shown", "2:invalid configuration or command line", "3:Kafka could not be read"})
public final class StatusCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}); only its kafka and verify sections are read.")
  Path config;

  @Option(names = "--json", description = "One JSON document instead of the screen.")
  boolean json;

  @Option(names = "--watch", description = "Redraw every --interval until Ctrl-C.")
  boolean watch;

  @Option(names = "--interval", defaultValue = "5s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "With --watch: time between redraws (default: ${DEFAULT-VALUE}, at least 1s).")
  Duration interval = Duration.ofSeconds(5);

  @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long reading Kafka may take (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);

  /** For tests: stop --watch after this many screens. */
  @Option(names = "--screens", hidden = true, defaultValue = "0")
  int screens;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  public StatusCommand() {
    this(System.getenv(), System.out, System.err, Clock.systemUTC());
  }

  public StatusCommand(Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (interval.compareTo(Duration.ofSeconds(1)) < 0 || timeout.isNegative() || timeout.isZero()) {
      err.println("tandem status: --interval must be at least 1s and --timeout positive");
      return 2;
    }
    TandemConfig tandem;
    try {
      tandem = TandemConfig.load(config, env);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    for (int shown = 1; ; shown++) {
      StatusSnapshot snapshot;
      try {
        snapshot = read(tandem);
      } catch (RuntimeException e) {
        err.println("tandem status: cannot read Kafka at " + tandem.kafka().bootstrapServers() + ": " + e.getMessage());
        return 3;
      }
      if (json) {
        out.println(snapshot.json());
      } else {
        out.print((watch ? "\033[H\033[2J" : "") + snapshot.render("Tandem status (" + config + ")"));
      }
      out.flush();
      if (!watch || (screens > 0 && shown >= screens)) {
        return 0;
      }
      Thread.sleep(interval.toMillis());
    }
  }

  private StatusSnapshot read(TandemConfig tandem) throws InterruptedException {
    KafkaClients kafka = tandem.kafka().clients();
    Set<String> topics;
    try (Admin admin = kafka.admin("tandem-status")) {
      topics = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("listing topics: " + e.getMessage(), e);
    }
    String statusTopic = tandem.verify().statusTopic();
    Map<String, StatusRecord> status = topics.contains(statusTopic)
        ? StatusTopic.readLatest(kafka, statusTopic, timeout) : Map.of();
    Optional<RoutingState> routing = Optional.empty();
    String routingTopic = tandem.routingTopic();
    if (topics.contains(routingTopic)) {
      try (RoutingClient client = RoutingClient.connect(kafka.config(), routingTopic, timeout)) {
        routing = Optional.of(client.state());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("routing log " + routingTopic + " not replayed within " + timeout, e);
      }
    }
    Map<String, Long> deadLetters = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer(Map.of(), Map.of("enable.auto.commit", false))) {
      for (DlqStage stage : DlqStage.values()) {
        if (!topics.contains(stage.topic())) {
          continue;
        }
        deadLetters.put(stage.label(), io.tandem.kafka.Topics.recordsHeld(consumer, stage.topic(), timeout));
      }
    }
    return new StatusSnapshot(clock.instant(), status, routing, deadLetters);
  }
}
