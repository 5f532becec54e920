package io.tandem.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What counts as a secret in Tandem's configuration, and how it is shown: {@code ******}. Every place that prints
 * or logs configuration, an environment map or a URL goes through here.
 */
public final class Secrets {
  /** Shown instead of a secret value. */
  public static final String MASK = "******";

  // Matched case-insensitively anywhere in a key (Kafka client keys, connector properties, config paths).
  private static final List<String> MARKERS = List.of("password", "passwd", "secret", "token", "credential", "jaas",
      "user.info", "user_info", "private", "keystore.key");
  // Environment variable names are freer (PGPASS, DB_PWD, API_KEY, AUTH_HEADER): any of these marks a secret.
  private static final List<String> ENV_MARKERS = List.of("pass", "pwd", "key", "auth", "secret", "token",
      "credential", "private", "jaas");
  private static final Pattern URL_PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])(?:password|sslpassword|sslkey)=)[^&;\\s]*");

  private Secrets() {}

  /** True for keys whose values must never be printed: passwords, tokens, JAAS configs, private keys. */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return MARKERS.stream().anyMatch(lower::contains);
  }

  /**
   * True for environment variable names whose values must never be printed: names containing {@code pass},
   * {@code pwd}, {@code key}, {@code auth}, {@code secret}, {@code token} (any case), and every secret key.
   */
  public static boolean isSecretName(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return ENV_MARKERS.stream().anyMatch(lower::contains) || isSecret(name);
  }

  /**
   * True for a configuration path whose value must never be printed: a secret key, or an entry of an environment
   * map ({@code legacy.env.PGPASS}) with a secret name.
   */
  public static boolean isSecretPath(String path) {
    if (isSecret(path)) {
      return true;
    }
    int last = path.lastIndexOf('.');
    if (last <= 0) {
      return false;
    }
    String parent = path.substring(0, last);
    return (parent.equals("env") || parent.endsWith(".env")) && isSecretName(path.substring(last + 1));
  }

  /** A copy of {@code values} sorted by key: values of secret keys masked, URLs in the others masked. */
  public static Map<String, String> masked(Map<String, String> values) {
    Map<String, String> masked = new TreeMap<>();
    values.forEach((key, value) -> masked.put(key, isSecret(key) ? MASK : maskUrl(value)));
    return masked;
  }

  /**
   * A copy of an environment map sorted by name: values of secret names ({@link #isSecretName}) masked, URLs in
   * the others masked.
   */
  public static Map<String, String> maskedEnv(Map<String, String> env) {
    Map<String, String> masked = new TreeMap<>();
    env.forEach((name, value) -> masked.put(name, isSecretName(name) ? MASK : maskUrl(value)));
    return masked;
  }

  /**
   * Text safe to print: in every URL it holds ({@code scheme://...}), the user info is masked up to the last
   * {@code @} of its authority ({@code postgres://u:p@ss@host/db} → {@code postgres://******@host/db}), and
   * password parameters ({@code jdbc:postgresql://h/db?password=...}) are masked. The authority is taken to end
   * at whitespace, {@code ?}, {@code #} or the next {@code ://}, not at {@code /}, since an unencoded password may
   * hold one; an {@code @} in a URL's path therefore masks more than the user info (safe, if less readable).
   */
  public static String maskUrl(String text) {
    if (text == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(text.length());
    int from = 0;
    int scheme = text.indexOf("://");
    while (scheme >= 0) {
      int start = scheme + 3;
      int next = text.indexOf("://", start);
      int end = start;
      int limit = next < 0 ? text.length() : next;
      while (end < limit && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '?'
          && text.charAt(end) != '#') {
        end++;
      }
      int at = text.lastIndexOf('@', end - 1);
      out.append(text, from, start);
      if (at >= start) {
        out.append(MASK);
        from = at;
      } else {
        from = start;
      }
      scheme = next;
    }
    out.append(text, from, text.length());
    return URL_PASSWORD_PARAMETER.matcher(out).replaceAll("$1" + MASK);
  }
}
