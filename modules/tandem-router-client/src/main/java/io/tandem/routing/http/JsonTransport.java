package io.tandem.routing.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.routing.api.ApiCodec;
import io.tandem.routing.api.ProblemDocument;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * One request to the router and its JSON answer: a 2xx JSON body comes back, an error status becomes a
 * {@link RouterProblemException}, no usable answer a {@link RouterUnavailableException}.
 */
final class JsonTransport {
  /** BigDecimal percentages go out as 1.5 or 100, never 1E+2. */
  private static final ObjectMapper JSON = new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
  private static final int EXCERPT_LENGTH = 200;

  private static final Map<Integer, String> REASON_PHRASES = Map.ofEntries(
      Map.entry(400, "Bad Request"), Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"),
      Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"), Map.entry(409, "Conflict"),
      Map.entry(412, "Precondition Failed"), Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
      Map.entry(415, "Unsupported Media Type"), Map.entry(422, "Unprocessable Content"),
      Map.entry(431, "Request Header Fields Too Large"),
      Map.entry(429, "Too Many Requests"), Map.entry(500, "Internal Server Error"), Map.entry(502, "Bad Gateway"),
      Map.entry(503, "Service Unavailable"), Map.entry(504, "Gateway Timeout"));

  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  JsonTransport(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    // HTTP/1.1: no h2c upgrade dance with proxies in between; redirects are not followed (a POST must not move).
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The router as messages name it: no user info, which could hold a password. */
  String describe() {
    return base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort()) + basePath();
  }

  /**
   * Sends {@code method target} with {@code body} (null: none) and returns the 2xx answer's JSON.
   *
   * @param target path and query under the base URI's path, each part already encoded
   */
  JsonNode send(String method, String target, ObjectNode body)
      throws RouterProblemException, RouterUnavailableException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(basePath() + target)).timeout(timeout)
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
    HttpResponse<String> response = exchange(request.build());
    int status = response.statusCode();
    JsonNode answer = parse(response.body());
    if (status >= 200 && status < 300) {
      if (answer == null) {
        throw new RouterUnavailableException("the router at " + describe() + " answered HTTP " + status
            + " without a JSON body: " + excerpt(response.body()), true);
      }
      return answer;
    }
    throw problem(status, answer, response.body());
  }

  /** An answer that did not read as {@code expected}: the request arrived, so a change may have been applied. */
  RouterUnavailableException unexpected(JsonNode answer, String expected, IllegalArgumentException why) {
    return new RouterUnavailableException("the router at " + describe() + " answered with "
        + excerpt(answer.toString()) + " instead of " + expected + " (" + why.getMessage() + ")", true);
  }

  private HttpResponse<String> exchange(HttpRequest request) throws RouterUnavailableException {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (HttpConnectTimeoutException e) {
      throw new RouterUnavailableException("cannot reach the router at " + describe() + ": no connection within "
          + duration(timeout), false);
    } catch (HttpTimeoutException e) {
      throw new RouterUnavailableException("the router at " + describe() + " did not answer within "
          + duration(timeout), true);
    } catch (ConnectException e) {
      // The JDK client's ConnectException usually has no message; a refused connection is the common case.
      String why = e.getMessage() == null || e.getMessage().isBlank() ? "connection refused" : reason(e);
      throw new RouterUnavailableException("cannot reach the router at " + describe() + ": " + why, false);
    } catch (IOException e) {
      throw new RouterUnavailableException("lost the router at " + describe() + ": " + reason(e), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RouterUnavailableException("interrupted while waiting for the router at " + describe(), true);
    }
  }

  private String basePath() {
    return base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
  }

  private static RouterProblemException problem(int status, JsonNode document, String rawBody) {
    String fallbackTitle = REASON_PHRASES.getOrDefault(status, "HTTP " + status);
    if (document == null || !document.isObject()) {
      // Not a problem document (a proxy's HTML page, say): show its start rather than nothing.
      return new RouterProblemException(status, fallbackTitle, rawBody.isBlank() ? null : excerpt(rawBody), null,
          null);
    }
    ProblemDocument problem = ApiCodec.problem(document);
    return new RouterProblemException(status, problem.title() == null ? fallbackTitle : problem.title(),
        problem.detail(), problem, document);
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

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }

  /**
   * The start of a body that was not what we expected, on one line, control characters escaped: it
   * comes from the network and ends up in messages, logs and terminals.
   */
  static String excerpt(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    String shown = oneLine.length() <= EXCERPT_LENGTH ? oneLine : oneLine.substring(0, EXCERPT_LENGTH) + "...";
    StringBuilder escaped = new StringBuilder(shown.length());
    shown.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        escaped.append(String.format("\\u%04x", c));
      } else {
        escaped.appendCodePoint(c);
      }
    });
    return escaped.toString();
  }

  /** {@code 10s}, {@code 300ms}. */
  static String duration(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }

  private static String reason(IOException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
  }
}
