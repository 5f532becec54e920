package io.tandem.app.cohort;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;

/** Turning the router's JSON into text that is safe and short enough to print. */
final class Text {
  /** Shown for a value the router did not send. */
  static final String NONE = "-";

  private Text() {
  }

  /**
   * Control characters escaped: reasons and keys are typed by other people, and a newline would break
   * a table while an escape sequence could rewrite the operator's terminal.
   */
  static String clean(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      if (c == '\n') {
        clean.append("\\n");
      } else if (c == '\r') {
        clean.append("\\r");
      } else if (c == '\t') {
        clean.append("\\t");
      } else if (Character.isISOControl(c)) {
        clean.append(String.format("\\u%04x", c));
      } else {
        clean.appendCodePoint(c);
      }
    });
    return clean.toString();
  }

  /** A text field, cleaned; {@code fallback} when missing or null. */
  static String field(JsonNode node, String name, String fallback) {
    JsonNode value = node == null ? null : node.get(name);
    return value == null || value.isNull() ? fallback : clean(value.isValueNode() ? value.asText() : value.toString());
  }

  /** A text field, cleaned; {@value #NONE} when missing or null. */
  static String field(JsonNode node, String name) {
    return field(node, name, NONE);
  }

  /** The first 200 characters of a body that was not what we expected, on one line. */
  static String excerpt(String body) {
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return clean(oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...");
  }

  /** {@code 1.5}, {@code 100}: a percentage without trailing zeros or exponent. */
  static String percent(BigDecimal percent) {
    BigDecimal stripped = percent.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }

  static String duration(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
  }
}
