package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.core.model.EntitySchema;
import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Entities whose new key is not the legacy primary key's integers in order (text, UUID, composite in
 * another order, computed by an expression) are verified by key buckets, against two real PostgreSQL
 * databases.
 */
class KeyBucketVerifierIT {
  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void start() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  private static TwoDatabases sides() {
    return TwoDatabases.create(pg);
  }

  private static EntityResult verify(TwoDatabases sides, String mappingYaml, String avsc, String newTable)
      throws InterruptedException {
    Mapping mapping = MappingLoader.parse("test.yaml", mappingYaml);
    EntitySchema schema = EntitySchema.of("test.avsc", new Schema.Parser().parse(avsc), mapping);
    EntityVerifier verifier = EntityVerifier.create(mapping, schema, newTable, sides.legacy(), sides.fresh(),
        new VerifyOptions(500, 0, Duration.ofMillis(50), 2, true, null), CohortResolver.NONE, DeadLetters.NONE,
        Clock.systemUTC());
    assertThat(verifier.aligned()).isFalse();
    return verifier.run(EntityVerifier.Progress.NONE);
  }

  private static Map<String, Difference> byKey(EntityResult result) {
    return result.differences().stream().collect(Collectors.toMap(Difference::key, d -> d));
  }

  // ---- a text key (collation-ordered on legacy, with commas, quotes and non-ASCII) ----

  private static final String ACCOUNT_MAPPING = """
      entity: account
      source: public.accounts
      key: [code]
      fields:
        code: acct_code
        owner: owner_nm
        credit: { from: credit, cast: long }
      """;

  private static final String ACCOUNT_AVSC = """
      {"type": "record", "name": "Account", "namespace": "test", "fields": [
        {"name": "code", "type": "string"},
        {"name": "owner", "type": ["null", "string"], "default": null},
        {"name": "credit", "type": "long"}]}
      """;

  private static TwoDatabases accounts(int rows) throws SQLException {
    TwoDatabases sides = sides();
    sides.legacySql("CREATE TABLE accounts (acct_code varchar(40) COLLATE \"C\" PRIMARY KEY, owner_nm text,"
            + " credit integer NOT NULL)",
        "INSERT INTO accounts SELECT CASE g % 4 WHEN 0 THEN 'acct-' || g WHEN 1 THEN 'Ä,' || g WHEN 2 THEN"
            + " 'b''q ' || g ELSE lpad(g::text, 8, '0') END, CASE WHEN g % 9 = 0 THEN NULL ELSE 'Owner ' || g END,"
            + " g FROM generate_series(1, " + rows + ") g");
    sides.newSql("CREATE TABLE account (code text PRIMARY KEY, owner text, credit bigint NOT NULL)",
        "INSERT INTO account SELECT CASE g % 4 WHEN 0 THEN 'acct-' || g WHEN 1 THEN 'Ä,' || g WHEN 2 THEN"
            + " 'b''q ' || g ELSE lpad(g::text, 8, '0') END, CASE WHEN g % 9 = 0 THEN NULL ELSE 'Owner ' || g END,"
            + " g FROM generate_series(1, " + rows + ") g");
    return sides;
  }

  @Test
  void equalSidesWithATextKeyAreCleanInEveryBucket() throws Exception {
    EntityResult result = verify(accounts(3_000), ACCOUNT_MAPPING, ACCOUNT_AVSC, "account");
    assertThat(result.differences()).isEmpty();
    assertThat(result.clean()).isTrue();
    assertThat(result.rowsRead()).isEqualTo(3_000);
    assertThat(result.rowsChecked()).isEqualTo(3_000);
    assertThat(result.expectedRows()).isEqualTo(3_000);
    assertThat(result.newRows()).isEqualTo(3_000);
    assertThat(result.chunks()).isEqualTo(EntityPlan.BUCKETS);
    assertThat(result.chunksDiffering()).isZero();
  }

  @Test
  void everyKindOfDifferenceIsFoundAtItsTextKey() throws Exception {
    TwoDatabases sides = accounts(3_000);
    sides.newSql("DELETE FROM account WHERE code = 'acct-1200'");                       // missing
    sides.newSql("INSERT INTO account VALUES ('zz-only-new', 'Nobody', 1)");            // extra
    sides.legacySql("DELETE FROM accounts WHERE acct_code = 'Ä,1201'");                 // extra (legacy lost it)
    sides.newSql("UPDATE account SET owner = 'Someone Else' WHERE code = 'b''q 1202'"); // different
    sides.newSql("UPDATE account SET owner = NULL WHERE code = '00001203'");            // null is not a value
    sides.legacySql("UPDATE accounts SET credit = credit + 1 WHERE acct_code = 'acct-2000'");

    EntityResult result = verify(sides, ACCOUNT_MAPPING, ACCOUNT_AVSC, "account");

    Map<String, Difference> byKey = byKey(result);
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("acct-1200", "zz-only-new", "Ä,1201", "b'q 1202",
        "00001203", "acct-2000");
    assertThat(byKey.get("acct-1200").kind()).isEqualTo(Difference.Kind.MISSING);
    assertThat(byKey.get("zz-only-new").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("Ä,1201").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("b'q 1202").kind()).isEqualTo(Difference.Kind.DIFFERENT);
    assertThat(byKey.get("b'q 1202").expected()).containsEntry("owner", "Owner 1202");
    assertThat(byKey.get("b'q 1202").actual()).containsEntry("owner", "Someone Else");
    assertThat(byKey.get("00001203").fields()).containsExactly("owner");
    assertThat(byKey.get("acct-2000").fields()).containsExactly("credit");
    assertThat(byKey.get("acct-2000").expected()).containsEntry("credit", "2001");
    assertThat(result.chunksDiffering()).isBetween(1L, 6L);
  }

  @Test
  void aDifferenceThatHealsBeforeTheRecheckIsCleared() throws Exception {
    TwoDatabases sides = accounts(500);
    sides.newSql("DELETE FROM account WHERE code = 'acct-100'");
    Mapping mapping = MappingLoader.parse("test.yaml", ACCOUNT_MAPPING);
    EntitySchema schema = EntitySchema.of("test.avsc", new Schema.Parser().parse(ACCOUNT_AVSC), mapping);
    EntityVerifier verifier = EntityVerifier.create(mapping, schema, "account", sides.legacy(), sides.fresh(),
        new VerifyOptions(500, 0, Duration.ofMillis(3000), 2, true, null), CohortResolver.NONE, DeadLetters.NONE,
        Clock.systemUTC());
    Thread healer = new Thread(() -> {
      try {
        // after both legacy scans of 500 rows (well under a second), within the 3 s re-check delay
        Thread.sleep(1000);
        sides.newSql("INSERT INTO account VALUES ('acct-100', 'Owner 100', 100)");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    healer.start();
    EntityResult result = verifier.run(EntityVerifier.Progress.NONE);
    healer.join();
    assertThat(result.differences()).isEmpty();
    assertThat(result.cleared()).isEqualTo(1);
  }

  // ---- a composite key in another order than the legacy primary key, with a UUID part ----

  @Test
  void aCompositeKeyInAnotherOrderWithAUuidPart() throws Exception {
    TwoDatabases sides = sides();
    sides.legacySql("CREATE TABLE order_lines (order_id uuid, line_no smallint, sku text NOT NULL,"
            + " PRIMARY KEY (order_id, line_no))",
        "INSERT INTO order_lines SELECT md5('o' || (g / 3))::uuid, g % 3, 'SKU-' || g FROM generate_series(0, 899) g");
    sides.newSql("CREATE TABLE order_line (line integer, order_ref uuid, sku text NOT NULL,"
            + " PRIMARY KEY (line, order_ref))",
        "INSERT INTO order_line SELECT g % 3, md5('o' || (g / 3))::uuid, 'SKU-' || g FROM generate_series(0, 899) g",
        "UPDATE order_line SET sku = 'wrong' WHERE line = 1 AND order_ref = md5('o7')::uuid",
        "DELETE FROM order_line WHERE line = 2 AND order_ref = md5('o8')::uuid");
    String mapping = """
        entity: order_line
        source: public.order_lines
        key: [line, order_ref]
        fields:
          line: { from: line_no, cast: int }
          order_ref: order_id
          sku: sku
        """;
    String avsc = """
        {"type": "record", "name": "OrderLine", "namespace": "test", "fields": [
          {"name": "line", "type": "int"},
          {"name": "order_ref", "type": {"type": "string", "logicalType": "uuid"}},
          {"name": "sku", "type": "string"}]}
        """;
    EntityResult result = verify(sides, mapping, avsc, "order_line");
    String o7 = md5Uuid(sides, "o7");
    String o8 = md5Uuid(sides, "o8");
    Map<String, Difference> byKey = byKey(result);
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("1," + o7, "2," + o8);
    assertThat(byKey.get("1," + o7).fields()).containsExactly("sku");
    assertThat(byKey.get("2," + o8).kind()).isEqualTo(Difference.Kind.MISSING);
    assertThat(result.rowsChecked()).isEqualTo(900);
  }

  private static String md5Uuid(TwoDatabases sides, String text) throws SQLException {
    try (Connection c = sides.fresh().open(); Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT md5('" + text + "')::uuid::text")) {
      r.next();
      return r.getString(1);
    }
  }

  // ---- a key computed by an expression (re-keyed) ----

  @Test
  void aReKeyedEntityIsVerifiedByItsComputedKey() throws Exception {
    TwoDatabases sides = sides();
    sides.legacySql("CREATE TABLE members (member_id integer PRIMARY KEY, region char(2) NOT NULL, nm text NOT NULL)",
        "INSERT INTO members SELECT g, CASE WHEN g % 2 = 0 THEN 'NL' ELSE 'BE' END, 'M' || g"
            + " FROM generate_series(1, 2000) g");
    sides.newSql("CREATE TABLE member (code text PRIMARY KEY, name text NOT NULL)",
        "INSERT INTO member SELECT CASE WHEN g % 2 = 0 THEN 'NL' ELSE 'BE' END || '-' || g, 'M' || g"
            + " FROM generate_series(1, 2000) g",
        // the old numeric key left behind by an earlier mapping: extra
        "INSERT INTO member VALUES ('17', 'M17')",
        "UPDATE member SET name = 'changed' WHERE code = 'NL-1000'");
    String mapping = """
        entity: member
        source: public.members
        key: [code]
        fields:
          code: { expr: "region + '-' + string(member_id)" }
          name: nm
        """;
    String avsc = """
        {"type": "record", "name": "Member", "namespace": "test", "fields": [
          {"name": "code", "type": "string"},
          {"name": "name", "type": "string"}]}
        """;
    EntityResult result = verify(sides, mapping, avsc, "member");
    Map<String, Difference> byKey = byKey(result);
    assertThat(byKey.keySet()).containsExactlyInAnyOrder("17", "NL-1000");
    assertThat(byKey.get("17").kind()).isEqualTo(Difference.Kind.EXTRA);
    assertThat(byKey.get("NL-1000").kind()).isEqualTo(Difference.Kind.DIFFERENT);
  }

  @Test
  void theJavaBucketOfAKeyIsTheOneTheNewDatabaseComputes() throws Exception {
    TwoDatabases sides = sides();
    try (Connection c = sides.fresh().open(); Statement s = c.createStatement();
        java.sql.ResultSet r = s.executeQuery("SELECT k, (hashtextextended(k, 0) & 1023)::int FROM (VALUES ('a'),"
            + " ('Ä,1201'), ('b''q 1202'), (''), ('a much longer key text than twelve bytes, with ü and 日本')) v(k)")) {
      while (r.next()) {
        assertThat(EntityPlan.bucketOf(r.getString(1))).as(r.getString(1)).isEqualTo(r.getInt(2));
      }
    }
  }
}
