package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LegacyValuesTest {
  @Test
  void timestamptzTextIsWhatDebeziumsIsoFormatterPrints() {
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong() % 6_000_000_000L,
          random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000) * 1000L);
      OffsetDateTime value = instant.atOffset(ZoneOffset.ofHours(random.nextInt(25) - 12));
      assertThat(LegacyValues.isoUtc(value)).isEqualTo(
          DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value.withOffsetSameInstant(ZoneOffset.UTC)));
    }
    assertThat(LegacyValues.isoUtc(OffsetDateTime.parse("2021-01-01T01:00:01.120+01:00")))
        .isEqualTo("2021-01-01T00:00:01.12Z");
  }
}
