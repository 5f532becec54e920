package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReverseMappingTest {
  private static final String INVERTIBLE = """
      entity: customer
      source: public.customers
      key: [id]
      fields:
        id: { from: cust_id, cast: long }
        name: full_nm
        balance_cents: { from: balance, cast: cents }
        status: { from: status_cd, cast: enum, values: { A: ACTIVE, S: SUSPENDED, C: CLOSED } }
        created_at: { from: created_local, cast: utc_instant, zone: Europe/Amsterdam }
        updated_at: { from: updated_at, cast: utc_instant, zone: UTC }
        born: { from: birth_date, cast: date }
        rate: { from: rate, cast: decimal, scale: 3 }
        visits: { from: visit_count, cast: int }
        tier: { from: tier, default: STANDARD }
      drop: [legacy_flags]
      """;

  private static Mapping parse(String yaml) {
    return MappingLoader.parse("customer.yaml", yaml);
  }

  @Test
  void invertibleRulesAreDerivedAndRoundTrip() {
    Mapping mapping = parse(INVERTIBLE);
    ReverseMapping reverse = mapping.reverse();
    assertThat(reverse.legacyKey()).containsExactly("cust_id");
    assertThat(reverse.columns()).containsExactly("cust_id", "full_nm", "balance", "status_cd", "created_local",
        "updated_at", "birth_date", "rate", "visit_count", "tier");

    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 2_000; i++) {
      Map<String, Object> newRow = new LinkedHashMap<>();
      newRow.put("id", random.nextLong(1, Long.MAX_VALUE));
      newRow.put("name", "name-" + random.nextInt());
      newRow.put("balance_cents", random.nextLong(-10_000_000_000L, 10_000_000_000L));
      newRow.put("status", List.of("ACTIVE", "SUSPENDED", "CLOSED").get(random.nextInt(3)));
      // Whole seconds in a range that includes DST switches; millis as the entity schema keeps them.
      newRow.put("created_at", Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)));
      newRow.put("updated_at", Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L)));
      newRow.put("born", LocalDate.ofEpochDay(random.nextInt(-30_000, 30_000)));
      newRow.put("rate", BigDecimal.valueOf(random.nextLong(-1_000_000, 1_000_000), 3));
      newRow.put("visits", random.nextInt());
      newRow.put("tier", random.nextBoolean() ? "GOLD" : "STANDARD");
      Map<String, Object> legacy = reverse.apply(newRow);
      Map<String, Object> again = mapping.apply(legacy).orElseThrow();
      Instant created = (Instant) newRow.get("created_at");
      if (inRepeatedHour(created)) {
        // The wall clock of the hour that repeats in autumn maps forward to its first occurrence.
        again.put("created_at", created);
      }
      assertThat(again).as("forward(reverse(row)) for %s", newRow).isEqualTo(newRow);
    }
  }

  private static boolean inRepeatedHour(Instant instant) {
    var zone = java.time.ZoneId.of("Europe/Amsterdam");
    var local = instant.atZone(zone).toLocalDateTime();
    return zone.getRules().getValidOffsets(local).size() > 1;
  }

  @Test
  void valuesTakeTheFormsPostgresCastsToTheLegacyColumn() {
    ReverseMapping reverse = parse(INVERTIBLE).reverse();
    Map<String, Object> row = new HashMap<>();
    row.put("id", 42L);
    row.put("name", "Ada");
    row.put("balance_cents", -5L);
    row.put("status", "SUSPENDED");
    row.put("created_at", "2026-07-01T10:00:00Z"); // timestamptz as capture delivers it
    row.put("updated_at", Instant.parse("2026-01-01T00:00:00.123Z"));
    row.put("born", 0); // days since epoch
    row.put("rate", "1.5");
    row.put("visits", 3);
    Map<String, Object> legacy = reverse.apply(row);
    assertThat(legacy.get("balance")).isEqualTo("-0.05");
    assertThat(legacy.get("status_cd")).isEqualTo("S");
    assertThat(legacy.get("created_local")).isEqualTo("2026-07-01T12:00:00+02:00");
    assertThat(legacy.get("updated_at")).isEqualTo("2026-01-01T00:00:00.123Z");
    assertThat(legacy.get("birth_date")).isEqualTo("1970-01-01");
    assertThat(legacy.get("rate")).isEqualTo("1.500");
    assertThat(legacy.get("visit_count")).isEqualTo(3L);
    assertThat(legacy.get("tier")).isNull();
    assertThat(reverse.key(Map.of("id", "42"))).isEqualTo(Map.of("cust_id", 42L));
  }

  @Test
  void aValueThatCannotGoBackNamesItsField() {
    ReverseMapping reverse = parse(INVERTIBLE).reverse();
    Map<String, Object> row = new HashMap<>(Map.of("id", 1L, "status", "DELETED"));
    assertThatThrownBy(() -> reverse.apply(row)).isInstanceOf(MappingException.class)
        .hasMessageContaining("status").hasMessageContaining("DELETED");
    Map<String, Object> fraction = new HashMap<>(Map.of("id", 1L, "rate", "1.2345"));
    assertThatThrownBy(() -> reverse.apply(fraction)).isInstanceOf(MappingException.class)
        .hasMessageContaining("rate");
    assertThatThrownBy(() -> reverse.key(Map.of("name", "x"))).isInstanceOf(MappingException.class)
        .hasMessageContaining("REPLICA IDENTITY FULL");
  }

  @Test
  void aConstantDefaultNeedsToBeIgnored() {
    Mapping mapping = parse(INVERTIBLE.replace("drop:", "  country: { default: NL }\ndrop:"));
    assertThatThrownBy(mapping::reverse).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("fields.country"))
        .hasMessageContaining("customer.yaml").hasMessageContaining("ignore");
    Mapping declared = parse(INVERTIBLE.replace("drop:", "  country: { default: NL }\ndrop:")
        + "reverse: { fields: { country: ignore } }\n");
    ReverseMapping reverse = declared.reverse();
    assertThat(reverse.ignoredFields()).containsExactly("country");
    assertThat(reverse.columns()).doesNotContain("country");
  }

  @Test
  void aFilterNeedsProtect() {
    String filtered = INVERTIBLE + "filter:\n  - { column: status_cd, op: not_equals, values: [X] }\n";
    assertThatThrownBy(() -> parse(filtered).reverse()).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("reverse.filter"))
        .hasMessageContaining("status_cd");
    ReverseMapping reverse = parse(filtered + "reverse: { filter: protect }\n").reverse();
    assertThat(reverse.protectFiltered()).isTrue();
    assertThat(reverse.filteredBy(Map.of("status_cd", "X"))).isPresent();
  }

  @Test
  void aManyToOneEnumNeedsItsInverse() {
    String merged = INVERTIBLE.replace("C: CLOSED }", "C: CLOSED, Z: CLOSED }");
    assertThatThrownBy(() -> parse(merged).reverse()).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("fields.status.values"))
        .hasMessageContaining("CLOSED");
    ReverseMapping reverse = parse(merged
        + "reverse: { fields: { status: { values: { ACTIVE: A, SUSPENDED: S, CLOSED: C } } } }\n").reverse();
    assertThat(reverse.apply(Map.of("id", 1L, "status", "CLOSED")).get("status_cd")).isEqualTo("C");
    assertThatThrownBy(() -> parse(merged
        + "reverse: { fields: { status: { values: { ACTIVE: A, SUSPENDED: S, CLOSED: A } } } }\n").reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("reverse.fields.status.values.CLOSED");
    assertThatThrownBy(() -> parse(merged + "reverse: { fields: { status: { values: { ACTIVE: A } } } }\n").reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("a code for every symbol (missing ");
  }

  @Test
  void twoFieldsFromOneColumnNeedOneIgnored() {
    String twice = INVERTIBLE.replace("drop:", "  legacy_id: { from: cust_id, cast: string }\ndrop:");
    assertThatThrownBy(() -> parse(twice).reverse()).isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo("fields.legacy_id"));
    assertThat(parse(twice + "reverse: { fields: { legacy_id: ignore } }\n").reverse().columns())
        .containsOnlyOnce("cust_id");
  }

  @Test
  void reKeyingNamesTheLegacyKeyWhichMustComeFromTheRow() {
    String rekeyed = INVERTIBLE.replace("key: [id]", "key: [name]");
    assertThat(parse(rekeyed).reverse().legacyKey()).containsExactly("full_nm");
    ReverseMapping declared = parse(rekeyed + "reverse: { key: [cust_id] }\n").reverse();
    assertThat(declared.legacyKey()).containsExactly("cust_id");
    assertThat(declared.key(Map.of("id", 9L, "name", "x"))).isEqualTo(Map.of("cust_id", 9L));
    assertThatThrownBy(() -> parse(rekeyed + "reverse: { key: [row_id] }\n").reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("reverse.key").hasMessageContaining("row_id");
  }

  @Test
  void insertValuesAreForColumnsNoFieldSets() {
    ReverseMapping reverse = parse(INVERTIBLE + "reverse: { columns: { legacy_flags: '', audit_user: null } }\n")
        .reverse();
    assertThat(reverse.insertValues()).containsEntry("legacy_flags", "").containsEntry("audit_user", null);
    assertThatThrownBy(() -> parse(INVERTIBLE + "reverse: { columns: { full_nm: x } }\n").reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("reverse.columns.full_nm");
  }

  @Test
  void theSectionIsCheckedWhenTheFileLoads() {
    assertThatThrownBy(() -> parse(INVERTIBLE + "reverse: { filter: keep }\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("reverse.filter");
    assertThatThrownBy(() -> parse(INVERTIBLE + "reverse: { fields: { nmae: ignore } }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("reverse.fields.nmae");
    assertThatThrownBy(() -> parse(INVERTIBLE + "reverse: { fields: { name: drop } }\n"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'ignore'");
    assertThatThrownBy(() -> parse(INVERTIBLE + "reverse: { colums: {} }\n")).isInstanceOf(ConfigException.class)
        .hasMessageContaining("reverse.colums");
  }

  @Test
  void theShippedMappingsAllReverse() {
    Path folder = Path.of("../../schemas/mappings");
    for (Mapping mapping : MappingLoader.loadAll(folder)) {
      assertThat(mapping.reverse().legacyKey()).as(mapping.name()).isNotEmpty();
    }
  }
}
