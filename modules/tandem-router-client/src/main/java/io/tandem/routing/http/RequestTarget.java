package io.tandem.routing.http;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** Paths and queries with every part percent-encoded, so keys and names may hold '/', '?', spaces. */
final class RequestTarget {
  private RequestTarget() {}

  /** {@code /v1/route/customer/a%2Fb}. */
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
}
