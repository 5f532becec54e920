package io.tandem.capture;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test helpers shared by unit and integration tests. */
final class Fixtures {
  private Fixtures() {}

  /** {@code connectors/legacy-postgres.properties} at the repository root, found from the module dir. */
  static Path connectorFile() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("connectors").resolve("legacy-postgres.properties");
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("connectors/legacy-postgres.properties not found above " + Path.of("").toAbsolutePath());
  }
}
