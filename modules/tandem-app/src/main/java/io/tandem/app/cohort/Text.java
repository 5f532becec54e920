package io.tandem.app.cohort;

import java.math.BigDecimal;

/** Turning what the router said into text that is safe to print. */
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

  /** {@code 1.5}, {@code 100}: a percentage without trailing zeros or exponent. */
  static String percent(BigDecimal percent) {
    BigDecimal stripped = percent.stripTrailingZeros();
    return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
  }
}
