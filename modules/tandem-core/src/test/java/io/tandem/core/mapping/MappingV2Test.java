package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expressions ({@code expr}, {@code when}) and personal data ({@code sensitive}, {@code protect}). */
class MappingV2Test {
  private static final String KEY = "0123456789abcdef-test-key";
  private static final Map<String, String> ENV = Map.of(MappingLoader.DEFAULT_HASH_KEY_ENV, KEY);

  static final String PERSON = """
      entity: person
      source: public.people
      key: [id]
      fields:
        id: { from: id, cast: long }
        full_name: { expr: "first_nm + ' ' + last_nm" }
        email_hash: { expr: "email.lowerAscii().trim()", protect: hash }
        phone: { from: phone, protect: mask }
        ssn: { from: ssn, protect: drop }
        status: { from: status_cd, cast: enum, values: { A: ACTIVE }, sensitive: true }
        age_band: { expr: "age < 30 ? 'young' : 'other'" }
      filter:
        - { when: "status_cd != 'X' && !email.endsWith('@test.invalid')" }
      """;

  private static Mapping person() {
    return MappingLoader.parse("person.yaml", PERSON, ENV::get);
  }

  private static Map<String, Object> row() {
    Map<String, Object> row = new HashMap<>();
    row.put("id", 7);
    row.put("first_nm", "Ada");
    row.put("last_nm", "Lovelace");
    row.put("email", " Ada@Example.com");
    row.put("phone", "+31 6 1234 5678");
    row.put("ssn", "123-45-6789");
    row.put("status_cd", "A");
    row.put("age", 36);
    return row;
  }

  @Test
  void computesFieldsAndProtectsPersonalData() {
    Map<String, Object> out = person().apply(row()).orElseThrow();
    assertThat(out.get("full_name")).isEqualTo("Ada Lovelace");
    assertThat(out.get("age_band")).isEqualTo("other");
    assertThat(out.get("phone")).isEqualTo("***********5678");
    assertThat(out.get("ssn")).isNull();
    assertThat((String) out.get("email_hash")).hasSize(64).matches("[0-9a-f]{64}");
    Map<String, Object> same = row();
    same.put("email", "ada@example.com ");
    assertThat(person().apply(same).orElseThrow().get("email_hash")).as("normalised, then hashed: joinable")
        .isEqualTo(out.get("email_hash"));
  }

  @Test
  void hashDependsOnTheKey() {
    Mapping other = MappingLoader.parse("person.yaml", PERSON,
        Map.of(MappingLoader.DEFAULT_HASH_KEY_ENV, "another-key-of-enough-length")::get);
    assertThat(other.apply(row()).orElseThrow().get("email_hash"))
        .isNotEqualTo(person().apply(row()).orElseThrow().get("email_hash"));
  }

  @Test
  void shortValuesAreMaskedWhole() {
    assertThat(Protection.mask("12345678")).isEqualTo("********");
    assertThat(Protection.mask("123456789")).isEqualTo("*****6789");
    assertThat(Protection.mask("")).isEmpty();
  }

  @Test
  void whenConditionFiltersRows() {
    Map<String, Object> test = row();
    test.put("email", "bot@test.invalid");
    assertThat(person().apply(test)).isEmpty();
    assertThat(person().filteredBy(test)).contains("when status_cd != 'X' && !email.endsWith('@test.invalid')");
  }

  @Test
  void sensitiveValuesNeverReachErrorMessages() {
    Map<String, Object> bad = row();
    bad.put("status_cd", "Q-secret");
    assertThatThrownBy(() -> person().apply(bad)).isInstanceOf(MappingException.class)
        .hasMessageContaining("field 'status'").hasMessageContaining("not shown").hasMessageNotContaining("Q-secret");
  }

  @Test
  void sensitiveFieldsAndColumnsAreKnown() {
    Mapping mapping = person();
    assertThat(mapping.sensitiveFields()).containsExactlyInAnyOrder("email_hash", "phone", "ssn", "status");
    assertThat(mapping.sensitiveColumns()).containsExactlyInAnyOrder("email", "phone", "ssn", "status_cd");
    assertThat(mapping.columnsRead()).contains("first_nm", "last_nm", "age", "email", "status_cd");
  }

  @Test
  void hashWithoutAKeyIsRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", PERSON, name -> null))
        .isInstanceOf(ConfigException.class).hasMessageContaining("person.yaml")
        .hasMessageContaining("TANDEM_PII_HASH_KEY").hasMessageContaining("not set");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", PERSON, name -> "short-secret"))
        .isInstanceOf(ConfigException.class).hasMessageContaining("12 characters")
        .hasMessageNotContaining("short-secret");
    String renamed = PERSON.replace("filter:", "pii: { hash_key_env: SHOP_PII_KEY }\nfilter:");
    assertThat(MappingLoader.parse("person.yaml", renamed, Map.of("SHOP_PII_KEY", KEY)::get).fields()
        .get("email_hash").hashKey().toString()).isEqualTo("HMAC-SHA256 key from $SHOP_PII_KEY").doesNotContain(KEY);
  }

  @Test
  void badExpressionsNameFileAndField() {
    String broken = PERSON.replace("\"first_nm + ' ' + last_nm\"", "\"first_nm +\"");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", broken, ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("person.yaml")
        .hasMessageContaining("fields.full_name.expr");
    String notBool = PERSON.replace("\"status_cd != 'X' && !email.endsWith('@test.invalid')\"", "\"'yes'\"");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", notBool, ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("filter[0].when");
    // A column is 'dyn' until the catalog is known: a text column as a condition fails the row, never passes it.
    String column = PERSON.replace("\"status_cd != 'X' && !email.endsWith('@test.invalid')\"", "\"status_cd\"");
    Mapping dynamic = MappingLoader.parse("person.yaml", column, ENV::get);
    assertThatThrownBy(() -> dynamic.apply(row())).isInstanceOf(MappingException.class)
        .hasMessageContaining("not true or false");
    String both = PERSON.replace("phone: { from: phone, protect: mask }", "phone: { from: phone, expr: \"phone\" }");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", both, ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.phone.expr");
    String badProtect = PERSON.replace("protect: mask", "protect: encrypt");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", badProtect, ENV::get))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.phone.protect")
        .hasMessageContaining("mask, hash, drop");
  }

  @Test
  void typeCheckAgainstLegacyColumnsNamesTheField() {
    Map<String, Expression.ColumnType> columns = new HashMap<>();
    for (String text : new String[] {"id", "first_nm", "last_nm", "email", "phone", "ssn", "status_cd"}) {
      columns.put(text, Expression.ColumnType.STRING);
    }
    columns.put("age", Expression.ColumnType.INT);
    person().typeCheck(columns);
    columns.put("last_nm", Expression.ColumnType.INT);
    assertThatThrownBy(() -> person().typeCheck(columns)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("fields.full_name.expr");
    columns.put("last_nm", Expression.ColumnType.STRING);
    columns.remove("email");
    assertThatThrownBy(() -> person().typeCheck(columns)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("column 'email' is not in the legacy table");
  }

  @Test
  void expressionsAndProtectedFieldsAreNotCarriedBack() {
    String withReverse = PERSON.replace("filter:\n  - { when: \"status_cd != 'X' && !email.endsWith('@test.invalid')\" }\n",
        "reverse:\n  fields: { email_hash: ignore, phone: ignore, ssn: ignore, age_band: ignore }\n");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", withReverse, ENV::get).reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.full_name")
        .hasMessageContaining("no inverse");
    String protectedBack = withReverse.replace("email_hash: ignore, phone: ignore", "email_hash: ignore")
        .replace("full_name: { expr: \"first_nm + ' ' + last_nm\" }", "full_name: first_nm");
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", protectedBack, ENV::get).reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.phone")
        .hasMessageContaining("cannot be carried back");
    String whenWithReverse = PERSON + "reverse:\n  filter: protect\n";
    assertThatThrownBy(() -> MappingLoader.parse("person.yaml", whenWithReverse, ENV::get).reverse())
        .isInstanceOf(ConfigException.class).hasMessageContaining("filter[0].when");
  }

  @Test
  void protectedFieldsMustFitTheEntitySchema() {
    String fields = "{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"full_name\",\"type\":\"string\"},"
        + "{\"name\":\"email_hash\",\"type\":\"string\"},{\"name\":\"phone\",\"type\":[\"null\",\"string\"]},"
        + "{\"name\":\"ssn\",\"type\":[\"null\",\"string\"]},{\"name\":\"status\",\"type\":\"string\"},"
        + "{\"name\":\"age_band\",\"type\":\"string\"}";
    String record = "{\"type\":\"record\",\"name\":\"person\",\"fields\":[%s]}";
    io.tandem.core.model.EntitySchema.of("person.avsc",
        new org.apache.avro.Schema.Parser().parse(record.formatted(fields)), person());
    String ssnNotNull = fields.replace("{\"name\":\"ssn\",\"type\":[\"null\",\"string\"]}",
        "{\"name\":\"ssn\",\"type\":\"string\"}");
    assertThatThrownBy(() -> io.tandem.core.model.EntitySchema.of("person.avsc",
        new org.apache.avro.Schema.Parser().parse(record.formatted(ssnNotNull)), person()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.ssn.protect").hasMessageContaining("nullable");
    String hashAsLong = fields.replace("{\"name\":\"email_hash\",\"type\":\"string\"}",
        "{\"name\":\"email_hash\",\"type\":\"long\"}");
    assertThatThrownBy(() -> io.tandem.core.model.EntitySchema.of("person.avsc",
        new org.apache.avro.Schema.Parser().parse(record.formatted(hashAsLong)), person()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("fields.email_hash.protect");
  }

  @Test
  void theFingerprintFollowsTheRulesNotTheLayout() {
    String fingerprint = person().fingerprint();
    assertThat(fingerprint).matches("[0-9a-f]{16}");
    String commented = "# people, migrated\n" + PERSON.replace("key: [id]", "key: [ id ]   # the new key");
    assertThat(MappingLoader.parse("other.yaml", commented, ENV::get).fingerprint()).isEqualTo(fingerprint);
    String changed = PERSON.replace("age < 30", "age < 40");
    assertThat(MappingLoader.parse("person.yaml", changed, ENV::get).fingerprint()).isNotEqualTo(fingerprint);
  }
}
