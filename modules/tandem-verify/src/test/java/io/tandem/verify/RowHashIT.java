package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Java fingerprint agrees with PostgreSQL's on the same values (the premise of chunk compare). */
class RowHashIT {
  private static final String ALPHABET = "abcXYZ019 ,()\"\\'\t\né€😀-:.";

  @Test
  void javaAndPostgresAgreeOnTextHashesAndRowHashes() throws Exception {
    Random random = new Random(7);
    // a: text (nullable), b: text (NOT NULL column), c: bigint (nullable)
    List<FieldForm> forms = List.of(new FieldForm("a", FieldForm.Kind.STRING, 0),
        new FieldForm("b", FieldForm.Kind.STRING, 0), new FieldForm("c", FieldForm.Kind.LONG, 0));
    boolean[] nullable = {true, false, true};
    String rowHash = RowHash.sql(forms, List.of("a", "b", "c"), nullable);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        Connection connection = pg.connect("postgres");
        PreparedStatement statement = connection.prepareStatement("SELECT " + rowHash
            + ", hashtextextended(?, 0), hashtextextended(?, ?) FROM (VALUES (?::text, ?::text, ?::bigint)) v(a, b, c)")) {
      RowHash hasher = new RowHash(forms, nullable);
      for (int n = 0; n < 400; n++) {
        String[] row = new String[3];
        for (int i = 0; i < 2; i++) {
          int kind = random.nextInt(8);
          row[i] = kind == 0 && i == 0 ? null : kind == 1 ? "" : randomText(random, random.nextInt(40));
        }
        row[2] = random.nextInt(6) == 0 ? null : Long.toString(random.nextInt(3) == 0 ? random.nextLong()
            : random.nextInt(2000) - 1000);
        String plain = randomText(random, n % 50);
        long seed = n % 5 == 0 ? 0 : random.nextLong();
        statement.setString(1, plain);
        statement.setString(2, plain);
        statement.setLong(3, seed);
        statement.setString(4, row[0]);
        statement.setString(5, row[1]);
        statement.setObject(6, row[2] == null ? null : Long.valueOf(row[2]), java.sql.Types.BIGINT);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          Object[] values = {row[0], row[1], row[2] == null ? null : Long.valueOf(row[2])};
          assertThat(hasher.hash(i -> values[i])).as("row hash of %s", Arrays.toString(row))
              .isEqualTo(result.getLong(1));
          byte[] bytes = plain.getBytes(StandardCharsets.UTF_8);
          assertThat(PgHash.hashExtended(bytes, bytes.length)).as("hash of '%s'", plain).isEqualTo(result.getLong(2));
          assertThat(PgHash.hashExtended(bytes, bytes.length, seed)).as("hash of '%s' seeded %d", plain, seed)
              .isEqualTo(result.getLong(3));
        }
      }
    }
  }

  @Test
  void aMillisecondFieldIsCutOnNewAsTheMappingCutsItEvenWhenAnApplicationWroteMicroseconds() throws Exception {
    FieldForm timestamp = new FieldForm("t", FieldForm.Kind.TIMESTAMP_MILLIS, 0);
    FieldForm local = new FieldForm("l", FieldForm.Kind.LOCAL_TIMESTAMP_MILLIS, 0);
    FieldForm time = new FieldForm("c", FieldForm.Kind.TIME_MILLIS, 0);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        Connection connection = pg.connect("postgres");
        PreparedStatement statement = connection.prepareStatement("SELECT " + timestamp.sql("t") + ", "
            + local.sql("l") + ", " + time.sql("c") + " FROM (VALUES (?::timestamptz, ?::timestamp, ?::time)) v(t, l, c)")) {
      for (String micros : new String[] {"000000", "123499", "123500", "123999", "999999"}) {
        String instant = "2026-12-05T13:40:07." + micros + "Z";
        statement.setString(1, instant);
        statement.setString(2, "2026-12-05 13:40:07." + micros);
        statement.setString(3, "13:40:07." + micros);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          long millis = java.time.Instant.parse(instant).toEpochMilli(); // what the mapping gives the field
          assertThat(result.getString(1)).as(instant).isEqualTo(Long.toString(millis));
          assertThat(result.getString(2)).as(instant).isEqualTo(Long.toString(millis));
          assertThat(result.getString(3)).as(instant)
              .isEqualTo(Long.toString(java.time.LocalTime.parse("13:40:07." + micros).toNanoOfDay() / 1_000_000));
        }
      }
    }
  }

  @Test
  void nullEmptyAndSwappedValuesGiveDifferentRowHashes() {
    List<FieldForm> forms = List.of(new FieldForm("a", FieldForm.Kind.STRING, 0),
        new FieldForm("b", FieldForm.Kind.STRING, 0));
    RowHash hasher = new RowHash(forms, new boolean[] {true, true});
    List<Long> hashes = new ArrayList<>();
    for (String[] row : new String[][] {{null, "x"}, {"", "x"}, {"x", null}, {"x", ""}, {"x", "y"}, {"y", "x"},
        {"xy", ""}, {"", "xy"}}) {
      hashes.add(hasher.hash(i -> row[i]));
    }
    assertThat(hashes).doesNotHaveDuplicates();
    RowHash notNull = new RowHash(forms, new boolean[] {false, false});
    String[] nullFirst = {null, "x"};
    String[] emptyFirst = {"", "x"};
    assertThat(notNull.hash(i -> nullFirst[i])).as("a null the column cannot hold")
        .isNotEqualTo(notNull.hash(i -> emptyFirst[i]));
  }

  @Test
  void int8HashesAgreeWithPostgres() throws Exception {
    Random random = new Random(9);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        Connection connection = pg.connect("postgres");
        PreparedStatement statement = connection.prepareStatement("SELECT hashint8extended(?, ?)")) {
      for (int n = 0; n < 300; n++) {
        long value = n % 3 == 0 ? random.nextLong() : random.nextInt(200_000) - 100_000;
        long seed = n % 7 == 0 ? 0 : random.nextLong();
        statement.setLong(1, value);
        statement.setLong(2, seed);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          assertThat(PgHash.hashInt8Extended(value, seed)).as("%d seeded %d", value, seed).isEqualTo(result.getLong(1));
        }
      }
    }
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    int[] points = ALPHABET.codePoints().toArray();
    for (int i = 0; i < length; i++) {
      text.appendCodePoint(points[random.nextInt(points.length)]);
    }
    return text.toString();
  }
}
