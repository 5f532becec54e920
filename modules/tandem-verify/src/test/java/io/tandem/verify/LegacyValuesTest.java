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

  @Test
  void mariaDbColumnsTakeTheFormTheConnectorFileGivesThem() {
    assertThat(LegacyValues.mariaDbWireOf("int", "int(11)")).isEqualTo(LegacyValues.Wire.INT);
    assertThat(LegacyValues.mariaDbWireOf("int", "int(10) unsigned")).isEqualTo(LegacyValues.Wire.LONG);
    assertThat(LegacyValues.mariaDbWireOf("bigint", "bigint(20) unsigned")).isEqualTo(LegacyValues.Wire.DECIMAL_TEXT);
    assertThat(LegacyValues.mariaDbWireOf("tinyint", "tinyint(1)")).isEqualTo(LegacyValues.Wire.INT);
    assertThat(LegacyValues.mariaDbWireOf("bit", "bit(1)")).isEqualTo(LegacyValues.Wire.BOOLEAN);
    assertThat(LegacyValues.mariaDbWireOf("bit", "bit(9)")).isEqualTo(LegacyValues.Wire.BYTES);
    assertThat(LegacyValues.mariaDbWireOf("timestamp", "timestamp(6)")).isEqualTo(LegacyValues.Wire.UTC_TIMESTAMP_TEXT);
    assertThat(LegacyValues.mariaDbWireOf("datetime", "datetime(6)"))
        .isEqualTo(LegacyValues.Wire.LOCAL_TIMESTAMP_MICROS);
    assertThat(LegacyValues.mariaDbWireOf("enum", "enum('a','b')")).isEqualTo(LegacyValues.Wire.TEXT);
  }

  @Test
  void aMariaDbTimeIsADurationInMicroseconds() {
    assertThat(LegacyValues.durationMicros("00:00:00")).isZero();
    assertThat(LegacyValues.durationMicros("01:02:03.5")).isEqualTo(3_723_500_000L);
    assertThat(LegacyValues.durationMicros("-838:59:59.000000")).isEqualTo(-3_020_399_000_000L);
    assertThat(LegacyValues.durationMicros("838:59:59.999999")).isEqualTo(3_020_399_999_999L);
  }
}
