package io.tandem.router;

import io.tandem.router.api.Role;
import io.tandem.router.proxy.ProxyRoute;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a router replica needs, validated when built.
 *
 * @param host address to listen on
 * @param port port to listen on (0: any free port)
 * @param kafka Kafka client settings (bootstrap.servers, security) for the routing log
 * @param topic the routing log
 * @param replicationFactor the routing log's replication factor when the router creates it (-1: broker default)
 * @param entities entity name -> request attributes its rules may use; declared in the log at start
 * @param tokens bearer tokens, by SHA-256 of the token (lower-case hex)
 * @param routes read-proxy routes (none: no proxy)
 * @param shadowSampleSize how many shadow mismatches to keep for inspection
 */
public record RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
    Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize) {

  /** A configured bearer token: who it is (the audit's actor) and what it may do. */
  public record Token(String name, Role role) {
    public Token {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  public RouterSettings {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (!kafka.containsKey("bootstrap.servers")) {
      throw new IllegalArgumentException("kafka settings need bootstrap.servers");
    }
    for (String hash : tokens.keySet()) {
      if (!hash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("token hashes must be SHA-256 in lower-case hex (64 characters)");
      }
    }
    kafka = Map.copyOf(kafka);
    entities = Map.copyOf(entities);
    tokens = Map.copyOf(tokens);
    routes = List.copyOf(routes);
    for (ProxyRoute route : routes) {
      if (!entities.containsKey(route.entity())) {
        throw new IllegalArgumentException("proxy route " + route.pathTemplate() + " names entity '" + route.entity()
            + "', which is not declared in entities " + entities.keySet());
      }
    }
  }
}
