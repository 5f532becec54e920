package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Java fingerprint agrees with PostgreSQL's on the same values (the premise of chunk compare). */
class RowHashIT {
  @Test
  void javaAndPostgresAgreeOnRowTextAndHash() throws Exception {
    Random random = new Random(7);
    String alphabet = "abcXYZ019 ,()\"\\'\t\né€😀-:.";
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start();
        Connection connection = pg.connect("postgres");
        PreparedStatement statement = connection.prepareStatement(
            "SELECT ROW(?::text, ?::text, ?::text)::text, hashtextextended(ROW(?::text, ?::text, ?::text)::text, 0),"
                + " hashtextextended(?, 0)")) {
      RowHash hasher = new RowHash();
      for (int n = 0; n < 400; n++) {
        String[] row = new String[3];
        for (int i = 0; i < 3; i++) {
          int kind = random.nextInt(8);
          row[i] = kind == 0 ? null : kind == 1 ? "" : randomText(random, alphabet, random.nextInt(40));
        }
        for (int i = 0; i < 3; i++) {
          statement.setString(i + 1, row[i]);
          statement.setString(i + 4, row[i]);
        }
        String plain = randomText(random, alphabet, n % 50);
        statement.setString(7, plain);
        try (ResultSet result = statement.executeQuery()) {
          result.next();
          assertThat(RowHash.recordText(row)).as("row text of %s", List.of(nullSafe(row))).isEqualTo(result.getString(1));
          assertThat(hasher.hash(row)).as("row hash of %s", List.of(nullSafe(row))).isEqualTo(result.getLong(2));
          byte[] bytes = plain.getBytes(java.nio.charset.StandardCharsets.UTF_8);
          assertThat(PgHash.hashExtended(bytes, bytes.length)).as("hash of '%s'", plain).isEqualTo(result.getLong(3));
        }
      }
    }
  }

  private static List<String> nullSafe(String[] row) {
    List<String> list = new ArrayList<>();
    for (String value : row) {
      list.add(String.valueOf(value));
    }
    return list;
  }

  private static String randomText(Random random, String alphabet, int length) {
    StringBuilder text = new StringBuilder();
    int[] points = alphabet.codePoints().toArray();
    for (int i = 0; i < length; i++) {
      text.appendCodePoint(points[random.nextInt(points.length)]);
    }
    return text.toString();
  }
}
