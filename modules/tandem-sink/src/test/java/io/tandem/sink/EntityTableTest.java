package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

class EntityTableTest {
  private static Schema schema(String fields) {
    return new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"R\",\"fields\":[" + fields + "]}");
  }

  @Test
  void derivesTopicTableAndColumnsFromTheEntity() {
    EntityTable table = EntityTable.builder("customer", Fixtures.CUSTOMER).keyColumns("id").build();

    assertThat(table.topic()).isEqualTo("migrated.customer");
    assertThat(table.table()).isEqualTo("customer");
    assertThat(table.keyColumns()).containsExactly("id");
    assertThat(table.columns()).containsExactly("id", "name", "email", "tier", "balance", "active", "created_at",
        "birthday");
  }

  @Test
  void refusesBindingsThatCannotWork() {
    Schema customer = Fixtures.CUSTOMER;
    assertThatThrownBy(() -> EntityTable.builder("Customer", customer).keyColumns("id").build())
        .hasMessageContaining("entity name 'Customer'").hasMessageContaining("lower-case");
    assertThatThrownBy(() -> EntityTable.builder("customer", customer).build())
        .hasMessageContaining("at least one key column");
    assertThatThrownBy(() -> EntityTable.builder("customer", customer).keyColumns("customer_id").build())
        .hasMessageContaining("key column 'customer_id' is not a field of migrated.Customer")
        .hasMessageContaining("[id, name, email");
    assertThatThrownBy(() -> EntityTable.builder("customer", customer).keyColumns("email").build())
        .hasMessageContaining("key column 'email' must not be nullable");
    assertThatThrownBy(() -> EntityTable.builder("customer", customer).keyColumns("id", "id").build())
        .hasMessageContaining("listed twice");
    assertThatThrownBy(() -> EntityTable.builder("customer", customer).keyColumns("id").table("a.b.c").build())
        .hasMessageContaining("table 'a.b.c'");
    assertThatThrownBy(() -> EntityTable.builder("x", schema("{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}")).keyColumns("id").build())
        .hasMessageContaining("entity 'x': field 'tags' has type array");
    assertThatThrownBy(() -> EntityTable.builder("x", schema("{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"v\",\"type\":[\"null\",\"int\",\"string\"]}")).keyColumns("id").build())
        .hasMessageContaining("field 'v' has type a union other than [\"null\", T]");
    assertThatThrownBy(() -> EntityTable.builder("x", schema("{\"name\":\"id\",\"type\":\"long\"},"
        + "{\"name\":\"_tandem_x\",\"type\":\"int\"}")).keyColumns("id").build())
        .hasMessageContaining("reserved");
  }
}
