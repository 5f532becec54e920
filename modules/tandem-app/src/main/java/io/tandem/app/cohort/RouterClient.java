package io.tandem.app.cohort;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The router's operator API over HTTP: JSON in, JSON out, RFC 9457 problems turned into
 * {@link RouterProblem}, no usable answer into {@link RouterUnavailable}. One instance per command run.
 */
final class RouterClient {
  /** BigDecimal percentages go out as 1.5 or 100, never 1E+2. */
  static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

  private static final Map<Integer, String> REASON_PHRASES = Map.ofEntries(
      Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
      Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(409, "Conflict"),
      Map.entry(412, "Precondition Failed"), Map.entry(422, "Unprocessable Content"),
      Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"), Map.entry(502, "Bad Gateway"),
      Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  RouterClient(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.timeout = timeout;
    // HTTP/1.1: no h2c upgrade dance with proxies in between; redirects are not followed (a POST must not move).
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /** {@code /v1/route/customer/a%2Fb}: every segment percent-encoded, so keys may hold '/', '?', spaces. */
  static String path(String... segments) {
    StringBuilder path = new StringBuilder();
    for (String segment : segments) {
      path.append('/').append(encode(segment));
    }
    return path.toString();
  }

  /** {@code ?limit=50&entity=customer}, skipping null values; empty when nothing is left. */
  static String query(Map<String, ?> parameters) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    parameters.forEach((name, value) -> {
      if (value != null) {
        query.add(encode(name) + "=" + encode(String.valueOf(value)));
      }
    });
    return query.toString();
  }

  private static String encode(String text) {
    // %20 rather than '+': a path segment has no form encoding, and every server decodes %20.
    String encoded = URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    // "." and ".." would be resolved away as path steps by servers and proxies.
    return encoded.chars().allMatch(c -> c == '.') ? encoded.replace(".", "%2E") : encoded;
  }

  JsonNode get(String pathAndQuery) throws RouterProblem, RouterUnavailable {
    return send("GET", pathAndQuery, null);
  }

  JsonNode post(String path, JsonNode body) throws RouterProblem, RouterUnavailable {
    return send("POST", path, body);
  }

  JsonNode delete(String path, JsonNode body) throws RouterProblem, RouterUnavailable {
    return send("DELETE", path, body);
  }

  /** The router as messages name it: no user info, which could hold a password. */
  String describe() {
    return base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort())
        + (base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", ""));
  }

  private JsonNode send(String method, String pathAndQuery, JsonNode body) throws RouterProblem, RouterUnavailable {
    String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
    URI uri = base.resolve(prefix + pathAndQuery);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Accept", "application/json, application/problem+json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(write(body), StandardCharsets.UTF_8));
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw new RouterUnavailable("cannot reach the router at " + describe() + ": no connection within "
          + Text.duration(timeout), false);
    } catch (HttpTimeoutException e) {
      throw new RouterUnavailable("the router at " + describe() + " did not answer within " + Text.duration(timeout),
          true);
    } catch (ConnectException e) {
      // The JDK client's ConnectException usually has no message; a refused connection is the common case.
      String why = e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : reason(e);
      throw new RouterUnavailable("cannot reach the router at " + describe() + ": " + why, false);
    } catch (IOException e) {
      throw new RouterUnavailable("lost the router at " + describe() + ": " + reason(e), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RouterUnavailable("interrupted while waiting for the router at " + describe(), true);
    }
    int status = response.statusCode();
    JsonNode answer = parse(response.body());
    if (status >= 200 && status < 300) {
      if (answer == null) {
        throw new RouterUnavailable("the router at " + describe() + " answered HTTP " + status
            + " without a JSON body: " + Text.excerpt(response.body()), true);
      }
      return answer;
    }
    throw problem(status, answer, response.body());
  }

  private static RouterProblem problem(int status, JsonNode document, String rawBody) {
    String fallbackTitle = REASON_PHRASES.getOrDefault(status, "HTTP " + status);
    if (document == null || !document.isObject()) {
      // Not a problem document (a proxy's HTML page, say): show its start rather than nothing.
      return new RouterProblem(status, fallbackTitle, rawBody.isBlank() ? null : Text.excerpt(rawBody), null, null);
    }
    JsonNode currentVersion = document.get("currentVersion");
    return new RouterProblem(status, Text.field(document, "title", fallbackTitle), Text.field(document, "detail", null),
        currentVersion != null && currentVersion.canConvertToLong() ? currentVersion.asLong() : null, document);
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  private static String reason(IOException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + message.substring(1);
  }

  /** The router answered with an error status (4xx refused, anything else failed). */
  static final class RouterProblem extends Exception {
    final int status;
    final String title;
    final String detail;
    final Long currentVersion;
    /** The problem document as sent, or null if the body was not JSON. */
    final JsonNode document;

    RouterProblem(int status, String title, String detail, Long currentVersion, JsonNode document) {
      super("HTTP " + status + " " + title, null, false, false);
      this.status = status;
      this.title = title;
      this.detail = detail;
      this.currentVersion = currentVersion;
      this.document = document;
    }

    boolean refused() {
      return status >= 400 && status < 500;
    }
  }

  /** No usable answer: not reachable, timed out, connection lost, or a body that is not JSON. */
  static final class RouterUnavailable extends Exception {
    /** Whether the request may have reached the router (so a change may have been applied). */
    final boolean mayHaveArrived;

    RouterUnavailable(String message, boolean mayHaveArrived) {
      super(message, null, false, false);
      this.mayHaveArrived = mayHaveArrived;
    }
  }
}
