package io.tandem.registry.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.registry.Compatibility;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry that runs inside a Tandem process.
 *
 * <p>Its state is a compacted, single-partition Kafka topic ({@code _schemas} by default): it
 * survives restarts, and any number of instances on one topic give the same answers. The
 * in-memory mode exists for unit tests only; {@code tandem run} never uses it.
 *
 * <pre>{@code
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder()
 *     .kafkaStorage("broker:9092", "_schemas")
 *     .port(8081)
 *     .start()) {   // build() then start()
 *   URI url = registry.url();
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);

  private final Builder config;
  private SchemaLog log;
  private HttpServer server;
  private ExecutorService executor;

  private EmbeddedSchemaRegistry(Builder config) {
    super("registry");
    this.config = config;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Replays the log, then serves HTTP. Returns once the registry answers requests.
   *
   * @throws IllegalStateException when it would listen beyond loopback without authentication (nothing started)
   */
  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      if (config.basicUser == null && config.bearerToken == null && !isLoopback(config.host)) {
        throw new IllegalStateException("the embedded schema registry would listen on " + config.host
            + ", beyond loopback, and accept anonymous schema writes and deletes: set registry.user and "
            + "registry.password (basic auth), or listen on loopback (registry.embedded.host: 127.0.0.1)");
      }
      log = config.bootstrapServers == null
          ? new InMemorySchemaLog()
          : new KafkaSchemaLog(config.bootstrapServers, config.topic, config.replicationFactor, config.clientConfig);
      if (log instanceof InMemorySchemaLog) {
        LOG.warn("Schema registry keeps schemas in memory only: they are lost when this process stops (tests only)");
      }
      RegistryState registryState = new RegistryState(config.defaultCompatibility);
      log.start(registryState::apply, config.timeout);
      RegistryService service = new RegistryService(registryState, log, config.timeout);
      RequestAuthenticator authenticator = config.basicUser != null
          ? RequestAuthenticator.basic(config.basicUser, config.basicPassword)
          : config.bearerToken != null ? RequestAuthenticator.bearer(config.bearerToken) : RequestAuthenticator.open();

      if (config.sslContext != null) {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(config.host, config.port), 128);
        https.setHttpsConfigurator(new HttpsConfigurator(config.sslContext));
        server = https;
      } else {
        server = HttpServer.create(new InetSocketAddress(config.host, config.port), 128);
      }
      AtomicInteger threadNumber = new AtomicInteger();
      executor = Executors.newFixedThreadPool(config.threads, runnable -> {
        Thread thread = new Thread(runnable, "tandem-registry-http-" + threadNumber.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      server.setExecutor(executor);
      server.createContext("/", new RegistryHttpApi(service, authenticator));
      server.start();
      lifecycle.markRunning();
      LOG.info("Schema registry listening on {} with storage {} ({} records replayed, auth {})", url(), log.describe(),
          registryState.appliedRecords(), config.basicUser != null ? "basic" : config.bearerToken != null ? "bearer" : "none");
    } catch (IOException e) {
      UncheckedIOException failure = new UncheckedIOException("could not listen on " + config.host + ":" + config.port, e);
      fail(failure);
      throw failure;
    } catch (RuntimeException e) {
      fail(e);
      throw e;
    }
  }

  /**
   * Whether {@code host} is a loopback address ({@code localhost}, {@code 127.0.0.0/8}, {@code ::1}); a wildcard
   * ({@code 0.0.0.0}, {@code ::}), any other address, and a name that does not resolve are not.
   */
  public static boolean isLoopback(String host) {
    String name = host.trim();
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    if (name.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      return java.net.InetAddress.getByName(name).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private void fail(RuntimeException cause) {
    lifecycle.finish(cause);
    stopQuietly();
  }

  @Override
  public String status() {
    return state() + (server == null ? "" : "  " + url() + ", storage " + log.describe());
  }

  /** Base URL, e.g. {@code http://127.0.0.1:41234}. */
  public URI url() {
    if (server == null) {
      throw new IllegalStateException("registry is not started");
    }
    String scheme = config.sslContext != null ? "https" : "http";
    return URI.create(scheme + "://" + config.host + ":" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    State before = lifecycle.requestStop();
    if (before != State.STOPPED && before != State.STOPPING && before != State.CREATED) {
      stopQuietly();
    }
    lifecycle.finish(null);
  }

  private void stopQuietly() {
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
    if (log != null) {
      log.close();
    }
  }

  /** Typed, validated settings for one registry instance. */
  public static final class Builder {
    private String host = "127.0.0.1";
    private int port;
    private int threads = 8;
    private String bootstrapServers;
    private String topic = "_schemas";
    private short replicationFactor = -1;
    private Map<String, Object> clientConfig = Map.of();
    private Compatibility defaultCompatibility = Compatibility.BACKWARD;
    private Duration timeout = Duration.ofSeconds(30);
    private String basicUser;
    private String basicPassword;
    private String bearerToken;
    private SSLContext sslContext;
    private boolean storageChosen;

    private Builder() {}

    /** Keep schemas in a compacted Kafka topic (created if missing). */
    public Builder kafkaStorage(String bootstrapServers, String topic) {
      this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
      this.topic = requireText(topic, "topic");
      this.storageChosen = true;
      return this;
    }

    /** Keep schemas in memory. Unit tests only: everything is lost when the process stops. */
    public Builder inMemoryStorageForTests() {
      this.bootstrapServers = null;
      this.storageChosen = true;
      return this;
    }

    /** Extra Kafka client settings (security, timeouts) for the storage topic's clients. */
    public Builder kafkaClientConfig(Map<String, Object> clientConfig) {
      this.clientConfig = Map.copyOf(clientConfig);
      return this;
    }

    /** Replication factor when the topic is created; -1 uses the broker's default. */
    public Builder replicationFactor(int replicationFactor) {
      if (replicationFactor == 0 || replicationFactor < -1 || replicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replicationFactor must be -1 or 1.." + Short.MAX_VALUE + ", got " + replicationFactor);
      }
      this.replicationFactor = (short) replicationFactor;
      return this;
    }

    public Builder host(String host) {
      this.host = requireText(host, "host");
      return this;
    }

    /** TCP port; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be at least 1, got " + threads);
      }
      this.threads = threads;
      return this;
    }

    /** Global compatibility level until one is set through the API (Confluent's default is BACKWARD). */
    public Builder defaultCompatibility(Compatibility level) {
      this.defaultCompatibility = Objects.requireNonNull(level, "level");
      return this;
    }

    /** How long a request may wait for Kafka. */
    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive, got " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /**
     * Require HTTP basic authentication with this user. A registry listening beyond loopback refuses to start
     * without it (or a bearer token).
     */
    public Builder basicAuth(String user, String password) {
      this.basicUser = requireText(user, "user");
      this.basicPassword = Objects.requireNonNull(password, "password");
      this.bearerToken = null;
      return this;
    }

    /** Require this bearer token. */
    public Builder bearerToken(String token) {
      this.bearerToken = requireText(token, "token");
      this.basicUser = null;
      return this;
    }

    /** Serve HTTPS with this context's key material instead of plain HTTP. */
    public Builder tls(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** {@link #build()}, then {@link EmbeddedSchemaRegistry#start()}: a registry that answers requests. */
    public EmbeddedSchemaRegistry start() {
      EmbeddedSchemaRegistry registry = build();
      registry.start();
      return registry;
    }

    public EmbeddedSchemaRegistry build() {
      if (!storageChosen) {
        throw new IllegalStateException("choose kafkaStorage(...) or inMemoryStorageForTests()");
      }
      Builder copy = new Builder();
      copy.host = host;
      copy.port = port;
      copy.threads = threads;
      copy.bootstrapServers = bootstrapServers;
      copy.topic = topic;
      copy.replicationFactor = replicationFactor;
      copy.clientConfig = new HashMap<>(clientConfig);
      copy.defaultCompatibility = defaultCompatibility;
      copy.timeout = timeout;
      copy.basicUser = basicUser;
      copy.basicPassword = basicPassword;
      copy.bearerToken = bearerToken;
      copy.sslContext = sslContext;
      copy.storageChosen = true;
      return new EmbeddedSchemaRegistry(copy);
    }

    private static String requireText(String value, String name) {
      if (value == null || value.isBlank()) {
        throw new IllegalArgumentException(name + " must not be blank");
      }
      return value;
    }
  }
}
