package io.tandem.core.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DatabaseKindTest {
  @Test
  void driversProductNamesAndUrlsNameTheDialect() {
    assertThat(DatabaseKind.ofProduct("PostgreSQL")).isEqualTo(DatabaseKind.POSTGRES);
    assertThat(DatabaseKind.ofProduct("MariaDB")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.ofProduct("MySQL")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.ofProduct("H2")).isEqualTo(DatabaseKind.OTHER);
    assertThat(DatabaseKind.ofUrl("jdbc:postgresql://h/db")).isEqualTo(DatabaseKind.POSTGRES);
    assertThat(DatabaseKind.ofUrl("jdbc:mariadb://h/db")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.ofUrl("jdbc:mysql://h/db")).isEqualTo(DatabaseKind.MARIADB);
    assertThat(DatabaseKind.ofUrl("jdbc:h2:mem:x")).isEqualTo(DatabaseKind.OTHER);
    assertThat(DatabaseKind.ofUrl(null)).isEqualTo(DatabaseKind.OTHER);
  }
}
