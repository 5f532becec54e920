package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpressionTest {

  @Test
  void concatenatesTextColumns() {
    Expression e = Expression.compile("first_nm + ' ' + last_nm", false);
    assertThat(e.columns()).containsExactlyInAnyOrder("first_nm", "last_nm");
    assertThat(e.evaluate("full_name", Map.of("first_nm", "Ada", "last_nm", "Lovelace"))).isEqualTo("Ada Lovelace");
  }

  @Test
  void integersOfAnyWidthAreCelInts() {
    Expression e = Expression.compile("qty * unit_cents", false);
    assertThat(e.evaluate("total", Map.of("qty", (short) 3, "unit_cents", 250))).isEqualTo(750L);
  }

  @Test
  void nullColumnsCanBeTested() {
    Expression e = Expression.compile("nick == null ? first_nm : nick", false);
    Map<String, Object> row = new HashMap<>();
    row.put("first_nm", "Ada");
    row.put("nick", null);
    assertThat(e.evaluate("name", row)).isEqualTo("Ada");
    row.put("nick", "Countess");
    assertThat(e.evaluate("name", row)).isEqualTo("Countess");
  }

  @Test
  void conditionMustBeBoolean() {
    assertThatThrownBy(() -> Expression.compile("'x'", true)).isInstanceOf(IllegalArgumentException.class);
    Expression when = Expression.compile("status_cd != 'X' && size(email) > 0", true);
    assertThat(when.evaluate("when", Map.of("status_cd", "A", "email", "a@b"))).isEqualTo(true);
  }

  @Test
  void syntaxErrorsAreRefusedAtCompile() {
    assertThatThrownBy(() -> Expression.compile("first_nm +", false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mismatched input");
  }

  @Test
  void comprehensionVariablesAreNotColumns() {
    Expression e = Expression.compile("tags.split(',').exists(t, t == 'vip')", true);
    assertThat(e.columns()).containsExactly("tags");
  }

  @Test
  void typeCheckAgainstLegacyColumns() {
    Expression e = Expression.compile("first_nm + ' ' + last_nm", false);
    assertThat(e.typeCheck(Map.of("first_nm", Expression.ColumnType.STRING, "last_nm", Expression.ColumnType.STRING)))
        .isEmpty();
    assertThat(e.typeCheck(Map.of("first_nm", Expression.ColumnType.STRING, "last_nm", Expression.ColumnType.INT)))
        .get().asString().contains("no matching overload");
    assertThat(e.typeCheck(Map.of("first_nm", Expression.ColumnType.STRING)))
        .get().asString().contains("column 'last_nm' is not in the legacy table");
  }

  @Test
  void runtimeErrorsNameTheFieldNotTheValue() {
    Expression e = Expression.compile("a / b", false);
    assertThatThrownBy(() -> e.evaluate("ratio", Map.of("a", 7, "b", 0)))
        .isInstanceOf(MappingException.class).hasMessageContaining("field 'ratio'").hasMessageNotContaining("7");
  }

  @Test
  void rawColumnTypesAreTheirNonNullBranch() {
    org.apache.avro.Schema row = org.apache.avro.SchemaBuilder.record("Row").fields().requiredLong("id")
        .optionalString("name").optionalDouble("rate").optionalBoolean("vip").optionalBytes("photo").endRecord();
    assertThat(row.getFields().stream().map(f -> Expression.ColumnType.ofAvro(f.schema())).toList()).containsExactly(
        Expression.ColumnType.INT, Expression.ColumnType.STRING, Expression.ColumnType.DOUBLE,
        Expression.ColumnType.BOOL, Expression.ColumnType.BYTES);
  }
}
