package io.tandem.router;

import io.tandem.router.api.Role;
import io.tandem.router.proxy.ProxyRoute;
import io.tandem.routing.status.StatusCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import io.tandem.core.tls.ServerTls;

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
 * @param gates the promotion gates (docs/router.md, "Promotion gates")
 * @param limits bounds on what the operator API accepts and on the routing history kept compiled
 * @param tls the listener's key material; empty: plain HTTP
 */
public record RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
    Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize,
    Gates gates, Limits limits, Optional<ServerTls> tls, List<String> mergedEntities, Events events) {

  /** No merged entity: no key maps followed. */
  public RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
      Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize,
      Gates gates, Limits limits, Optional<ServerTls> tls) {
    this(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize, gates, limits, tls,
        List.of());
  }

  /** Cohort events on the default topic, no webhooks. */
  public RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
      Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize,
      Gates gates, Limits limits, Optional<ServerTls> tls, List<String> mergedEntities) {
    this(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize, gates, limits, tls,
        mergedEntities, Events.defaults());
  }

  /**
   * Where cohort lifecycle events go ({@link CohortEvents}).
   *
   * @param topic the Kafka topic every event is published to
   * @param webhooks URLs each event is also POSTed to
   */
  public record Events(String topic, List<Webhook> webhooks) {
    public Events {
      Objects.requireNonNull(topic, "topic");
      webhooks = List.copyOf(webhooks);
    }

    public static Events defaults() {
      return new Events(CohortEvents.DEFAULT_TOPIC, List.of());
    }
  }

  /**
   * A webhook for cohort events.
   *
   * @param secretEnv the environment variable holding the HMAC-SHA256 key of the {@code X-Tandem-Signature}
   *     header; empty: unsigned
   */
  public record Webhook(java.net.URI url, Optional<String> secretEnv) {}

  /**
   * What the operator API accepts (docs/router.md, "Limits"), and how many routing versions keep their compiled
   * key sets and rules in memory. A request over a limit is refused (413 for the body, 422 for the rest) with a
   * problem naming the limit's key; nothing is written.
   *
   * @param maxBodyBytes largest request body
   * @param maxKeysPerCohort most keys in one explicit list (a cohort's list is replaced whole, so also per request)
   * @param maxKeyLength longest key in a list, and longest salt, in characters
   * @param maxRuleLength longest CEL rule, in characters
   * @param maxRuleNodes most nodes in a CEL rule's parsed expression (its complexity)
   * @param maxReasonLength longest reason, in characters
   * @param compiledVersions routing versions that keep their compiled key sets and rules (the latest ones); older
   *     ones are kept as definitions and compiled again when asked
   * @param keptVersions routing versions kept in memory (the latest ones, at least {@code compiledVersions});
   *     a rollback to an older one recalls it by replaying the routing log
   * @param auditEntries audit entries kept in memory (the latest ones); older ones are read from the routing
   *     log on demand ({@code GET /v1/audit?before=})
   */
  public record Limits(int maxBodyBytes, int maxKeysPerCohort, int maxKeyLength, int maxRuleLength, int maxRuleNodes,
      int maxReasonLength, int compiledVersions, int keptVersions, int auditEntries) {
    public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;
    public static final int DEFAULT_MAX_KEYS_PER_COHORT = 100_000;
    public static final int DEFAULT_MAX_KEY_LENGTH = 256;
    public static final int DEFAULT_MAX_RULE_LENGTH = 4096;
    public static final int DEFAULT_MAX_RULE_NODES = 500;
    public static final int DEFAULT_MAX_REASON_LENGTH = 1000;

    public Limits {
      atLeast("maxBodyBytes", maxBodyBytes, 1024);
      atLeast("maxKeysPerCohort", maxKeysPerCohort, 1);
      atLeast("maxKeyLength", maxKeyLength, 1);
      atLeast("maxRuleLength", maxRuleLength, 1);
      atLeast("maxRuleNodes", maxRuleNodes, 1);
      atLeast("maxReasonLength", maxReasonLength, 1);
      atLeast("compiledVersions", compiledVersions, 1);
      atLeast("keptVersions", keptVersions, compiledVersions);
      atLeast("auditEntries", auditEntries, 1);
    }

    /** These limits keeping the default numbers of versions and audit entries in memory. */
    public Limits(int maxBodyBytes, int maxKeysPerCohort, int maxKeyLength, int maxRuleLength, int maxRuleNodes,
        int maxReasonLength, int compiledVersions) {
      this(maxBodyBytes, maxKeysPerCohort, maxKeyLength, maxRuleLength, maxRuleNodes, maxReasonLength,
          compiledVersions, Math.max(compiledVersions, io.tandem.routing.RoutingStateMachine.DEFAULT_KEPT_VERSIONS),
          io.tandem.routing.RoutingStateMachine.DEFAULT_AUDIT_ENTRIES);
    }

    /** These limits keeping {@code kept} versions and {@code audit} audit entries in memory. */
    public Limits withMemory(int kept, int audit) {
      return new Limits(maxBodyBytes, maxKeysPerCohort, maxKeyLength, maxRuleLength, maxRuleNodes, maxReasonLength,
          compiledVersions, kept, audit);
    }

    public static Limits defaults() {
      return new Limits(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_KEYS_PER_COHORT, DEFAULT_MAX_KEY_LENGTH,
          DEFAULT_MAX_RULE_LENGTH, DEFAULT_MAX_RULE_NODES, DEFAULT_MAX_REASON_LENGTH,
          io.tandem.routing.RoutingStateMachine.DEFAULT_MATERIALISED_VERSIONS);
    }

    private static void atLeast(String name, int value, int min) {
      if (value < min) {
        throw new IllegalArgumentException(name + " must be at least " + min + ", was " + value);
      }
    }
  }

  /** These settings with other limits. */
  public RouterSettings withLimits(Limits newLimits) {
    return new RouterSettings(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize,
        gates, newLimits, tls, mergedEntities, events);
  }

  /**
   * The promotion gates: a change that makes new serve more keys (a cohort moved into NEW_READS or NEW,
   * or one new already serves that gains keys) needs a clean verification newer than
   * {@code maxVerificationAge} and a replication lag no higher than {@code maxLag}, reported within
   * {@code maxLagReportAge}; both facts come from the compacted {@code statusTopic}.
   *
   * @param enabled false: no change is gated (forcing still needs the admin role)
   */
  public record Gates(boolean enabled, String statusTopic, Duration maxVerificationAge, Duration maxLag,
      Duration maxLagReportAge) {
    public static final Duration DEFAULT_MAX_VERIFICATION_AGE = Duration.ofHours(1);
    public static final Duration DEFAULT_MAX_LAG = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_LAG_REPORT_AGE = Duration.ofSeconds(60);

    public Gates {
      if (statusTopic == null || statusTopic.isBlank()) {
        throw new IllegalArgumentException("the status topic must be named");
      }
      positive("maxVerificationAge", maxVerificationAge);
      Objects.requireNonNull(maxLag, "maxLag");
      if (maxLag.isNegative()) {
        throw new IllegalArgumentException("maxLag must not be negative, was " + maxLag);
      }
      positive("maxLagReportAge", maxLagReportAge);
    }

    /** Enabled, on the default status topic, with the default bounds (1 h, 5 s, 60 s). */
    public static Gates defaults() {
      return new Gates(true, StatusCodec.DEFAULT_TOPIC, DEFAULT_MAX_VERIFICATION_AGE, DEFAULT_MAX_LAG,
          DEFAULT_MAX_LAG_REPORT_AGE);
    }

    /** The defaults, switched off. */
    public static Gates disabled() {
      return new Gates(false, StatusCodec.DEFAULT_TOPIC, DEFAULT_MAX_VERIFICATION_AGE, DEFAULT_MAX_LAG,
          DEFAULT_MAX_LAG_REPORT_AGE);
    }

    private static void positive(String name, Duration value) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + value);
      }
    }
  }

  /** Plain HTTP, with the default limits ({@link Limits#defaults()}). */
  public RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
      Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize,
      Gates gates) {
    this(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize, gates,
        Limits.defaults(), Optional.empty());
  }

  /** Settings with the default promotion gates ({@link Gates#defaults()}). */
  public RouterSettings(String host, int port, Map<String, Object> kafka, String topic, short replicationFactor,
      Map<String, List<String>> entities, Map<String, Token> tokens, List<ProxyRoute> routes, int shadowSampleSize) {
    this(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize, Gates.defaults());
  }

  /** These settings with other promotion gates. */
  public RouterSettings withGates(Gates newGates) {
    return new RouterSettings(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize,
        newGates, limits, tls, mergedEntities, events);
  }

  /** These settings serving HTTPS with {@code keys}. */
  public RouterSettings withTls(ServerTls keys) {
    return new RouterSettings(host, port, kafka, topic, replicationFactor, entities, tokens, routes, shadowSampleSize,
        gates, limits, Optional.of(keys), mergedEntities, events);
  }

  /** Safe to log: {@link RouterConfigSection#masked} (no Kafka client secrets, tokens by name and role only). */
  @Override
  public String toString() {
    return RouterConfigSection.masked(this);
  }

  /** A configured bearer token: who it is (the audit's actor) and what it may do. */
  public record Token(String name, Role role) {
    public Token {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
    }
  }

  public RouterSettings {
    mergedEntities = List.copyOf(mergedEntities);
    Objects.requireNonNull(events, "events");
    for (String merged : mergedEntities) {
      if (!entities.containsKey(merged)) {
        throw new IllegalArgumentException("merged entity '" + merged + "' is not among the routed entities "
            + entities.keySet());
      }
    }
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(gates, "gates");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(tls, "tls");
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
    if (gates.enabled() && gates.statusTopic().equals(topic)) {
      throw new IllegalArgumentException("the status topic must not be the routing log (" + topic + ")");
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
