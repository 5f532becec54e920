package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LegacyValuesTest {
  @Test
  void utcTimestamptzTextBecomesIsoText() {
    assertThat(LegacyValues.utcIso("2021-01-01 00:00:01.123+00")).isEqualTo("2021-01-01T00:00:01.123Z");
    assertThat(LegacyValues.utcIso("2021-01-01 00:00:01+00")).isEqualTo("2021-01-01T00:00:01Z");
    assertThat(LegacyValues.utcIso("2021-01-01 00:00:01+01")).isNull();
    assertThat(LegacyValues.utcIso("12021-01-01 00:00:01+00")).isNull();
    assertThat(LegacyValues.utcIso("2021-01-01 00:00:01+00 BC")).isNull();
  }
}
