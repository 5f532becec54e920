package io.tandem.router.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Checks a proxied request's raw path before anything is sent upstream: the path is forwarded as received, so a
 * variable that an upstream would decode into another path ({@code ..%2F..%2Fadmin}, {@code %5C}, a dot segment)
 * must never pass. Refused: dot segments ({@code .}, {@code ..}, also percent-encoded) anywhere in the path; an
 * encoded {@code /} or {@code \} (or a raw {@code \}) in any segment; percent-encoded {@code %}-escapes of those
 * ({@code %252F}) that a second decoding would turn into them; malformed percent-encoding.
 */
final class ProxyPath {
  private ProxyPath() {}

  /** Why a raw path is refused whatever route it is for (dot segments, malformed encoding), or null. */
  static String refusal(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return "the path must start with '/'";
    }
    String[] raw = rawPath.substring(1).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      String decoded = decode(raw[i]);
      if (decoded == null) {
        return "path segment " + (i + 1) + " has malformed percent-encoding";
      }
      if (decoded.equals(".") || decoded.equals("..")) {
        return "path segment " + (i + 1) + " is the dot segment '" + decoded + "'";
      }
    }
    return null;
  }

  /** Why the raw path may not be forwarded, or null when it may. */
  static String refusal(ProxyRoute route, String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      return "the path must start with '/'";
    }
    String[] template = route.pathTemplate().substring(1).split("/", -1);
    String[] raw = rawPath.substring(1).split("/", -1);
    for (int i = 0; i < raw.length; i++) {
      String decoded = decode(raw[i]);
      String name = i < template.length && isVariable(template[i]) ? "path variable " + template[i]
          : "path segment " + (i + 1);
      if (decoded == null) {
        return name + " has malformed percent-encoding";
      }
      if (decoded.equals(".") || decoded.equals("..")) {
        return name + " is the dot segment '" + decoded + "'";
      }
      if (decoded.indexOf('/') >= 0) {
        return name + " contains an encoded '/' (%2F)";
      }
      if (decoded.indexOf('\\') >= 0) {
        return name + " contains a '\\' (%5C)";
      }
      String lower = decoded.toLowerCase(Locale.ROOT);
      if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e")) {
        return name + " contains a double-encoded '/', '\\' or '.'";
      }
    }
    int segments = raw.length;
    if (segments == template.length + 1 && raw[segments - 1].isEmpty()) {
      segments--; // a trailing slash
    }
    if (segments != template.length) {
      return "the path has " + segments + " segments where " + route.pathTemplate() + " has " + template.length;
    }
    return null;
  }

  private static boolean isVariable(String segment) {
    return segment.startsWith("{") && segment.endsWith("}");
  }

  /** One round of percent-decoding (UTF-8, '+' kept as is); null when malformed. */
  static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c != '%') {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(bytes, 0, bytes.length);
        continue;
      }
      if (i + 2 >= segment.length()) {
        return null;
      }
      int high = Character.digit(segment.charAt(i + 1), 16);
      int low = Character.digit(segment.charAt(i + 2), 16);
      if (high < 0 || low < 0) {
        return null;
      }
      out.write((high << 4) | low);
      i += 2;
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
