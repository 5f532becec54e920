package io.tandem.runtime;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.nio.file.Path;
import java.util.List;

/** The {@code schemas} section: where the migration model's files are. */
public record SchemasSettings(Path dir) {

  public static final Section SECTION = Section.of("schemas", "optional", "Mappings, schemas, migrations.");
  public static final Setting<Path> DIR = Setting.path("schemas.dir", "schemas", null,
      "Holds `mappings/*.yaml` (every component), `avro/<entity>.avsc` (every component) and "
          + "`migrations/new/` (`sink`: Flyway migrations applied to the new database at start).");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, DIR);

  /** Reads the {@code schemas} section (absent: {@code schemas} beside the config file). */
  public static SchemasSettings read(ConfigSection root) {
    return new SchemasSettings(root.section(SECTION).get(DIR));
  }

  public Path mappings() {
    return dir.resolve("mappings");
  }

  public Path avro() {
    return dir.resolve("avro");
  }

  public Path migrations() {
    return dir.resolve("migrations").resolve("new");
  }
}
