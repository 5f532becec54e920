package io.tandem.core.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell-style placeholders in configuration values: {@code ${VAR}} must be set (an empty value is
 * kept), {@code ${VAR:-default}} takes the default when the variable is unset or empty. There is
 * no escaping. Errors name the variable, never the text around it (it may be a secret).
 */
public final class Placeholders {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String SYNTAX = "placeholders of the form ${VAR} or ${VAR:-default}";

  private Placeholders() {}

  /**
   * @param source the file, named in errors
   * @param key the setting, named in errors
   * @param secret whether the value is secret (then a malformed placeholder is not echoed)
   */
  public static String resolve(String source, String key, String value, Map<String, String> env, boolean secret) {
    if (PLACEHOLDER.matcher(value).replaceAll("").contains("${")) {
      throw new ConfigException(source, key, SYNTAX, "an unterminated '${'");
    }
    Matcher matcher = PLACEHOLDER.matcher(value);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String body = matcher.group(1);
      int separator = body.indexOf(":-");
      String name = separator < 0 ? body : body.substring(0, separator);
      if (!VARIABLE.matcher(name).matches()) {
        throw new ConfigException(source, key, SYNTAX, secret ? "(hidden)" : "${" + body + "}");
      }
      String replacement = env.get(name);
      if (separator >= 0 && (replacement == null || replacement.isEmpty())) {
        replacement = body.substring(separator + 2);
      }
      if (replacement == null) {
        throw new ConfigException(source, key, "environment variable " + name + " to be set (placeholder ${" + name + "})",
            null);
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
