package io.tandem.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Creates and evolves the new database's tables from versioned Flyway migrations
 * ({@code schemas/migrations/new/V<n>__<what>.sql}): the sink's own tombstone table and the entity
 * tables of the forward-sync work. The jar carries a copy of that folder, so a deployed sink can
 * migrate without a checkout.
 */
public final class SinkSchema {
  /** The copy of {@code schemas/migrations/new} inside the sink jar. */
  public static final String BUNDLED_LOCATION = "classpath:tandem/migrations/new";

  /** The copy of {@code schemas/migrations/legacy} (Tandem's own tables in the legacy database). */
  public static final String BUNDLED_LEGACY_LOCATION = "classpath:tandem/migrations/legacy";
  /** The copy of {@code schemas/migrations/legacy-mariadb}: the same tables in a MariaDB legacy. */
  public static final String BUNDLED_LEGACY_MARIADB_LOCATION = "classpath:tandem/migrations/legacy-mariadb";

  /** Flyway's history table in the legacy database: Tandem's, beside whatever the application uses. */
  public static final String LEGACY_HISTORY_TABLE = "tandem_schema_history";

  private SinkSchema() {}

  /**
   * Creates Tandem's coexistence tables in the legacy database (bundled {@code schemas/migrations/legacy}).
   * The legacy schema is not empty, so Flyway starts from a baseline and touches nothing but its own
   * history table and {@code tandem_*} tables.
   */
  public static Result migrateLegacy(DataSource dataSource) {
    MigrateResult result = Flyway.configure()
        .dataSource(dataSource)
        .locations(SinkDialect.of(dataSource) == SinkDialect.MARIADB ? BUNDLED_LEGACY_MARIADB_LOCATION
            : BUNDLED_LEGACY_LOCATION)
        .table(LEGACY_HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .load()
        .migrate();
    List<String> applied = new ArrayList<>();
    result.migrations.forEach(m -> applied.add(m.version + " " + m.description));
    return new Result(result.initialSchemaVersion, result.targetSchemaVersion, applied);
  }

  /** Applies the bundled migrations. */
  public static Result migrate(DataSource dataSource) {
    return migrate(dataSource, List.of(BUNDLED_LOCATION));
  }

  /** Applies the migrations in a folder, e.g. {@code schemas/migrations/new} of a checkout. */
  public static Result migrate(DataSource dataSource, Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("migrations folder " + folder.toAbsolutePath() + " does not exist");
    }
    return migrate(dataSource, List.of("filesystem:" + folder.toAbsolutePath()));
  }

  /** Applies the migrations of one Flyway location, e.g. {@code classpath:db/new}. */
  public static Result migrate(DataSource dataSource, String location) {
    return migrate(dataSource, List.of(location));
  }

  /**
   * Applies the migrations found in Flyway locations ({@code classpath:...} or
   * {@code filesystem:...}), merged into one version order. A missing location, a changed
   * already-applied migration or a failing script stops with Flyway's reason and changes nothing
   * further (each migration runs in its own transaction).
   */
  public static Result migrate(DataSource dataSource, List<String> locations) {
    if (locations.isEmpty()) {
      throw new IllegalArgumentException("expected at least one migrations location");
    }
    MigrateResult result = Flyway.configure()
        .dataSource(dataSource)
        .locations(locations.toArray(String[]::new))
        .failOnMissingLocations(true)
        .validateMigrationNaming(true)
        .load()
        .migrate();
    List<String> applied = new ArrayList<>();
    result.migrations.forEach(m -> applied.add(m.version + " " + m.description));
    return new Result(result.initialSchemaVersion, result.targetSchemaVersion, applied);
  }

  /**
   * What a migration run did.
   *
   * @param fromVersion schema version before the run, or null for an empty database
   * @param toVersion schema version after the run, or null if nothing was ever applied
   * @param applied the migrations applied by this run, "version description", in order
   */
  public record Result(String fromVersion, String toVersion, List<String> applied) {
    public Result {
      applied = List.copyOf(applied);
    }
  }
}
