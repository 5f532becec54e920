package io.tandem.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * In-process routing decisions for services: follows the routing log itself and decides with the same
 * code as the router, with no network hop.
 *
 * <pre>{@code
 * try (RoutingClient routing = RoutingClient.connect(Map.of("bootstrap.servers", "kafka:9092"))) {
 *   Decision d = routing.decide("customer", customerId, Map.of("region", "EU"));
 *   if (d.read() == Target.NEW) { ... }
 * }
 * }</pre>
 */
public final class RoutingClient implements AutoCloseable {
  private final RoutingLog log;

  private RoutingClient(RoutingLog log) {
    this.log = log;
  }

  /** Follows {@value RoutingLog#DEFAULT_TOPIC} and waits (up to 30 s) until its state is replayed. */
  public static RoutingClient connect(Map<String, Object> kafka) throws TimeoutException, InterruptedException {
    return connect(kafka, RoutingLog.DEFAULT_TOPIC, Duration.ofSeconds(30));
  }

  public static RoutingClient connect(Map<String, Object> kafka, String topic, Duration replayTimeout)
      throws TimeoutException, InterruptedException {
    RoutingLog log = RoutingLog.follow(kafka, topic);
    try {
      log.awaitCaughtUp(replayTimeout);
    } catch (TimeoutException | InterruptedException | RuntimeException e) {
      log.close();
      throw e;
    }
    return new RoutingClient(log);
  }

  public Decision decide(String entity, String key, Map<String, String> attributes) {
    return log.state().decide(entity, key, attributes);
  }

  public Decision decide(String entity, String key) {
    return log.state().decide(entity, key, Map.of());
  }

  /** The routing version decisions are currently made with. */
  public long version() {
    return log.state().version();
  }

  public RoutingState state() {
    return log.state();
  }

  /** The routing log this client follows (for {@link WriteGuard}). */
  RoutingLog log() {
    return log;
  }

  @Override
  public void close() {
    log.close();
  }
}
