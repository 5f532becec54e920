package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code join:}: child rows as lists that expressions read. */
class JoinMappingTest {
  static final String PROFILE = """
      entity: customer_profile
      source: public.customers
      key: [id]
      join:
        addresses: { table: public.addresses, column: cust_id, references: cust_id }
      fields:
        id: { from: cust_id, cast: long }
        name: full_nm
        address_count: { expr: "size(addresses)" }
        city: { expr: "addresses.exists(a, a.is_primary) ? addresses.filter(a, a.is_primary)[0].city : null" }
      """;

  private static Mapping profile() {
    return MappingLoader.parse("profile.yaml", PROFILE);
  }

  private static Map<String, Object> address(int id, String city, boolean primary) {
    Map<String, Object> row = new HashMap<>();
    row.put("addr_id", id);
    row.put("cust_id", 7L);
    row.put("city", city);
    row.put("is_primary", primary);
    return row;
  }

  @Test
  void expressionsReadTheChildRows() {
    Map<String, Object> parent = new HashMap<>(Map.of("cust_id", 7L, "full_nm", "Ada"));
    parent.put("addresses", List.of(address(1, "Delft", false), address(2, "Leiden", true)));
    Map<String, Object> out = profile().apply(parent).orElseThrow();
    assertThat(out).containsEntry("address_count", 2L).containsEntry("city", "Leiden");

    parent.put("addresses", List.of(address(1, "Delft", false)));
    assertThat(profile().apply(parent).orElseThrow()).containsEntry("address_count", 1L).containsEntry("city", null);
    parent.put("addresses", List.of());
    assertThat(profile().apply(parent).orElseThrow()).containsEntry("address_count", 0L);
  }

  @Test
  void theJoinIsDeclaredNotAColumn() {
    Mapping mapping = profile();
    assertThat(mapping.joins()).containsExactly(new Join("addresses", "public.addresses", "cust_id", "cust_id"));
    assertThat(mapping.columnsRead()).containsExactlyInAnyOrder("cust_id", "full_nm");
    // typed against the parent's columns, the list name as rows
    mapping.typeCheck(Map.of("cust_id", Expression.ColumnType.INT, "full_nm", Expression.ColumnType.STRING));
    Mapping wrong = MappingLoader.parse("p.yaml", PROFILE.replace("size(addresses)", "addresses + 1"));
    assertThatThrownBy(() -> wrong.typeCheck(Map.of("cust_id", Expression.ColumnType.INT,
        "full_nm", Expression.ColumnType.STRING))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("fields.address_count.expr");
  }

  @Test
  void badJoinsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", PROFILE.replace("table: public.addresses", "table: addresses")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("join.addresses.table");
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", PROFILE.replace("column: cust_id, ", "")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("join.addresses.column");
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", PROFILE.replace("references: cust_id", "references: cust_id, on: x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("join.addresses.on");
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", PROFILE.replace("public.addresses", "public.customers")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("a table other than the source");
    String two = PROFILE.replace("fields:\n", "  orders: { table: public.orders, column: cust_id, references: other_id }\nfields:\n");
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", two)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("join.orders.references").hasMessageContaining("('cust_id')");
    String reversed = PROFILE.replace("fields:\n", "reverse: { fields: { address_count: ignore, city: ignore } }\nfields:\n");
    assertThatThrownBy(() -> MappingLoader.parse("p.yaml", reversed).reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("no join in a mapping with a 'reverse:' section");
  }

  @Test
  void theJoinIsPartOfTheFingerprint() {
    assertThat(profile().fingerprint()).isNotEqualTo(MappingLoader.parse("p.yaml",
        PROFILE.replace("references: cust_id", "references: other_id")).fingerprint());
  }
}
