package io.tandem.registry.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.tandem.registry.Compatibility;
import io.tandem.registry.CompatibilityResult;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.RegistryException;
import io.tandem.registry.SchemaReference;
import io.tandem.registry.server.RegistryService.SchemaInput;
import io.tandem.registry.server.RegistryState.StoredSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Confluent Schema Registry REST API over {@link RegistryService}. */
final class RegistryHttpApi implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryHttpApi.class);
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final Set<String> ACCEPTED_BODY_TYPES = Set.of(
      "application/vnd.schemaregistry.v1+json", "application/vnd.schemaregistry+json",
      "application/json", "application/octet-stream");
  private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private final RegistryService service;
  private final RequestAuthenticator authenticator;
  private final ObjectMapper json = new ObjectMapper();

  RegistryHttpApi(RegistryService service, RequestAuthenticator authenticator) {
    this.service = service;
    this.authenticator = authenticator;
  }

  /** An HTTP answer: status and JSON body, or a raw string body for the {@code /schema} endpoints. */
  private record Answer(int status, Object body, boolean raw) {
    static Answer ok(Object body) {
      return new Answer(200, body, false);
    }
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Answer answer;
    try {
      if (!authenticator.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.getResponseHeaders().add("WWW-Authenticate", authenticator.challenge());
        throw new RegistryException(401, 401, "Unauthorized");
      }
      answer = route(exchange);
    } catch (RegistryException e) {
      answer = error(e.status(), e.errorCode(), e.registryMessage());
    } catch (RuntimeException e) {
      LOG.error("Registry request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
      answer = error(500, ErrorCode.STORE_ERROR, "Internal error: " + e);
    }
    send(exchange, answer);
  }

  private Answer route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    List<String> path = segments(exchange.getRequestURI().getRawPath());
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    int size = path.size();
    String head = size == 0 ? "" : path.get(0);

    if (size == 0) {
      return only(method, "GET", () -> Answer.ok(json.createObjectNode()));
    }
    switch (head) {
      case "subjects" -> {
        if (size == 1) {
          return only(method, "GET", () -> Answer.ok(service.subjects(flag(query, "deleted"))));
        }
        String subject = path.get(1);
        if (size == 2) {
          return switch (method) {
            case "POST" -> Answer.ok(registered(service.lookup(subject, schemaInput(exchange), flag(query, "deleted")), true));
            case "DELETE" -> Answer.ok(service.deleteSubject(subject, flag(query, "permanent")));
            default -> methodNotAllowed();
          };
        }
        if (!path.get(2).equals("versions")) {
          break;
        }
        if (size == 3) {
          return switch (method) {
            case "GET" -> Answer.ok(service.versions(subject, flag(query, "deleted")));
            case "POST" -> {
              RegisteredSchema registered = service.register(subject, schemaInput(exchange));
              yield Answer.ok(json.createObjectNode().put("id", registered.id()));
            }
            default -> methodNotAllowed();
          };
        }
        String version = path.get(3);
        if (size == 4) {
          return switch (method) {
            case "GET" -> Answer.ok(registered(service.version(subject, version, flag(query, "deleted")), true));
            case "DELETE" -> Answer.ok(service.deleteVersion(subject, version, flag(query, "permanent")));
            default -> methodNotAllowed();
          };
        }
        if (size == 5 && path.get(4).equals("schema")) {
          return only(method, "GET", () -> new Answer(200, service.version(subject, version, flag(query, "deleted")).schema(), true));
        }
        if (size == 5 && path.get(4).equals("referencedby")) {
          return only(method, "GET", () -> Answer.ok(service.referencedBy(subject, version)));
        }
      }
      case "schemas" -> {
        if (size == 2 && path.get(1).equals("types")) {
          return only(method, "GET", () -> Answer.ok(List.of(RegisteredSchema.AVRO)));
        }
        if (size >= 3 && path.get(1).equals("ids")) {
          int id = schemaId(path.get(2));
          if (size == 3) {
            return only(method, "GET", () -> Answer.ok(schemaById(service.schemaById(id))));
          }
          if (size == 4 && path.get(3).equals("schema")) {
            return only(method, "GET", () -> new Answer(200, service.schemaById(id).schema(), true));
          }
          if (size == 4 && path.get(3).equals("versions")) {
            return only(method, "GET", () -> {
              ArrayNode out = json.createArrayNode();
              service.subjectVersionsOf(id, flag(query, "deleted"))
                  .forEach(u -> out.addObject().put("subject", u.subject()).put("version", u.version()));
              return Answer.ok(out);
            });
          }
          if (size == 4 && path.get(3).equals("subjects")) {
            return only(method, "GET", () -> Answer.ok(service.subjectVersionsOf(id, flag(query, "deleted")).stream()
                .map(RegisteredSchema::subject).distinct().sorted().toList()));
          }
        }
      }
      case "compatibility" -> {
        if ((size == 4 || size == 5) && path.get(1).equals("subjects") && path.get(3).equals("versions")) {
          if (!method.equals("POST")) {
            return methodNotAllowed();
          }
          String subject = path.get(2);
          String version = size == 5 ? path.get(4) : null;
          CompatibilityResult result = service.testCompatibility(subject, version, schemaInput(exchange));
          ObjectNode out = json.createObjectNode().put("is_compatible", result.compatible());
          if (flag(query, "verbose")) {
            ArrayNode messages = out.putArray("messages");
            result.messages().forEach(messages::add);
          }
          return Answer.ok(out);
        }
      }
      case "config" -> {
        if (size == 1) {
          return switch (method) {
            case "GET" -> Answer.ok(level("compatibilityLevel", service.globalCompatibility()));
            case "PUT" -> Answer.ok(level("compatibility", service.setGlobalCompatibility(compatibility(exchange))));
            default -> methodNotAllowed();
          };
        }
        if (size == 2) {
          String subject = path.get(1);
          return switch (method) {
            case "GET" -> Answer.ok(level("compatibilityLevel", service.subjectCompatibility(subject, flag(query, "defaultToGlobal"))));
            case "PUT" -> Answer.ok(level("compatibility", service.setSubjectCompatibility(subject, compatibility(exchange))));
            case "DELETE" -> Answer.ok(level("compatibilityLevel", service.deleteSubjectCompatibility(subject)));
            default -> methodNotAllowed();
          };
        }
      }
      case "mode" -> {
        // Read-only view: this registry is always READWRITE (no IMPORT / READONLY modes).
        if (size <= 2) {
          return only(method, "GET", () -> Answer.ok(json.createObjectNode().put("mode", "READWRITE")));
        }
      }
      default -> {
        // falls through to 404
      }
    }
    return error(404, 404, "HTTP 404 Not Found");
  }

  private interface Handler {
    Answer handle() throws IOException;
  }

  private Answer only(String method, String allowed, Handler handler) throws IOException {
    return method.equals(allowed) ? handler.handle() : methodNotAllowed();
  }

  private static Answer methodNotAllowed() {
    throw new RegistryException(405, 405, "HTTP 405 Method Not Allowed");
  }

  private Answer error(int status, int code, String message) {
    return new Answer(status, json.createObjectNode().put("error_code", code).put("message", message), false);
  }

  private ObjectNode registered(RegisteredSchema schema, boolean withSubject) {
    ObjectNode out = json.createObjectNode();
    if (withSubject) {
      out.put("subject", schema.subject());
      out.put("version", schema.version());
    }
    out.put("id", schema.id());
    if (!RegisteredSchema.AVRO.equals(schema.schemaType())) {
      out.put("schemaType", schema.schemaType());
    }
    addReferences(out, schema.references());
    out.put("schema", schema.schema());
    return out;
  }

  private ObjectNode schemaById(StoredSchema schema) {
    ObjectNode out = json.createObjectNode();
    if (!RegisteredSchema.AVRO.equals(schema.schemaType())) {
      out.put("schemaType", schema.schemaType());
    }
    addReferences(out, schema.references());
    out.put("schema", schema.schema());
    return out;
  }

  private void addReferences(ObjectNode out, List<SchemaReference> references) {
    if (!references.isEmpty()) {
      ArrayNode refs = out.putArray("references");
      references.forEach(r -> refs.addObject().put("name", r.name()).put("subject", r.subject()).put("version", r.version()));
    }
  }

  private ObjectNode level(String field, Compatibility level) {
    return json.createObjectNode().put(field, level.name());
  }

  private SchemaInput schemaInput(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    JsonNode schema = body.get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new RegistryException(422, ErrorCode.INVALID_SCHEMA, "Invalid schema: the request body needs a string field 'schema'");
    }
    JsonNode type = body.get("schemaType");
    if (type != null && !type.isNull() && !type.isTextual()) {
      throw new RegistryException(422, ErrorCode.INVALID_SCHEMA, "Invalid schema: 'schemaType' must be a string");
    }
    List<SchemaReference> references = new ArrayList<>();
    JsonNode refs = body.get("references");
    if (refs != null && !refs.isNull()) {
      if (!refs.isArray()) {
        throw new RegistryException(422, ErrorCode.INVALID_SCHEMA, "Invalid schema: 'references' must be an array");
      }
      for (JsonNode ref : refs) {
        if (!ref.path("name").isTextual() || !ref.path("subject").isTextual() || !ref.path("version").canConvertToInt()) {
          throw new RegistryException(422, ErrorCode.INVALID_SCHEMA,
              "Invalid schema: each reference needs a string 'name', a string 'subject' and an integer 'version'");
        }
        references.add(new SchemaReference(ref.get("name").asText(), ref.get("subject").asText(), ref.get("version").asInt()));
      }
    }
    return new SchemaInput(schema.asText(), type == null || type.isNull() ? null : type.asText(), references);
  }

  private Compatibility compatibility(HttpExchange exchange) throws IOException {
    JsonNode body = body(exchange);
    String value = body.path("compatibility").asText(body.path("compatibilityLevel").asText(null));
    return Compatibility.parse(value).orElseThrow(() -> new RegistryException(422, ErrorCode.INVALID_COMPATIBILITY_LEVEL,
        "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, "
            + "forward_transitive, and full_transitive"));
  }

  private JsonNode body(HttpExchange exchange) throws IOException {
    String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
    if (contentType != null) {
      String media = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!ACCEPTED_BODY_TYPES.contains(media)) {
        throw new RegistryException(415, 415, "HTTP 415 Unsupported Media Type");
      }
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw new RegistryException(413, 413, "Request body larger than " + MAX_BODY_BYTES + " bytes");
    }
    try {
      JsonNode node = json.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new RegistryException(400, 400, "Request body must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new RegistryException(400, 400, "Malformed JSON: " + e.getOriginalMessage());
    }
  }

  private static int schemaId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new RegistryException(404, ErrorCode.SCHEMA_NOT_FOUND, "Schema " + text + " not found");
    }
  }

  private static boolean flag(Map<String, String> query, String name) {
    return Boolean.parseBoolean(query.getOrDefault(name, "false"));
  }

  private static List<String> segments(String rawPath) {
    List<String> segments = new ArrayList<>();
    for (String part : rawPath.split("/")) {
      if (!part.isEmpty()) {
        segments.add(decode(part));
      }
    }
    return segments;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new HashMap<>();
    if (rawQuery == null) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      params.put(key, eq < 0 ? "true" : decode(pair.substring(eq + 1)));
    }
    return params;
  }

  /** Percent-decoding; a literal '+' in a path stays a '+'. */
  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private void send(HttpExchange exchange, Answer answer) throws IOException {
    byte[] bytes = answer.raw()
        ? ((String) answer.body()).getBytes(StandardCharsets.UTF_8)
        : json.writeValueAsBytes(answer.body());
    exchange.getResponseHeaders().set("Content-Type", answer.raw() ? "application/json" : CONTENT_TYPE);
    exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
