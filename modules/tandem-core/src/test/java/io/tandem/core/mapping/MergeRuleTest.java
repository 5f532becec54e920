package io.tandem.core.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.core.model.MappedEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergeRuleTest {
  static final Path MERGER = Path.of("../../schemas/examples/merger/mappings");
  static final Path AVRO = Path.of("../../schemas/avro");

  private static MergeRule rule(String onDuplicate, boolean fill) {
    return new MergeRule(Expression.compile("email.lowerAscii().trim()", false), List.of("legacy", "shop_b"), fill,
        MergeRule.OnDuplicate.valueOf(onDuplicate));
  }

  private static MergeGroup.Member member(String source, long id, String name, String email) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("id", id);
    row.put("name", name);
    row.put("email", email);
    return new MergeGroup.Member(source + ":" + id, source, Map.of("id", id), Long.toString(id), row);
  }

  @Test
  void theMatchValueIsNormalisedAndANullOrBlankFieldMatchesNothing() {
    MergeRule rule = rule("MERGE", false);
    Map<String, Object> row = new HashMap<>();
    row.put("email", new org.apache.avro.util.Utf8("  Ada@Example.COM "));
    assertThat(rule.matchValue(row)).contains("ada@example.com");
    row.put("email", null);
    assertThat(rule.matchValue(row)).isEmpty();
    row.put("email", "   ");
    assertThat(rule.matchValue(row)).isEmpty();
  }

  @Test
  void thePreferredSourceSurvivesAndFillsItsEmptyFieldsOnlyWhenAsked() {
    MergeGroup.Member a = member("legacy", 1, null, "ada@example.com");
    MergeGroup.Member b = member("shop_b", 1_000_000_002L, "Ada L.", "ADA@example.com");
    MergeGroup.Resolution plain = MergeGroup.resolve(rule("MERGE", false), List.of(b, a), List.of("id"));
    assertThat(plain.reported()).isEmpty();
    assertThat(plain.outcomes().get(0).member()).isEqualTo(a);
    assertThat(plain.outcomes().get(0).row()).containsEntry("name", null).containsEntry("id", 1L);
    assertThat(plain.outcomes().get(1).absorbed()).isTrue();
    assertThat(plain.outcomes().get(1).absorbedInto()).isEqualTo("1");

    MergeGroup.Resolution filled = MergeGroup.resolve(rule("MERGE", true), List.of(b, a), List.of("id"));
    assertThat(filled.outcomes().get(0).row()).containsEntry("name", "Ada L.").containsEntry("id", 1L)
        .containsEntry("email", "ada@example.com");
  }

  @Test
  void reportedGroupsKeepEveryRowUnderItsOwnKey() {
    MergeGroup.Member a = member("legacy", 1, "Ada", "ada@example.com");
    MergeGroup.Member a2 = member("legacy", 2, "Ada too", "ada@example.com");
    MergeGroup.Member b = member("shop_b", 1_000_000_002L, "Ada L.", "ada@example.com");
    MergeGroup.Resolution report = MergeGroup.resolve(rule("REPORT", false), List.of(a, b), List.of("id"));
    assertThat(report.reported()).hasValueSatisfying(why -> assertThat(why).contains("onDuplicate: report"));
    assertThat(report.outcomes()).noneMatch(MergeGroup.Outcome::absorbed);
    MergeGroup.Resolution ambiguous = MergeGroup.resolve(rule("MERGE", false), List.of(a, a2, b), List.of("id"));
    assertThat(ambiguous.reported()).hasValueSatisfying(why -> assertThat(why).contains("source 'legacy'"));
    assertThat(ambiguous.outcomes()).hasSize(3).noneMatch(MergeGroup.Outcome::absorbed);
    List<MergeGroup.Member> crowd = new java.util.ArrayList<>();
    for (int i = 0; i <= MergeRule.MAX_GROUP; i++) {
      crowd.add(member("s" + i, i, "x", "x@example.com"));
    }
    List<String> sources = crowd.stream().map(MergeGroup.Member::source).toList();
    MergeRule wide = new MergeRule(Expression.compile("email", false), sources, false, MergeRule.OnDuplicate.MERGE);
    assertThat(MergeGroup.resolve(wide, crowd, List.of("id")).reported()).hasValueSatisfying(why ->
        assertThat(why).contains("more than the " + MergeRule.MAX_GROUP));
  }

  @Test
  void theExampleMergesTwoSourcesIntoOneEntity() {
    List<MappedEntity> entities = MappedEntity.loadAll(MERGER, AVRO);
    assertThat(entities).hasSize(1);
    MappedEntity customer = entities.get(0);
    assertThat(customer.merge()).isPresent();
    assertThat(customer.sources()).extracting(Mapping::legacySource).containsExactly("legacy", "shop_b");
    Mapping shopB = customer.sources().get(1);
    Map<String, Object> client = new HashMap<>();
    client.put("client_no", 17L);
    client.put("display_name", "Alan");
    client.put("mail", "alan@example.org");
    client.put("credit_cents", 5L);
    client.put("state", "active");
    client.put("joined_at", "2024-02-01T08:00:00Z");
    client.put("changed_at", "2024-02-01T08:00:00Z");
    Optional<Map<String, Object>> row = shopB.apply(client);
    assertThat(row).isPresent();
    assertThat(row.get()).containsEntry("id", 1_000_000_017L).containsEntry("country", "BE");
    assertThat(customer.merge().get().matchValue(row.get())).contains("alan@example.org");
  }

  @Test
  void aMergedEntityIsCheckedAcrossItsMappings(@TempDir Path dir) throws Exception {
    Files.copy(MERGER.resolve("customer.yaml"), dir.resolve("customer.yaml"));
    String shopB = Files.readString(MERGER.resolve("customer_shop_b.yaml"));
    Files.writeString(dir.resolve("customer_shop_b.yaml"), shopB.replace("legacy: shop_b", "legacy: shop_c"));
    assertThatThrownBy(() -> MappedEntity.loadAll(dir, AVRO)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("merge.prefer").hasMessageContaining("shop_c");
    Files.writeString(dir.resolve("customer_shop_b.yaml"), shopB.replace("key: [id]", "key: [id, name]"));
    assertThatThrownBy(() -> MappedEntity.loadAll(dir, AVRO)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("customer_shop_b.yaml").hasMessageContaining("key");
    Files.writeString(dir.resolve("customer_shop_b.yaml"), shopB);
    String customer = Files.readString(MERGER.resolve("customer.yaml"));
    Files.writeString(dir.resolve("customer.yaml"), customer.replace("email.lowerAscii().trim()", "mail.trim()"));
    assertThatThrownBy(() -> MappedEntity.loadAll(dir, AVRO)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("merge.match");
    Files.writeString(dir.resolve("customer.yaml"), customer.replace("prefer: [legacy, shop_b]", "prefer: [shop_b]"));
    assertThatThrownBy(() -> MappedEntity.loadAll(dir, AVRO)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("merge.prefer");
    Files.writeString(dir.resolve("customer.yaml"), customer.replaceAll("(?s)merge:.*", ""));
    assertThatThrownBy(() -> MappedEntity.loadAll(dir, AVRO)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("exactly one mapping of entity 'customer' declaring merge");
  }
}
