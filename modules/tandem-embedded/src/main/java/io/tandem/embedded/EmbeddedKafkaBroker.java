package io.tandem.embedded;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     kafka.createTopic("orders", 3, Map.of());
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>Each broker has its own temporary log dir, its own free ports on 127.0.0.1 and its own cluster id,
 * so several can run in one JVM at once. Settings suit one node: internal topics with replication
 * factor 1 (consumer groups and transactions work), compaction with a small dedupe buffer, automatic
 * topic creation with one partition. While a broker is open, Kafka's attempts to halt or exit the JVM
 * throw instead (see {@link ExitGuard}).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private static final String HOST = "127.0.0.1";
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final String SASL_LISTENER = "SASL";
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  // A port can be taken by another process between picking and binding it; try fresh ports then.
  private static final int START_ATTEMPTS = 3;

  // Settings that only this class may set: they tie the broker to its ports, dir and quorum.
  private static final Set<String> RESERVED = Set.of(
      "process.roles", "node.id", "listeners", "advertised.listeners", "controller.listener.names",
      "listener.security.protocol.map", "inter.broker.listener.name", "controller.quorum.voters",
      "controller.quorum.bootstrap.servers", "log.dir", "log.dirs", "metadata.log.dir");

  // Distinct node ids keep JMX and metric names of brokers in the same JVM apart.
  private static final AtomicInteger NEXT_NODE_ID = new AtomicInteger(1);

  private final Path dir;
  private final int port;
  private final int saslPort;
  private final String clusterId;
  private final int nodeId;
  private final KafkaConfig config;
  private final AtomicBoolean closed = new AtomicBoolean();
  // Replaced by stop() and restart(); guarded by this.
  private KafkaRaftServer server;
  private Admin admin;

  private EmbeddedKafkaBroker(Path dir, int port, int saslPort, String clusterId, int nodeId, KafkaConfig config,
      KafkaRaftServer server, Admin admin) {
    this.dir = dir;
    this.port = port;
    this.saslPort = saslPort;
    this.clusterId = clusterId;
    this.nodeId = nodeId;
    this.config = config;
    this.server = server;
    this.admin = admin;
  }

  /** Starts a broker with the default single-node settings and returns once it serves requests. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Starts a broker whose settings are the defaults overridden by {@code brokerProperties} (Kafka broker
   * config names, e.g. {@code "log.retention.ms"}). Listener, quorum, node id and log dir settings are
   * managed here and cannot be overridden.
   */
  public static EmbeddedKafkaBroker start(Map<String, ?> brokerProperties) {
    return start(brokerProperties, null);
  }

  /**
   * A user of a {@code SASL_PLAINTEXT} listener with the PLAIN mechanism, for testing clients' security
   * settings; never a production setup (clear-text passwords).
   */
  public record SaslPlainUser(String user, String password) {
    /** What a Kafka client needs to connect as this user. */
    public Map<String, String> clientProperties() {
      return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
          "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
              + user + "\" password=\"" + password + "\";");
    }
  }

  /**
   * Starts a broker that also has a {@code SASL_PLAINTEXT} listener ({@link #saslBootstrapServers()}) accepting
   * {@code user}; the PLAINTEXT listener stays for the broker itself and for set-up.
   */
  public static EmbeddedKafkaBroker start(Map<String, ?> brokerProperties, SaslPlainUser user) {
    List<String> reserved = brokerProperties.keySet().stream().filter(RESERVED::contains).sorted().toList();
    if (!reserved.isEmpty()) {
      throw new IllegalArgumentException("These broker settings are managed by EmbeddedKafkaBroker: " + reserved);
    }
    for (int attempt = 1; ; attempt++) {
      int[] ports = FreePorts.pick(3);
      try {
        return startOn(ports[0], ports[1], user == null ? 0 : ports[2], user, brokerProperties);
      } catch (RuntimeException e) {
        if (attempt >= START_ATTEMPTS || !isBindFailure(e)) {
          throw e;
        }
        LOG.warn("Port {} or {} was taken before the broker bound it; retrying with other ports",
            ports[0], ports[1]);
      }
    }
  }

  /** Starts a broker on the given ports; visible for tests. */
  static EmbeddedKafkaBroker startOn(int port, int controllerPort, Map<String, ?> brokerProperties) {
    return startOn(port, controllerPort, 0, null, brokerProperties);
  }

  private static EmbeddedKafkaBroker startOn(int port, int controllerPort, int saslPort, SaslPlainUser user,
      Map<String, ?> brokerProperties) {
    long started = System.nanoTime();
    int nodeId = NEXT_NODE_ID.getAndIncrement();
    String clusterId = Uuid.randomUuid().toString();
    Path dir = createTempDir();
    ExitGuard.acquire();
    KafkaRaftServer server = null;
    Admin admin = null;
    try {
      KafkaConfig config = new KafkaConfig(
          config(nodeId, port, controllerPort, saslPort, user, dir, brokerProperties), false);
      format(config, nodeId, clusterId, dir);
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      admin = Admin.create(adminConfig(port));
      awaitReady(admin, nodeId);
      LOG.info("Kafka broker {} ready at {}:{} in {} ms", nodeId, HOST, port,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      return new EmbeddedKafkaBroker(dir, port, saslPort, clusterId, nodeId, config, server, admin);
    } catch (ExitGuard.KafkaExitAttempt e) {
      stopQuietly(server, admin, dir, e);
      throw explainRefusedExit(e, port, controllerPort);
    } catch (RuntimeException | Error e) {
      // Also releases the exit guard; on success the broker keeps it until close().
      stopQuietly(server, admin, dir, e);
      throw e;
    }
  }

  /** {@code 127.0.0.1:<port>} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /**
   * {@code 127.0.0.1:<port>} of the SASL_PLAINTEXT listener.
   *
   * @throws IllegalStateException if the broker was started without a {@link SaslPlainUser}
   */
  public String saslBootstrapServers() {
    if (saslPort == 0) {
      throw new IllegalStateException("this broker has no SASL listener: start it with a SaslPlainUser");
    }
    return HOST + ":" + saslPort;
  }

  /** The PLAINTEXT listener port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The random cluster id this broker was formatted with. */
  public String clusterId() {
    return clusterId;
  }

  /** The broker's temporary log dir, deleted by {@link #close()}; visible for tests. */
  Path logDir() {
    return dir;
  }

  /**
   * Shuts the broker down as an outage would look to its clients (connections refused on its port) but
   * keeps its log dir, so that {@link #restart()} brings back the same broker: same port, same cluster,
   * same topics, offsets and consumer groups. For fault-injection tests.
   */
  public synchronized void stop() {
    checkOpen();
    if (server == null) {
      return;
    }
    try {
      admin.close(Duration.ofSeconds(5));
      server.shutdown();
      server.awaitShutdown();
    } finally {
      server = null;
      admin = null;
    }
    LOG.info("Kafka broker {} stopped (log dir kept for a restart)", nodeId);
  }

  /** Starts a broker stopped by {@link #stop()} again on the same ports and log dir; returns once it serves. */
  public synchronized void restart() {
    checkOpen();
    if (server != null) {
      return;
    }
    long started = System.nanoTime();
    KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
    restarted.startup();
    server = restarted;
    admin = Admin.create(adminConfig(port));
    awaitReady(admin, nodeId);
    LOG.info("Kafka broker {} restarted at {}:{} in {} ms", nodeId, HOST, port,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
  }

  /** Whether the broker runs (not {@link #stop() stopped} nor closed). */
  public synchronized boolean running() {
    return server != null && !closed.get();
  }

  /** Shuts the broker down and deletes its log dir. Calling it again does nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      synchronized (this) {
        if (server == null) {
          ExitGuard.release();
          deleteQuietly(dir);
        } else {
          stopQuietly(server, admin, dir, null);
        }
      }
    }
  }

  private static Map<String, String> config(int nodeId, int port, int controllerPort, int saslPort,
      SaslPlainUser user, Path dir, Map<String, ?> overrides) {
    // Strings throughout: KafkaConfig parses them, while a boxed Integer is refused where a short is due.
    Map<String, String> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", String.valueOf(nodeId));
    props.put("controller.quorum.voters", nodeId + "@" + HOST + ":" + controllerPort);
    props.put("listeners", BROKER_LISTENER + "://" + HOST + ":" + port + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    // Clients (also non-Java ones) must be told the loopback address, not the host name.
    props.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + port);
    props.put("controller.listener.names", CONTROLLER_LISTENER);
    props.put("listener.security.protocol.map", BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    props.put("inter.broker.listener.name", BROKER_LISTENER);
    props.put("log.dirs", dir.toString());
    if (user != null) {
      String sasl = SASL_LISTENER + "://" + HOST + ":" + saslPort;
      props.put("listeners", props.get("listeners") + "," + sasl);
      props.put("advertised.listeners", props.get("advertised.listeners") + "," + sasl);
      props.put("listener.security.protocol.map", props.get("listener.security.protocol.map") + ","
          + SASL_LISTENER + ":SASL_PLAINTEXT");
      props.put("sasl.enabled.mechanisms", "PLAIN");
      props.put("listener.name." + SASL_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".plain.sasl.jaas.config",
          "org.apache.kafka.common.security.plain.PlainLoginModule required user_" + user.user() + "=\""
              + user.password() + "\";");
    }

    // One node: internal topics cannot have more than one replica.
    props.put("offsets.topic.replication.factor", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer internal partitions: faster first group/transaction use, fewer files and threads.
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.num.partitions", "1");
    props.put("num.partitions", "1");
    props.put("auto.create.topics.enable", "true");
    // Tests should not wait 3 s for a first consumer group rebalance.
    props.put("group.initial.rebalance.delay.ms", "0");

    // Modest heap and threads: the cleaner dedupe buffer alone defaults to 128 MiB.
    props.put("log.cleaner.dedupe.buffer.size", String.valueOf(8L * 1024 * 1024));
    props.put("log.cleaner.threads", "1");
    props.put("log.segment.bytes", String.valueOf(16 * 1024 * 1024));
    props.put("log.index.size.max.bytes", String.valueOf(1024 * 1024));
    props.put("offsets.topic.segment.bytes", String.valueOf(16 * 1024 * 1024));
    props.put("transaction.state.log.segment.bytes", String.valueOf(16 * 1024 * 1024));
    props.put("num.network.threads", "2");
    props.put("num.io.threads", "2");
    props.put("background.threads", "2");
    props.put("num.recovery.threads.per.data.dir", "1");
    props.put("num.replica.fetchers", "1");

    overrides.forEach((key, value) -> props.put(key, String.valueOf(value)));
    return props;
  }

  // The equivalent of `kafka-storage.sh format`: writes meta.properties and the bootstrap checkpoint.
  private static void format(KafkaConfig config, int nodeId, String clusterId, Path dir) {
    try {
      new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(config.metadataLogDir())
          .addDirectory(dir.toString())
          // Static voters (controller.quorum.voters) mean kraft.version 0.
          .setHasDynamicQuorum(false)
          .run();
    } catch (Exception e) {
      throw new KafkaException("Could not format " + dir, e);
    }
  }

  private static Map<String, Object> adminConfig(int port) {
    return Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, HOST + ":" + port,
        AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-admin-" + port,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
  }

  // startup() returns once the broker is unfenced; checking from a client proves the listener serves.
  private static void awaitReady(Admin admin, int nodeId) {
    long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
    while (true) {
      try {
        Collection<Node> nodes = admin.describeCluster().nodes()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (nodes.stream().anyMatch(node -> node.id() == nodeId)) {
          return;
        }
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new KafkaException("Embedded Kafka broker not ready after " + STARTUP_TIMEOUT, e);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KafkaException("Interrupted while waiting for the embedded Kafka broker", e);
      }
      if (System.nanoTime() > deadline) {
        throw new KafkaException("Embedded Kafka broker not ready after " + STARTUP_TIMEOUT);
      }
      pause();
    }
  }

  private static <T> T await(KafkaFuture<T> future, String what) {
    try {
      return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e, what);
    } catch (TimeoutException e) {
      throw new KafkaException("Timed out trying to " + what, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while trying to " + what, e);
    }
  }

  // Kafka's own exceptions (TopicExistsException, ...) are more useful to callers than the wrapper.
  private static KafkaException unwrap(ExecutionException e, String what) {
    return e.getCause() instanceof KafkaException cause ? cause
        : new KafkaException("Could not " + what, e.getCause());
  }

  /*
   * A controller that cannot bind its port reports it to its fatal fault handler, which only logs the
   * cause and asks to halt; the refused halt is all that reaches us. Name a port clash explicitly so
   * that start() can retry with fresh ports.
   */
  private static RuntimeException explainRefusedExit(ExitGuard.KafkaExitAttempt e, int... ports) {
    for (int candidate : ports) {
      if (!FreePorts.isFree(candidate)) {
        BindException clash = new BindException("Port " + candidate + " on " + HOST + " is taken");
        clash.addSuppressed(e);
        return new KafkaException("Embedded Kafka broker could not bind port " + candidate, clash);
      }
    }
    return e;
  }

  private static boolean isBindFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(KafkaRaftServer server, Admin admin, Path dir, Throwable failure) {
    try {
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
      if (server != null) {
        server.shutdown();
        server.awaitShutdown();
      }
    } catch (RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.warn("Embedded Kafka broker did not shut down cleanly", e);
      }
    } finally {
      ExitGuard.release();
      deleteQuietly(dir);
    }
  }

  private static Path createTempDir() {
    try {
      return Files.createTempDirectory("tandem-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("Could not create a temp dir for Kafka", e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Utils.delete(new File(dir.toString()));
    } catch (IOException e) {
      LOG.warn("Could not delete {}", dir, e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("Broker at " + bootstrapServers() + " is closed");
    }
  }

  // Short back-off between readiness polls; there is no event to wait for from outside the broker.
  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while waiting for the embedded Kafka broker", e);
    }
  }
}
