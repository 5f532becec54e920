package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.embedded.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** New-DB tables from the versioned migrations in schemas/migrations/new. */
class SinkSchemaIT {
  private static EmbeddedPostgresServer pg;

  @BeforeAll
  static void startPostgres() {
    pg = EmbeddedPostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  void migratesFromTheRepositoryFolderOnceAndOnlyOnce() {
    String db = pg.createDatabase("schema");
    DataSource ds = Fixtures.dataSource(pg, db);
    Path folder = Path.of("../../schemas/migrations/new");

    SinkSchema.Result first = SinkSchema.migrate(ds, folder);
    assertThat(first.fromVersion()).isNull();
    assertThat(first.applied()).contains("1 tandem sink tombstones");
    assertThat(Fixtures.rows(pg, db, """
        select column_name, data_type, is_nullable from information_schema.columns
        where table_name = 'tandem_sink_tombstones' order by ordinal_position""")).containsExactly(
        List.of("entity", "text", "NO"), List.of("key_json", "text", "NO"), List.of("position", "bigint", "NO"),
        List.of("raised_at", "timestamp with time zone", "NO"));

    SinkSchema.Result again = SinkSchema.migrate(ds, folder);
    assertThat(again.applied()).isEmpty();
    assertThat(again.fromVersion()).isEqualTo(first.toVersion());
  }

  @Test
  void theJarCarriesTheSameMigrations() {
    String db = pg.createDatabase("bundled");
    SinkSchema.Result result = SinkSchema.migrate(Fixtures.dataSource(pg, db));
    assertThat(result.applied()).contains("1 tandem sink tombstones");
    assertThat(SinkSchema.migrate(Fixtures.dataSource(pg, db), SinkSchema.BUNDLED_LOCATION).applied()).isEmpty();
    assertThat(Fixtures.scalar(pg, db, "select to_regclass('tandem_sink_tombstones') is not null")).isEqualTo("t");
  }

  @Test
  void aMissingFolderOrAFailingScriptStopsWithTheReason() {
    String db = pg.createDatabase("broken");
    DataSource ds = Fixtures.dataSource(pg, db);

    assertThatThrownBy(() -> SinkSchema.migrate(ds, Path.of("no/such/folder")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no/such/folder").hasMessageContaining("does not exist");
    assertThatThrownBy(() -> SinkSchema.migrate(ds, List.of("classpath:sink-it/broken")))
        .isInstanceOf(FlywayException.class).hasMessageContaining("specified more than once");
    // The failed migration ran in one transaction: nothing of it is left behind.
    assertThat(Fixtures.scalar(pg, db, "select to_regclass('ok_table') is null")).isEqualTo("t");
  }
}
