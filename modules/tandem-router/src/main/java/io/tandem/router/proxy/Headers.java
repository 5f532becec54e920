package io.tandem.router.proxy;

import io.vertx.core.MultiMap;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Which headers cross the proxy, in each direction. */
final class Headers {
  static final String TARGET = "X-Tandem-Target";
  static final String COHORT = "X-Tandem-Cohort";
  static final String VERSION = "X-Tandem-Routing-Version";
  static final String FALLBACK = "X-Tandem-Fallback";
  /** Sent to new with shadow reads, so new can tell them from live traffic. */
  static final String SHADOW = "X-Tandem-Shadow";
  /** RFC 7239: who called the router, over what, for which host. */
  static final String FORWARDED = "Forwarded";
  /** {@code X-Tandem-Attr-Region: EU} gives the request attribute {@code region}. */
  static final String ATTRIBUTE_PREFIX = "x-tandem-attr-";
  /** The router's own headers: never passed through, in either direction, so none can be forged. */
  private static final String OWN_PREFIX = "x-tandem-";

  // Hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client sets itself.
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length");
  // Response headers that may carry the upstream's own URL.
  private static final Set<String> URL_HEADERS = Set.of("location", "content-location");
  private static final String TOKEN_CHARS = "!#$%&'*+-.^_`|~";

  private Headers() {}

  /**
   * The caller's headers to send upstream: hop-by-hop headers and those the caller's {@code Connection} header
   * names are dropped, and {@code forwardedElement} is appended to {@code Forwarded}. Accept-Encoding is dropped
   * so that upstreams answer uncompressed: shadow comparisons need the plain bodies.
   */
  static MultiMap toUpstream(MultiMap callerHeaders, String forwardedElement) {
    Set<String> nominated = nominated(callerHeaders);
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    for (var header : callerHeaders) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(name) && !nominated.contains(name) && !name.equals("accept-encoding")
          && !name.startsWith(OWN_PREFIX) && !name.equals("forwarded")) {
        out.add(header.getKey(), header.getValue());
      }
    }
    List<String> earlier = callerHeaders.getAll(FORWARDED);
    String chain = earlier.isEmpty() || nominated.contains("forwarded") ? forwardedElement
        : String.join(", ", earlier) + ", " + forwardedElement;
    out.set(FORWARDED, chain);
    return out;
  }

  /**
   * The upstream's response headers to give the caller (the proxy sets the body's length itself): hop-by-hop
   * headers and those the upstream's {@code Connection} header names are dropped, and a {@code Location} or
   * {@code Content-Location} pointing at an upstream is made relative, so callers never learn its address.
   */
  static void toCaller(MultiMap upstreamHeaders, MultiMap callerHeaders, List<URI> upstreams) {
    Set<String> nominated = nominated(upstreamHeaders);
    for (var header : upstreamHeaders) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (NOT_FORWARDED.contains(name) || nominated.contains(name) || name.startsWith(OWN_PREFIX)) {
        continue;
      }
      String value = URL_HEADERS.contains(name) ? relative(header.getValue(), upstreams) : header.getValue();
      callerHeaders.add(header.getKey(), value);
    }
  }

  /** One RFC 7239 forwarded-element: {@code for=<client>;proto=<http|https>[;host=<Host header>]}. */
  static String forwardedElement(String clientAddress, boolean tls, String host) {
    String node = clientAddress == null || clientAddress.isBlank() ? "unknown"
        : clientAddress.indexOf(':') >= 0 ? "\"[" + clientAddress + "]\"" : clientAddress;
    StringBuilder element = new StringBuilder("for=").append(node).append(";proto=").append(tls ? "https" : "http");
    if (host != null && !host.isBlank()) {
      element.append(";host=").append(tokenOrQuoted(host.trim()));
    }
    return element.toString();
  }

  /** The header names a {@code Connection} header lists (lower case): hop-by-hop for this connection only. */
  private static Set<String> nominated(MultiMap headers) {
    Set<String> names = new HashSet<>();
    for (String value : headers.getAll("Connection")) {
      for (String name : value.split(",")) {
        if (!name.isBlank()) {
          names.add(name.trim().toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private static String relative(String value, List<URI> upstreams) {
    for (URI base : upstreams) {
      String origin = base.getScheme() + "://" + base.getRawAuthority();
      boolean same = value.regionMatches(true, 0, origin, 0, origin.length())
          && (value.length() == origin.length() || "/?#".indexOf(value.charAt(origin.length())) >= 0);
      if (!same) {
        continue;
      }
      String rest = value.substring(origin.length());
      String basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
      if (!basePath.isEmpty() && rest.startsWith(basePath)
          && (rest.length() == basePath.length() || "/?#".indexOf(rest.charAt(basePath.length())) >= 0)) {
        rest = rest.substring(basePath.length());
      }
      return rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
    }
    return value;
  }

  private static String tokenOrQuoted(String value) {
    boolean token = !value.isEmpty();
    for (int i = 0; i < value.length() && token; i++) {
      char c = value.charAt(i);
      token = c < 128 && (Character.isLetterOrDigit(c) || TOKEN_CHARS.indexOf(c) >= 0);
    }
    return token ? value : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
