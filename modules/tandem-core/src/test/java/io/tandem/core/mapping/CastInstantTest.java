package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CastInstantTest {
  @Test
  void fastUtcParseAgreesWithTheGeneralParseOnRandomInstants() {
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong() % 4_000_000_000L + 2_000_000_000L,
          random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000) * 1000L);
      String text = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
      assertThat(Cast.parseUtcIso(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }
  }

  @Test
  void otherShapesAreLeftToTheGeneralParse() {
    for (String text : new String[] {"2021-01-01T00:00:00+01:00", "2021-02-30T00:00:00Z", "2021-13-01T00:00:00Z",
        "2021-01-01T24:00:00Z", "2021-01-01 00:00:00Z", "2021-01-01T00:00:00.Z", "2021-01-01T00:00:00.1234567890Z",
        "2021-01-01T00:00:0xZ", "+12021-01-01T00:00:00Z", "2021-01-01T00:00:00.x1Z"}) {
      assertThat(Cast.parseUtcIso(text)).as(text).isNull();
    }
    assertThat(Cast.parseUtcIso("2024-02-29T23:59:59.5Z")).isEqualTo(Instant.parse("2024-02-29T23:59:59.500Z"));
  }
}
