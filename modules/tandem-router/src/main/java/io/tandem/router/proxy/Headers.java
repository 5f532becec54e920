package io.tandem.router.proxy;

import io.vertx.core.MultiMap;
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
  /** {@code X-Tandem-Attr-Region: EU} gives the request attribute {@code region}. */
  static final String ATTRIBUTE_PREFIX = "x-tandem-attr-";
  /** The router's own headers: never passed through, in either direction, so none can be forged. */
  private static final String OWN_PREFIX = "x-tandem-";

  // Hop-by-hop headers (RFC 9110 §7.6.1) and those the HTTP client sets itself.
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length");

  private Headers() {}

  /**
   * The caller's headers to send upstream. Accept-Encoding is dropped so that upstreams answer
   * uncompressed: shadow comparisons need the plain bodies.
   */
  static MultiMap toUpstream(MultiMap callerHeaders) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    for (var header : callerHeaders) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(name) && !name.equals("accept-encoding") && !name.startsWith(OWN_PREFIX)) {
        out.add(header.getKey(), header.getValue());
      }
    }
    return out;
  }

  /** The upstream's response headers to give the caller (the proxy sets the body's length itself). */
  static void toCaller(MultiMap upstreamHeaders, MultiMap callerHeaders) {
    for (var header : upstreamHeaders) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(name) && !name.startsWith(OWN_PREFIX)) {
        callerHeaders.add(header.getKey(), header.getValue());
      }
    }
  }
}
