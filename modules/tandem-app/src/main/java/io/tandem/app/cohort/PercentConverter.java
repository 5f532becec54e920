package io.tandem.app.cohort;

import java.math.BigDecimal;
import picocli.CommandLine;

/**
 * A share of keys as typed: {@code 5}, {@code 1.5}, {@code 0.25%}. Checked here so a typo is a usage
 * error before anything is sent: 0 to 100, at most 2 decimals (the router counts hundredths of a percent).
 */
final class PercentConverter implements CommandLine.ITypeConverter<BigDecimal> {
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  @Override
  public BigDecimal convert(String value) {
    String number = value.strip();
    if (number.endsWith("%")) {
      number = number.substring(0, number.length() - 1).strip();
    }
    BigDecimal percent;
    try {
      percent = new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a percentage: use a number from 0 to 100 with at most 2 decimals, e.g. 1.5");
    }
    if (percent.signum() < 0 || percent.compareTo(HUNDRED) > 0) {
      throw new CommandLine.TypeConversionException("'" + value + "' is not between 0 and 100");
    }
    BigDecimal stripped = percent.stripTrailingZeros();
    if (stripped.scale() > 2) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' has more than 2 decimals: the router counts in hundredths of a percent (e.g. 0.01)");
    }
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }
}
