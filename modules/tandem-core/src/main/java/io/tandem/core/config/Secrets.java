package io.tandem.core.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** What counts as a secret in Tandem's configuration, and how it is shown: {@code ******}. */
public final class Secrets {
  /** Shown instead of a secret value. */
  public static final String MASK = "******";

  // Matched case-insensitively anywhere in a key (Kafka client keys, environment variable names).
  private static final List<String> MARKERS = List.of("password", "passwd", "secret", "token", "credential", "jaas",
      "user.info", "user_info", "private", "keystore.key");
  private static final Pattern URL_USER_INFO = Pattern.compile("(?<=://)[^/@\\s]+@");
  private static final Pattern URL_PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:^|[?&;])(?:password|sslpassword|sslkey)=)[^&;]*");

  private Secrets() {}

  /** True for keys whose values must never be printed: passwords, tokens, JAAS configs, private keys. */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return MARKERS.stream().anyMatch(lower::contains);
  }

  /** A copy of {@code values} sorted by key, with the values of secret keys masked. */
  public static Map<String, String> masked(Map<String, String> values) {
    Map<String, String> masked = new TreeMap<>();
    values.forEach((key, value) -> masked.put(key, isSecret(key) ? MASK : value));
    return masked;
  }

  /**
   * A URL safe to print: user info ({@code http://user:pass@host}) and password parameters
   * ({@code jdbc:postgresql://h/db?password=...}) masked.
   */
  public static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = URL_USER_INFO.matcher(url).replaceAll(MASK + "@");
    return URL_PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
  }
}
