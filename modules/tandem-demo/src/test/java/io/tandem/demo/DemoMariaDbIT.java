package io.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code tandem demo --legacy mariadb}: the same demo with the shop on MariaDB (embedded), small. */
class DemoMariaDbIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  // The report's row of an entity: legacy, expected (legacy through the mapping), new, missing, extra, different.
  private static final Pattern CUSTOMER_ROW =
      Pattern.compile("(?m)^customer\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");

  @Test
  void theDemoOnAMariaDbLegacyConvergesAndTheVerifierFindsNoDifference() {
    DemoRun run = DemoRun.demo("--legacy", "mariadb", "--customers", "300", "--rate", "50", "--duration", "5s",
        "--metrics-port", "0", "--home", ROOT.toString());

    assertThat(run.exit()).as("tandem demo --legacy mariadb exit code (0: legacy and new agree)").isZero();
    assertThat(run.out()).contains("Legacy: MariaDB ", "Rows differing through the mapping (checked by the verifier, "
        + "`tandem verify`): 0 (legacy and new agree)");
    Matcher customers = CUSTOMER_ROW.matcher(run.out());
    assertThat(customers.find()).as("the report's customer row in:%n%s", run.out()).isTrue();
    long legacy = Long.parseLong(customers.group(1));
    long expected = Long.parseLong(customers.group(2));
    long migrated = Long.parseLong(customers.group(3));
    assertThat(legacy).as("legacy customers: the 300 seeded plus the workload's").isGreaterThanOrEqualTo(300);
    assertThat(expected).as("customers the mapping keeps (test accounts left out)").isPositive().isLessThan(legacy);
    assertThat(migrated).as("customers in the new database").isEqualTo(expected);
  }

  @Test
  void theCutoverDemoOnAMariaDbLegacyLosesNoWriteAcrossCutoversAndTheUndo() {
    DemoRun run = DemoRun.demo("--legacy", "mariadb", "--cutover", "--customers", "500", "--rate", "100", "--phase-time", "2s",
        "--metrics-port", "0", "--home", ROOT.toString());

    assertThat(run.exit()).as("tandem demo --legacy mariadb --cutover exit code (0: no lost write, verifier clean)")
        .isZero();
    assertThat(run.out()).contains("Legacy: MariaDB ", "switch cutover-1, writes fenced for", "switch undo-1",
        "switch cutover-2", "lost writes: 0");
  }
}
