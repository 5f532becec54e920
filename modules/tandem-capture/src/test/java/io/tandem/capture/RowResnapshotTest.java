package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The SQL and JSON of re-snapshot signals: quoting, composite keys, splitting, refusals. */
class RowResnapshotTest {

  @Test
  void numbersStayNumbersAndStringsAreQuoted() {
    assertThat(RowResnapshot.literal(42L)).isEqualTo("42");
    assertThat(RowResnapshot.literal(-7)).isEqualTo("-7");
    assertThat(RowResnapshot.literal((short) 3)).isEqualTo("3");
    assertThat(RowResnapshot.literal((byte) 1)).isEqualTo("1");
    assertThat(RowResnapshot.literal(new BigInteger("123456789012345678901234567890")))
        .isEqualTo("123456789012345678901234567890");
    assertThat(RowResnapshot.literal(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(RowResnapshot.literal(new BigDecimal("-0.50"))).isEqualTo("-0.50");
    assertThat(RowResnapshot.literal("abc")).isEqualTo("'abc'");
    assertThat(RowResnapshot.literal("O'Brien")).isEqualTo("'O''Brien'");
    assertThat(RowResnapshot.literal("'); DROP TABLE customers; --")).isEqualTo("'''); DROP TABLE customers; --'");
    assertThat(RowResnapshot.literal("")).isEqualTo("''");
    // A backslash means the same in E'' whatever standard_conforming_strings says.
    assertThat(RowResnapshot.literal("a\\'b")).isEqualTo("E'a\\\\''b'");
  }

  @Test
  void unsupportedValuesAreRefused() {
    for (Object value : List.of(1.5d, 2.5f, true, UUID.randomUUID(), LocalDate.of(2024, 1, 1), new Object(),
        List.of(1))) {
      assertThatThrownBy(() -> RowResnapshot.literal(value)).as("%s", value.getClass())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(value.getClass().getName())
          .hasMessageContaining("String");
    }
    assertThatThrownBy(() -> RowResnapshot.literal(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> RowResnapshot.literal("a\0b")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUL");
  }

  @Test
  void singleColumnFilterLocksTheChosenRows() {
    assertThat(RowResnapshot.filter("public.customers", List.of("cust_id"), List.of(List.of(1L), List.of(2L))))
        .isEqualTo("(\"cust_id\") IN (SELECT \"cust_id\" FROM \"public\".\"customers\" WHERE (\"cust_id\") IN ((1), (2))"
            + " FOR SHARE SKIP LOCKED)");
  }

  @Test
  void compositeKeysAndOddColumnNames() {
    assertThat(RowResnapshot.filter("shop.Order_Lines", List.of("order_no", "Line \"No\""),
        List.of(List.of(10L, "a'b"), List.of(11L, "c"))))
        .isEqualTo("(\"order_no\", \"Line \"\"No\"\"\") IN (SELECT \"order_no\", \"Line \"\"No\"\"\""
            + " FROM \"shop\".\"Order_Lines\" WHERE (\"order_no\", \"Line \"\"No\"\"\") IN ((10, 'a''b'), (11, 'c'))"
            + " FOR SHARE SKIP LOCKED)");
  }

  @Test
  void signalDataIsDebeziumsExecuteSnapshotJson() {
    List<String> data = RowResnapshot.signalData("public.customers", List.of("email"),
        List.of(List.of("x\"y\\z")), 1000);

    assertThat(data).containsExactly("{\"data-collections\":[\"public\\\\.customers\"],\"type\":\"incremental\","
        + "\"additional-conditions\":[{\"data-collection\":\"public\\\\.customers\",\"filter\":"
        + "\"(\\\"email\\\") IN (SELECT \\\"email\\\" FROM \\\"public\\\".\\\"customers\\\" WHERE (\\\"email\\\") IN"
        + " ((E'x\\\"y\\\\\\\\z')) FOR SHARE SKIP LOCKED)\"}]}");
  }

  @Test
  void largeKeySetsAreSplitAndDuplicatesReadOnce() {
    List<List<?>> keys = new ArrayList<>();
    LongStream.rangeClosed(1, 2500).forEach(k -> keys.add(List.of(k)));
    keys.add(List.of(7L)); // asked twice, read once

    List<String> data = RowResnapshot.signalData("public.customers", List.of("id"), keys,
        RowResnapshot.MAX_KEYS_PER_SIGNAL);

    assertThat(data).hasSize(3);
    assertThat(data.get(0)).contains("((1), (2), ").contains("(1000))").doesNotContain("(1001)");
    assertThat(data.get(1)).contains("((1001), ").contains("(2000))");
    assertThat(data.get(2)).contains("((2001), ").contains("(2500))");
    assertThat(Arrays.stream(data.get(0).split("\\(7\\)")).count()).as("key 7 appears once").isEqualTo(2);
    assertThat(RowResnapshot.signalData("public.customers", List.of("id"), List.of(), 1000)).isEmpty();
  }

  @Test
  void badNamesAndShapesAreRefused() {
    List<List<?>> one = List.of(List.of(1L));
    for (String table : List.of("customers", "a.b.c", "public.cust omers", "public.\"x\"", "1st.table", ".x", "x.")) {
      assertThatThrownBy(() -> RowResnapshot.filter(table, List.of("id"), one)).as(table)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("schema.table");
    }
    assertThatThrownBy(() -> RowResnapshot.filter("public.t", List.of(), one))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyColumns");
    assertThatThrownBy(() -> RowResnapshot.filter("public.t", List.of("id", "id"), List.of(List.of(1L, 2L))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("twice");
    assertThatThrownBy(() -> RowResnapshot.filter("public.t", List.of("a", "b"), one))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 value(s)");
    assertThatThrownBy(() -> RowResnapshot.signalData("public.t", List.of("id"), one, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxKeysPerSignal");
  }

  @Test
  void signalTableDdlHasDebeziumsShape() {
    assertThat(RowResnapshot.createTableSql("public.tandem_signal")).isEqualTo("CREATE TABLE IF NOT EXISTS"
        + " \"public\".\"tandem_signal\" (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL, data text)");
    assertThatThrownBy(() -> RowResnapshot.createTableSql("tandem_signal"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
