package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MappingTest {
  static final String CUSTOMER = """
      entity: customer
      source: public.customers
      key: [id]
      fields:
        id: { from: cust_id, cast: long }
        full_name: name
        balance_cents: { from: balance, cast: cents }
        status: { from: status_code, cast: enum, values: { A: ACTIVE, S: SUSPENDED, C: CLOSED } }
        created_at: { from: created_local, cast: utc_instant, zone: Europe/Amsterdam }
        birthday: { from: birthday, cast: date }
        rate: { from: rate, cast: decimal, scale: 3 }
        country: { default: NL }
        tier: { from: tier, default: STANDARD }
      drop: [legacy_flags]
      filter:
        - { column: status_code, op: not_in, values: [X] }
      """;

  /** Stands in for Avro's Utf8: a CharSequence that is not a String (core does not depend on Avro). */
  private record Utf8Stub(String text) implements CharSequence {
    public int length() {
      return text.length();
    }

    public char charAt(int index) {
      return text.charAt(index);
    }

    public CharSequence subSequence(int start, int end) {
      return text.subSequence(start, end);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private final Mapping mapping = MappingLoader.parse("customer.yaml", CUSTOMER);

  private static Map<String, Object> legacyRow() {
    Map<String, Object> row = new HashMap<>();
    row.put("cust_id", 42);
    row.put("name", "Ada");
    row.put("balance", "12.30");
    row.put("status_code", "A");
    row.put("created_local", LocalDateTime.of(2026, 7, 1, 12, 0).toEpochSecond(java.time.ZoneOffset.UTC) * 1_000_000L);
    row.put("birthday", (int) LocalDate.of(1815, 12, 10).toEpochDay());
    row.put("rate", "0.5");
    row.put("tier", null);
    row.put("legacy_flags", "xyz");
    return row;
  }

  @Test
  void renamesCastsDefaultsAndDrops() {
    Map<String, Object> row = mapping.apply(legacyRow()).orElseThrow();

    assertThat(row).containsOnlyKeys("id", "full_name", "balance_cents", "status", "created_at", "birthday", "rate",
        "country", "tier");
    assertThat(row.get("id")).isEqualTo(42L);
    assertThat(row.get("full_name")).isEqualTo("Ada");
    assertThat(row.get("balance_cents")).isEqualTo(1230L);
    assertThat(row.get("status")).isEqualTo("ACTIVE");
    // 12:00 in Amsterdam summer time is 10:00 UTC
    assertThat(row.get("created_at")).isEqualTo(Instant.parse("2026-07-01T10:00:00Z"));
    assertThat(row.get("birthday")).isEqualTo(LocalDate.of(1815, 12, 10));
    assertThat(row.get("rate")).isEqualTo(new BigDecimal("0.500"));
    assertThat(row.get("country")).isEqualTo("NL");
    assertThat(row.get("tier")).isEqualTo("STANDARD");
  }

  @Test
  void acceptsAvroUtf8AndOtherCharSequences() {
    Map<String, Object> legacy = legacyRow();
    legacy.put("status_code", new Utf8Stub("S"));
    legacy.put("balance", new Utf8Stub("0.01"));

    Map<String, Object> row = mapping.apply(legacy).orElseThrow();

    assertThat(row.get("status")).isEqualTo("SUSPENDED");
    assertThat(row.get("balance_cents")).isEqualTo(1L);
  }

  @Test
  void filteredRowsAreLeftOutButStillHaveAKey() {
    Map<String, Object> legacy = legacyRow();
    legacy.put("status_code", "X");

    assertThat(mapping.apply(legacy)).isEmpty();
    assertThat(mapping.filteredBy(legacy)).contains("status_code not_in [X]");
    assertThat(mapping.key(Map.of("cust_id", 42))).isEqualTo(Map.of("id", 42L));
  }

  @Test
  void badValuesFailWithTheFieldAndReason() {
    Map<String, Object> unknownCode = legacyRow();
    unknownCode.put("status_code", "Q");
    Map<String, Object> fractionOfCent = legacyRow();
    fractionOfCent.put("balance", "1.005");
    Map<String, Object> notANumber = legacyRow();
    notANumber.put("balance", "twelve");
    Map<String, Object> nullKey = legacyRow();
    nullKey.put("cust_id", null);

    assertThatThrownBy(() -> mapping.apply(unknownCode)).isInstanceOfSatisfying(MappingException.class, e -> {
      assertThat(e.field()).isEqualTo("status");
      assertThat(e.getMessage()).contains("unknown code 'Q'");
    });
    assertThatThrownBy(() -> mapping.apply(fractionOfCent)).hasMessageContaining("balance_cents").hasMessageContaining("precision");
    assertThatThrownBy(() -> mapping.apply(notANumber)).hasMessageContaining("cannot cast 'twelve'");
    assertThatThrownBy(() -> mapping.apply(nullKey)).hasMessageContaining("key field is null");
  }

  @Test
  void badMappingFilesNameFileKeyAndExpectation() {
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace("cast: cents", "cast: euros")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo("m.yaml");
          assertThat(e.key()).isEqualTo("fields.balance_cents.cast");
          assertThat(e.getMessage()).contains("expected one of", "'euros'");
        });
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace("zone: Europe/Amsterdam", "zone: Mars/Base")))
        .hasMessageContaining("fields.created_at.zone");
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace("key: [id]", "key: [nope]")))
        .hasMessageContaining("key 'key'").hasMessageContaining("'nope'");
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace("full_name: name", "full_name: { form: name }")))
        .hasMessageContaining("fields.full_name.form").hasMessageContaining("unknown key");
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace("source: public.customers", "source: customers")))
        .hasMessageContaining("<schema>.<table>");
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", CUSTOMER.replace(", values: { A: ACTIVE, S: SUSPENDED, C: CLOSED }", "")))
        .hasMessageContaining("fields.status.values");
    assertThatThrownBy(() -> MappingLoader.parse("m.yaml", "entity: [oops")).hasMessageContaining("valid YAML");
  }
}
