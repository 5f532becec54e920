package io.tandem.runtime;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code schemas} section: where the migration model's files are.
 *
 * @param mappingsDir the mapping files' folder when not {@code <dir>/mappings}
 */
public record SchemasSettings(Path dir, java.util.Optional<Path> mappingsDir) {

  public static final Section SECTION = Section.of("schemas", "optional", "Mappings, schemas, migrations.");
  public static final Setting<Path> DIR = Setting.path("schemas.dir", "schemas", null,
      "Holds `mappings/*.yaml` (every component), `avro/<entity>.avsc` (every component) and "
          + "`migrations/new/` (`sink`: Flyway migrations applied to the new database at start).");

  public static final Setting<Path> MAPPINGS = Setting.path("schemas.mappings", null, "`<dir>/mappings`",
      "The mapping files' folder, when not under `schemas.dir` (e.g. `schemas/examples/merger/mappings`, the "
          + "merger example).");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, DIR, MAPPINGS);

  public SchemasSettings(Path dir) {
    this(dir, java.util.Optional.empty());
  }

  /** Reads the {@code schemas} section (absent: {@code schemas} beside the config file). */
  public static SchemasSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new SchemasSettings(section.get(DIR), java.util.Optional.ofNullable(section.get(MAPPINGS)));
  }

  public Path mappings() {
    return mappingsDir.orElse(dir.resolve("mappings"));
  }

  public Path avro() {
    return dir.resolve("avro");
  }

  public Path migrations() {
    return dir.resolve("migrations").resolve("new");
  }
}
