package io.tandem.registry.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.Compatibility;
import io.tandem.registry.CompatibilityResult;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.RegistryException;
import io.tandem.registry.SchemaReference;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;

/**
 * Client for the Confluent Schema Registry REST API (Confluent, Karapace, Apicurio ccompat,
 * Redpanda, Tandem's embedded registry).
 *
 * <p>Registrations and id lookups are cached in both directions, so steady-state serialization
 * makes no HTTP call. Connection errors, 5xx and 429 are retried with back-off, trying the next
 * URL when several are configured; 4xx answers are never retried. TLS uses the JVM's default
 * {@link SSLContext} (the standard {@code javax.net.ssl.*} properties) unless one is given.
 * Thread-safe.
 */
public final class SchemaRegistryClient {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String ACCEPT = "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json";

  private final List<URI> urls;
  private final String authorization;
  private final RetryPolicy retry;
  private final Duration requestTimeout;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger currentUrl = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();

  private record SubjectSchema(String subject, Schema schema) {}

  private final Map<SubjectSchema, Integer> registeredIds = new ConcurrentHashMap<>();
  private final Map<SubjectSchema, Integer> lookedUpIds = new ConcurrentHashMap<>();
  private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();

  private SchemaRegistryClient(Builder builder) {
    this.urls = List.copyOf(builder.urls);
    this.authorization = builder.authorization;
    this.retry = builder.retry;
    this.requestTimeout = builder.requestTimeout;
    HttpClient.Builder http = HttpClient.newBuilder()
        .connectTimeout(builder.connectTimeout)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .version(HttpClient.Version.HTTP_1_1);
    if (builder.sslContext != null) {
      http.sslContext(builder.sslContext);
    }
    this.http = http.build();
  }

  public static Builder builder(URI... urls) {
    return new Builder(List.of(urls));
  }

  public static Builder builder(List<URI> urls) {
    return new Builder(urls);
  }

  // ---- cached operations used on the serialization path ----

  /** Registers {@code schema} under {@code subject} (or finds it registered) and returns its id. Cached. */
  public int register(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = registeredIds.get(key);
    if (cached != null) {
      return cached;
    }
    int id = register(subject, schema.toString(), RegisteredSchema.AVRO, List.of()).id();
    registeredIds.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /** Id of {@code schema} already registered under {@code subject}, without registering. Cached. */
  public int idOf(String subject, Schema schema) {
    SubjectSchema key = new SubjectSchema(subject, schema);
    Integer cached = lookedUpIds.get(key);
    if (cached == null) {
      cached = registeredIds.get(key);
    }
    if (cached != null) {
      return cached;
    }
    int id = lookup(subject, schema.toString(), RegisteredSchema.AVRO, List.of(), false).id();
    lookedUpIds.put(key, id);
    schemasById.putIfAbsent(id, schema);
    return id;
  }

  /** The Avro schema with this id, its references resolved. Cached: ids never change meaning. */
  public Schema schemaById(int id) {
    Schema cached = schemasById.get(id);
    if (cached != null) {
      return cached;
    }
    JsonNode body = call("GET", "/schemas/ids/" + id, null);
    String type = body.path("schemaType").asText(RegisteredSchema.AVRO);
    if (!RegisteredSchema.AVRO.equals(type)) {
      throw new RegistryException(422, ErrorCode.INVALID_SCHEMA, "Schema " + id + " is of type " + type + ", not AVRO");
    }
    Schema parsed = parse(body.path("schema").asText(), references(body));
    Schema previous = schemasById.putIfAbsent(id, parsed);
    return previous == null ? parsed : previous;
  }

  // ---- plain REST operations ----

  public RegisteredSchema register(String subject, String schema, String schemaType, List<SchemaReference> references) {
    JsonNode body = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema, schemaType, references));
    return new RegisteredSchema(subject, body.path("version").asInt(0), body.path("id").asInt(), schemaType, schema, references);
  }

  public RegisteredSchema lookup(String subject, String schema, String schemaType, List<SchemaReference> references,
      boolean includeDeleted) {
    JsonNode body = call("POST", "/subjects/" + encode(subject) + (includeDeleted ? "?deleted=true" : ""),
        schemaBody(schema, schemaType, references));
    return registered(body);
  }

  public RegisteredSchema version(String subject, int version) {
    return registered(call("GET", "/subjects/" + encode(subject) + "/versions/" + version, null));
  }

  public RegisteredSchema latest(String subject) {
    return registered(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null));
  }

  public List<String> subjects() {
    return convert(call("GET", "/subjects", null), new TypeReference<>() {});
  }

  public List<Integer> versions(String subject) {
    return convert(call("GET", "/subjects/" + encode(subject) + "/versions", null), new TypeReference<>() {});
  }

  /** Soft-deletes (or, after a soft delete, permanently deletes) a subject; returns the versions removed. */
  public List<Integer> deleteSubject(String subject, boolean permanent) {
    return convert(call("DELETE", "/subjects/" + encode(subject) + (permanent ? "?permanent=true" : ""), null),
        new TypeReference<>() {});
  }

  public int deleteVersion(String subject, int version, boolean permanent) {
    return call("DELETE", "/subjects/" + encode(subject) + "/versions/" + version + (permanent ? "?permanent=true" : ""), null)
        .asInt();
  }

  /**
   * Tests {@code schema} against one version ("latest" or a number) of the subject, or, with
   * {@code version == null}, against the versions its compatibility level names.
   */
  public CompatibilityResult testCompatibility(String subject, String version, Schema schema) {
    String path = "/compatibility/subjects/" + encode(subject) + "/versions" + (version == null ? "" : "/" + encode(version))
        + "?verbose=true";
    JsonNode body = call("POST", path, schemaBody(schema.toString(), RegisteredSchema.AVRO, List.of()));
    List<String> messages = new ArrayList<>();
    body.path("messages").forEach(m -> messages.add(m.asText()));
    return new CompatibilityResult(body.path("is_compatible").asBoolean(false), messages);
  }

  public Compatibility compatibility() {
    return level(call("GET", "/config", null), "compatibilityLevel");
  }

  /** The subject's own level, or empty when it follows the global one. */
  public Optional<Compatibility> compatibility(String subject) {
    try {
      return Optional.of(level(call("GET", "/config/" + encode(subject), null), "compatibilityLevel"));
    } catch (RegistryException e) {
      if (e.errorCode() == ErrorCode.SUBJECT_COMPATIBILITY_NOT_CONFIGURED) {
        return Optional.empty();
      }
      throw e;
    }
  }

  public Compatibility setCompatibility(Compatibility level) {
    return level(call("PUT", "/config", json.createObjectNode().put("compatibility", level.name())), "compatibility");
  }

  public Compatibility setCompatibility(String subject, Compatibility level) {
    return level(call("PUT", "/config/" + encode(subject), json.createObjectNode().put("compatibility", level.name())),
        "compatibility");
  }

  /** Removes the subject's own level (it follows the global one again); returns the level removed. */
  public Compatibility deleteCompatibility(String subject) {
    return level(call("DELETE", "/config/" + encode(subject), null), "compatibilityLevel");
  }

  /** HTTP requests sent so far (retries included): lets tests prove the caches work. */
  public long requestCount() {
    return requests.get();
  }

  // ---- transport ----

  private JsonNode call(String method, String pathAndQuery, JsonNode body) {
    try {
      return retry.call(() -> send(method, pathAndQuery, body), SchemaRegistryClient::retriable);
    } catch (RegistryException e) {
      throw e;
    } catch (IOException e) {
      throw new RegistryException(0, 0, "Schema registry unreachable at " + io.tandem.core.config.Secrets.maskUrl(
          urls.toString()) + " for " + method + " " + pathAndQuery + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(0, 0, "Interrupted while calling the schema registry", e);
    } catch (Exception e) {
      throw new RegistryException(0, 0, "Schema registry call failed: " + e, e);
    }
  }

  private static boolean retriable(Exception e) {
    if (e instanceof RegistryException r) {
      return r.retriable();
    }
    return e instanceof IOException;
  }

  private JsonNode send(String method, String pathAndQuery, JsonNode body) throws IOException, InterruptedException {
    int index = Math.floorMod(currentUrl.get(), urls.size());
    URI base = urls.get(index);
    HttpRequest.Builder request = HttpRequest.newBuilder(resolve(base, pathAndQuery))
        .timeout(requestTimeout)
        .header("Accept", ACCEPT)
        .method(method, body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    if (body != null) {
      request.header("Content-Type", CONTENT_TYPE);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    requests.incrementAndGet();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      // Next attempt goes to the next URL; a single URL simply retries.
      currentUrl.compareAndSet(index, index + 1);
      throw e;
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return json.readTree(response.body());
    }
    if (status >= 500) {
      currentUrl.compareAndSet(index, index + 1);
    }
    throw error(status, response.body());
  }

  private RegistryException error(int status, byte[] body) {
    try {
      JsonNode node = json.readTree(body);
      if (node != null && node.has("error_code")) {
        return new RegistryException(status, node.path("error_code").asInt(status), node.path("message").asText(""));
      }
    } catch (IOException e) {
      // not JSON: fall back to the raw text below
    }
    String text = new String(body, StandardCharsets.UTF_8);
    return new RegistryException(status, status, text.length() > 500 ? text.substring(0, 500) + "..." : text);
  }

  private static URI resolve(URI base, String pathAndQuery) {
    String root = base.toString();
    if (root.endsWith("/")) {
      root = root.substring(0, root.length() - 1);
    }
    return URI.create(root + pathAndQuery);
  }

  // ---- JSON helpers ----

  private ObjectNode schemaBody(String schema, String schemaType, List<SchemaReference> references) {
    ObjectNode body = json.createObjectNode().put("schema", schema);
    if (schemaType != null && !RegisteredSchema.AVRO.equals(schemaType)) {
      body.put("schemaType", schemaType);
    }
    if (references != null && !references.isEmpty()) {
      ArrayNode refs = body.putArray("references");
      references.forEach(r -> refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version()));
    }
    return body;
  }

  private RegisteredSchema registered(JsonNode body) {
    return new RegisteredSchema(body.path("subject").asText(null), body.path("version").asInt(), body.path("id").asInt(),
        body.path("schemaType").asText(RegisteredSchema.AVRO), body.path("schema").asText(), references(body));
  }

  private static List<SchemaReference> references(JsonNode body) {
    List<SchemaReference> refs = new ArrayList<>();
    body.path("references").forEach(r -> refs.add(
        new SchemaReference(r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt())));
    return refs;
  }

  /** Parses a schema after fetching, depth first, every schema it references. */
  private Schema parse(String schema, List<SchemaReference> references) {
    Map<String, String> dependencies = new LinkedHashMap<>();
    collect(references, dependencies);
    Schema.Parser parser = new Schema.Parser();
    dependencies.values().forEach(parser::parse);
    return parser.parse(schema);
  }

  private void collect(List<SchemaReference> references, Map<String, String> into) {
    for (SchemaReference ref : references) {
      String key = ref.subject() + "/" + ref.version();
      if (!into.containsKey(key)) {
        RegisteredSchema referenced = version(ref.subject(), ref.version());
        collect(referenced.references(), into);
        into.put(key, referenced.schema());
      }
    }
  }

  private Compatibility level(JsonNode body, String field) {
    String text = body.path(field).asText(null);
    return Compatibility.parse(text).orElseThrow(() ->
        new RegistryException(200, 0, "Registry answered an unknown compatibility level: " + body));
  }

  private <T> T convert(JsonNode node, TypeReference<T> type) {
    return json.convertValue(node, type);
  }

  private static String encode(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Settings for a client; validated by {@link #build()}. */
  public static final class Builder {
    private final List<URI> urls;
    private String authorization;
    private RetryPolicy retry = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2));
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private SSLContext sslContext;

    private Builder(List<URI> urls) {
      if (urls == null || urls.isEmpty()) {
        throw new IllegalArgumentException("at least one schema registry URL is needed");
      }
      for (URI url : urls) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
          throw new IllegalArgumentException("schema registry URL must be http(s)://host[:port][/path], got "
              + io.tandem.core.config.Secrets.maskUrl(url.toString()));
        }
      }
      this.urls = List.copyOf(urls);
    }

    public Builder basicAuth(String user, String password) {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      this.authorization = "Basic " + Base64.getEncoder()
          .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
      return this;
    }

    public Builder bearerToken(String token) {
      this.authorization = "Bearer " + Objects.requireNonNull(token, "token");
      return this;
    }

    public Builder retry(RetryPolicy retry) {
      this.retry = Objects.requireNonNull(retry, "retry");
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** TLS settings other than the JVM defaults (custom trust store, client certificate). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    public SchemaRegistryClient build() {
      return new SchemaRegistryClient(this);
    }
  }
}
