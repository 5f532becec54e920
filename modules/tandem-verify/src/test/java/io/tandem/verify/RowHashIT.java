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
    List<String> fields = List.of("a", "b", "c");
    String rowHash = RowHash.sql(fields, fields);
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        Connection connection = pg.connect("postgres");
        PreparedStatement statement = connection.prepareStatement("SELECT " + rowHash
            + ", hashtextextended(?, 0), hashtextextended(?, ?) FROM (VALUES (?::text, ?::text, ?::text)) v(a, b, c)")) {
      RowHash hasher = new RowHash();
      for (int n = 0; n < 400; n++) {
        String[] row = new String[3];
        for (int i = 0; i < 3; i++) {
          int kind = random.nextInt(8);
          row[i] = kind == 0 ? null : kind == 1 ? "" : randomText(random, random.nextInt(40));
        }
        String plain = randomText(random, n % 50);
        long seed = n % 5 == 0 ? 0 : random.nextLong();
        statement.setString(1, plain);
        statement.setString(2, plain);
        statement.setLong(3, seed);
        for (int i = 0; i < 3; i++) {
          statement.setString(4 + i, row[i]);
        }
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          assertThat(hasher.hash(row)).as("row hash of %s", Arrays.toString(row)).isEqualTo(result.getLong(1));
          byte[] bytes = plain.getBytes(StandardCharsets.UTF_8);
          assertThat(PgHash.hashExtended(bytes, bytes.length)).as("hash of '%s'", plain).isEqualTo(result.getLong(2));
          assertThat(PgHash.hashExtended(bytes, bytes.length, seed)).as("hash of '%s' seeded %d", plain, seed)
              .isEqualTo(result.getLong(3));
        }
      }
    }
  }

  @Test
  void nullEmptyAndSwappedValuesGiveDifferentRowHashes() {
    RowHash hasher = new RowHash();
    List<Long> hashes = new ArrayList<>();
    for (String[] row : new String[][] {{null, "x"}, {"", "x"}, {"x", null}, {"x", ""}, {"x", "y"}, {"y", "x"},
        {"xy", ""}, {"", "xy"}}) {
      hashes.add(hasher.hash(row));
    }
    assertThat(hashes).doesNotHaveDuplicates();
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
