package io.tandem.routing.http;

import static io.tandem.routing.http.RequestTarget.path;
import static io.tandem.routing.http.RequestTarget.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.routing.Decision;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.AuditPage;
import io.tandem.routing.api.ChangeResult;
import io.tandem.routing.api.RoutingSnapshot;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The router's decision and operator API over HTTP (docs/router.md), answers read with the codec the
 * router writes them with ({@link ApiCodec}). Each call returns the typed answer with its JSON, or
 * throws {@link RouterProblemException} (the router refused or failed) or
 * {@link RouterUnavailableException} (no usable answer). A change is answered once the router applied it.
 *
 * <pre>{@code
 * RouterHttpClient router = RouterHttpClient.builder(URI.create("http://127.0.0.1:8088"))
 *     .token(System.getenv("TANDEM_ROUTER_TOKEN")).timeout(Duration.ofSeconds(10)).build();
 * long version = router.entities().value().version();
 * router.promote("customer", "canary", ChangeOptions.because("shadow clean for 24h").atVersion(version));
 * }</pre>
 *
 * <p>Thread-safe; the token is sent as a bearer token and never shown, nor is the URI's user info.
 */
public final class RouterHttpClient {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonTransport transport;

  private RouterHttpClient(JsonTransport transport) {
    this.transport = transport;
  }

  /** A client of the router whose API is at {@code baseUri}, e.g. {@code http://127.0.0.1:8088}. */
  public static Builder builder(URI baseUri) {
    return new Builder(baseUri);
  }

  /** The router as messages name it: scheme, host, port and path, no user info. */
  public String describe() {
    return transport.describe();
  }

  @Override
  public String toString() {
    return "RouterHttpClient[" + describe() + "]";
  }

  // ---- reads ----

  /** Every entity's cohorts in evaluation order, and the routing version. */
  public Answer<RoutingSnapshot> entities() throws RouterProblemException, RouterUnavailableException {
    return get("/v1/entities", "its entities", ApiCodec::routing);
  }

  /** One entity's cohorts in evaluation order, and the routing version. */
  public Answer<RoutingSnapshot> cohorts(String entity) throws RouterProblemException, RouterUnavailableException {
    return get(path("v1", "entities", entity, "cohorts"), "the entity's cohorts", ApiCodec::entityCohorts);
  }

  /** Where one key's reads and writes go right now; {@code attributes} are what the entity's rules may use. */
  public Answer<Decision> route(String entity, String key, Map<String, String> attributes)
      throws RouterProblemException, RouterUnavailableException {
    return get(path("v1", "route", entity, key) + query(attributes), "a routing decision", ApiCodec::decision);
  }

  /** The latest {@code limit} routing changes, applied and rejected, oldest first; of one entity unless null. */
  public Answer<AuditPage> audit(int limit, String entity) throws RouterProblemException, RouterUnavailableException {
    return audit(limit, entity, null);
  }

  /**
   * As {@link #audit(int, String)}, only records below log offset {@code before} (null: up to the newest); to
   * page back, pass the oldest offset of the page before. Pages older than the router keeps in memory are read
   * from the routing log (slower; one such read at a time, else 429).
   */
  public Answer<AuditPage> audit(int limit, String entity, Long before)
      throws RouterProblemException, RouterUnavailableException {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("limit", limit);
    parameters.put("entity", entity);
    parameters.put("before", before);
    return get("/v1/audit" + query(parameters), "the audit", ApiCodec::auditPage);
  }

  // ---- changes ----

  public Answer<ChangeResult> createCohort(String entity, NewCohort cohort, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    ObjectNode body = NODES.objectNode().put("name", cohort.name());
    putSelector(body, cohort.selector());
    if (cohort.phase() != null) {
      body.put("phase", cohort.phase().name());
    }
    if (cohort.position() != null) {
      body.put("position", cohort.position());
    }
    return change("POST", path("v1", "entities", entity, "cohorts"), body, null, change);
  }

  /**
   * A percentage cohort's new share. Lowering it moves keys back towards legacy: the router refuses that
   * unless {@code rollback} confirms it.
   */
  public Answer<ChangeResult> setPercent(String entity, String cohort, BigDecimal percent, boolean rollback,
      ChangeOptions change) throws RouterProblemException, RouterUnavailableException {
    ObjectNode body = NODES.objectNode();
    putSelector(body, new SelectorRequest.Percent(percent));
    return change("POST", path("v1", "entities", entity, "cohorts", cohort, "percent"), body, rollback, change);
  }

  /** A cohort's new selector (a percentage keeps its salt); {@code rollback} as for {@link #setPercent}. */
  public Answer<ChangeResult> replaceSelector(String entity, String cohort, SelectorRequest selector, boolean rollback,
      ChangeOptions change) throws RouterProblemException, RouterUnavailableException {
    ObjectNode body = NODES.objectNode();
    putSelector(body, selector);
    return change("PUT", path("v1", "entities", entity, "cohorts", cohort, "selector"), body, rollback, change);
  }

  /** One phase forward: LEGACY, SHADOW, NEW_READS, NEW. */
  public Answer<ChangeResult> promote(String entity, String cohort, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return change("POST", path("v1", "entities", entity, "cohorts", cohort, "promote"), NODES.objectNode(), null,
        change);
  }

  /** One phase back; asking for it is the rollback confirmation. */
  public Answer<ChangeResult> demote(String entity, String cohort, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return change("POST", path("v1", "entities", entity, "cohorts", cohort, "demote"), NODES.objectNode(), null,
        change);
  }

  /** Removes a cohort; {@code rollback} confirms that its keys may move back towards legacy. */
  public Answer<ChangeResult> deleteCohort(String entity, String cohort, boolean rollback, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return change("DELETE", path("v1", "entities", entity, "cohorts", cohort), NODES.objectNode(), rollback, change);
  }

  /** The routing of an earlier version back, as a new version. */
  public Answer<ChangeResult> rollback(long version, ChangeOptions change)
      throws RouterProblemException, RouterUnavailableException {
    return change("POST", "/v1/rollback", NODES.objectNode().put("version", version), null, change);
  }

  // ---- operator actions ----

  /**
   * Records an operator action outside the routing (a dead-letter replay, a verifier repair) in the routing
   * log's audit trail, before it is done: the router checks the token's role (operator) and answers with the
   * audit entry once its replica applied it. A refusal (403 for a viewer) means the action must not be done.
   *
   * @param entity the entity it concerns, or null
   */
  public Answer<io.tandem.routing.api.AuditRecord> recordAction(String action, String entity, String scope, long count,
      String reason) throws RouterProblemException, RouterUnavailableException {
    ObjectNode body = NODES.objectNode().put("action", action);
    if (entity != null) {
      body.put("entity", entity);
    }
    body.put("scope", scope).put("count", count).put("reason", reason);
    return read(transport.send("POST", "/v1/actions", body), "the recorded action", ApiCodec::auditRecord);
  }

  // ---- requests ----

  private <T> Answer<T> get(String target, String expected, Function<JsonNode, T> reader)
      throws RouterProblemException, RouterUnavailableException {
    return read(transport.send("GET", target, null), expected, reader);
  }

  /**
   * Sends a change: the command's own fields, then why, the rollback confirmation (for the endpoints that
   * take one: null for the others), the expected version and force, each only when set.
   */
  private Answer<ChangeResult> change(String method, String target, ObjectNode body, Boolean rollback,
      ChangeOptions change) throws RouterProblemException, RouterUnavailableException {
    body.put("reason", change.reason());
    if (rollback != null) {
      body.put("rollback", rollback);
    }
    if (change.expectedVersion() != null) {
      body.put("expectedVersion", change.expectedVersion());
    }
    if (change.force()) {
      body.put("force", true);
    }
    return read(transport.send(method, target, body), "the changed routing", ApiCodec::change);
  }

  private <T> Answer<T> read(JsonNode answer, String expected, Function<JsonNode, T> reader)
      throws RouterUnavailableException {
    try {
      return new Answer<>(reader.apply(answer), answer);
    } catch (IllegalArgumentException e) {
      throw transport.unexpected(answer, expected, e);
    }
  }

  private static void putSelector(ObjectNode body, SelectorRequest selector) {
    if (selector instanceof SelectorRequest.Percent p) {
      // Plain and without trailing zeros: 1.5 and 100, never 1.50 or 1E+2.
      BigDecimal percent = p.percent().stripTrailingZeros();
      body.put("percent", percent.scale() < 0 ? percent.setScale(0) : percent);
    } else if (selector instanceof SelectorRequest.Keys k) {
      k.keys().forEach(body.putArray("keys")::add);
    } else {
      body.put("rule", ((SelectorRequest.Rule) selector).expression());
    }
  }

  /** Where the router is and how to talk to it. */
  public static final class Builder {
    private final URI baseUri;
    private String token;
    private Duration timeout = Duration.ofSeconds(10);

    private Builder(URI baseUri) {
      Objects.requireNonNull(baseUri, "baseUri");
      if (baseUri.getHost() == null
          || !("http".equalsIgnoreCase(baseUri.getScheme()) || "https".equalsIgnoreCase(baseUri.getScheme()))) {
        // The URI itself is not shown: its user info could hold a password.
        throw new IllegalArgumentException("the router's URI must be an http(s) URL with a host, such as "
            + "http://127.0.0.1:8088");
      }
      this.baseUri = baseUri;
    }

    /** The bearer token (null or blank: none). Sent with every request, never shown. */
    public Builder token(String bearerToken) {
      this.token = bearerToken == null || bearerToken.isBlank() ? null : bearerToken.trim();
      return this;
    }

    /** How long to wait for a connection, and then for an answer (default 10 s). */
    public Builder timeout(Duration requestTimeout) {
      if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new IllegalArgumentException("the timeout must be positive, was " + requestTimeout);
      }
      this.timeout = requestTimeout;
      return this;
    }

    public RouterHttpClient build() {
      return new RouterHttpClient(new JsonTransport(baseUri, token, timeout));
    }
  }
}
