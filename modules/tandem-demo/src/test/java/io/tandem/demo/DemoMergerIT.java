package io.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code tandem demo --merger}: shop A and shop B (colliding ids, shared customers) into one customer entity. */
class DemoMergerIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @Test
  void twoShopsMergeIntoOneCustomerTableAndTheVerifierFindsNoDifference() {
    DemoRun run = DemoRun.demo("--merger", "--customers", "300", "--rate", "50", "--duration", "5s",
        "--metrics-port", "0", "--home", ROOT.toString());
    assertThat(run.exit()).as("tandem demo --merger exit code (0: both shops and new agree)").isZero();
    assertThat(run.out()).contains("Creating legacy shop B (60 clients").contains("6 clients share an e-mail")
        .contains("Rows differing through the mapping (checked by the verifier, `tandem verify`): 0");
    java.util.regex.Matcher row = java.util.regex.Pattern.compile("customer\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)")
        .matcher(run.out());
    assertThat(row.find()).as("the report's customer row").isTrue();
    assertThat(Long.parseLong(row.group(1))).as("rows read: shop A's 300 (and inserts) and shop B's 60")
        .isGreaterThanOrEqualTo(360);
    assertThat(row.group(3)).as("new rows = expected rows").isEqualTo(row.group(2));
  }

  @Test
  void theMergerDemoRefusesWhatItCannotShow() {
    DemoRun run = DemoRun.demo("--merger", "--cutover", "--home", ROOT.toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--merger runs on the PostgreSQL legacy without --cutover");
  }
}
