package io.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.app.TandemCli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's first command, small: the demo on the embedded stack converges and exits 0. */
class DemoCommandIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  @Test
  void theDemoJoinsTheCliFromItsJarAndConverges() {
    var cli = TandemCli.commandLine();
    assertThat(cli.getSubcommands()).containsKey("demo");

    int exit = cli.execute("demo", "--customers", "300", "--rate", "50", "--duration", "5s", "--metrics-port", "0",
        "--home", ROOT.toString());

    assertThat(exit).as("tandem demo exit code (0: legacy and new agree)").isZero();
  }
}
