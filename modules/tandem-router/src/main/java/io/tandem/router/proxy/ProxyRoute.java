package io.tandem.router.proxy;

import io.tandem.core.config.Secrets;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One proxied path: requests matching {@code pathTemplate} belong to {@code entity}, are routed by the
 * key found at {@code key}, and go to the {@code legacy} or {@code newUpstream} base URL (the request's
 * path and query are appended to it).
 *
 * @param pathTemplate a path whose variables are whole segments, e.g. {@code /api/customers/{id}}
 * @param ignoreFields dotted JSON field paths left out of shadow comparisons, e.g. {@code updatedAt} or
 *     {@code meta.etag}; rooted at the body, with arrays transparent at any depth ({@code orders.updatedAt}
 *     covers {@code orders[*].updatedAt}, and {@code updatedAt} covers every element of a top-level array)
 * @param fallbackToLegacy whether a read that new fails (connection error, timeout, 5xx) is served from
 *     legacy instead of answered with 502
 * @param timeout how long one upstream exchange may take, connection included
 * @param maxBodyBytes the largest request body accepted (a larger one is refused with 413 before it is read
 *     or buffered further)
 */
public record ProxyRoute(String pathTemplate, String entity, KeySource key, URI legacy, URI newUpstream,
    List<String> ignoreFields, boolean fallbackToLegacy, Duration timeout, long maxBodyBytes) {

  /** 1 MiB: API calls, not uploads. */
  public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;
  /** The highest limit a route may set: bodies are buffered (shadow reads and fallback re-send them). */
  public static final long MAX_BODY_LIMIT = 64L << 20;

  // The routing log's entity names (RoutingStateMachine): a route for any other name could never match.
  private static final Pattern ENTITY = Pattern.compile("[a-z][a-z0-9_-]{0,62}");
  // Vert.x Web's path parameter names.
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Pattern FIELD_PATH = Pattern.compile("[^.\\s\\[\\]]+(\\.[^.\\s\\[\\]]+)*");

  public ProxyRoute {
    List<String> variables = variables(pathTemplate);
    if (entity == null || !ENTITY.matcher(entity).matches()) {
      throw new IllegalArgumentException("entity must match " + ENTITY.pattern() + ", was " + quoted(entity));
    }
    if (key == null) {
      throw new IllegalArgumentException("key must be set (\"path:<variable>\", \"header:<name>\" or "
          + "\"query:<name>\")");
    }
    if (key.location() == KeySource.Location.PATH && !variables.contains(key.name())) {
      throw new IllegalArgumentException("key \"" + key + "\" names no variable of pathTemplate \""
          + pathTemplate + "\" (its variables: " + (variables.isEmpty() ? "none" : String.join(", ", variables))
          + ")");
    }
    requireBaseUrl("legacy", legacy);
    requireBaseUrl("newUpstream", newUpstream);
    ignoreFields = ignoreFields == null ? List.of() : List.copyOf(checkedFields(ignoreFields));
    if (timeout == null || timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout must be at least 1 ms, was " + timeout);
    }
    if (maxBodyBytes < 0 || maxBodyBytes > MAX_BODY_LIMIT) {
      throw new IllegalArgumentException("maxBodyBytes must be 0.." + MAX_BODY_LIMIT + ", was " + maxBodyBytes);
    }
  }

  /** A route with the default body limit ({@link #DEFAULT_MAX_BODY_BYTES}). */
  public ProxyRoute(String pathTemplate, String entity, KeySource key, URI legacy, URI newUpstream,
      List<String> ignoreFields, boolean fallbackToLegacy, Duration timeout) {
    this(pathTemplate, entity, key, legacy, newUpstream, ignoreFields, fallbackToLegacy, timeout,
        DEFAULT_MAX_BODY_BYTES);
  }

  /** The template in Vert.x Web's syntax: {@code /api/customers/:id}. */
  String routerPath() {
    return pathTemplate.replaceAll("\\{([A-Za-z][A-Za-z0-9_]*)}", ":$1");
  }

  /** The template's variable names, checking that it is a path whose variables are whole segments. */
  private static List<String> variables(String template) {
    if (template == null || !template.startsWith("/")) {
      throw new IllegalArgumentException("pathTemplate must start with '/', like \"/api/customers/{id}\", was "
          + quoted(template));
    }
    if (template.contains("?") || template.contains("#") || template.contains(":") || template.contains("*")) {
      throw new IllegalArgumentException("pathTemplate must be a plain path with {variables} (no query, "
          + "fragment, ':' or '*'), was \"" + template + "\"");
    }
    List<String> variables = new ArrayList<>();
    for (String segment : template.substring(1).split("/", -1)) {
      boolean hasBrace = segment.contains("{") || segment.contains("}");
      if (!hasBrace) {
        continue;
      }
      String name = segment.startsWith("{") && segment.endsWith("}") ? segment.substring(1, segment.length() - 1)
          : "";
      if (!VARIABLE.matcher(name).matches()) {
        throw new IllegalArgumentException("pathTemplate \"" + template + "\": segment \"" + segment
            + "\" must be a whole {variable} whose name matches " + VARIABLE.pattern());
      }
      if (variables.contains(name)) {
        throw new IllegalArgumentException("pathTemplate \"" + template + "\" names variable {" + name + "} twice");
      }
      variables.add(name);
    }
    return variables;
  }

  private static void requireBaseUrl(String field, URI uri) {
    boolean ok = uri != null && uri.isAbsolute() && uri.getHost() != null
        && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        && uri.getRawQuery() == null && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    if (!ok) {
      throw new IllegalArgumentException(field + " must be an absolute http(s) base URL without query, "
          + "fragment or user info, like \"http://legacy:8080\", was " + (uri == null ? "null"
          : "\"" + Secrets.maskUrl(uri.toString()) + "\""));
    }
  }

  private static List<String> checkedFields(List<String> fields) {
    for (int i = 0; i < fields.size(); i++) {
      String field = fields.get(i);
      if (field == null || !FIELD_PATH.matcher(field).matches()) {
        throw new IllegalArgumentException("ignoreFields[" + i + "] must be a dotted field path like "
            + "\"updatedAt\" or \"meta.etag\" (no empty parts, spaces or [indexes]), was " + quoted(field));
      }
    }
    return fields;
  }

  private static String quoted(String value) {
    return value == null ? "null" : "\"" + value + "\"";
  }
}
