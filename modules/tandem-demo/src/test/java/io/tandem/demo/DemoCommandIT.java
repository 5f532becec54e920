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
        "--console-port", "0",
        "--home", ROOT.toString());

    assertThat(exit).as("tandem demo exit code (0: legacy and new agree)").isZero();
  }

  @Test
  void theCutoverDemoMovesACohortsWritesAndBackWithoutLosingOne() {
    var out = new java.io.ByteArrayOutputStream();
    var previous = System.out;
    int exit;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      exit = TandemCli.commandLine().execute("demo", "--cutover", "--customers", "2000", "--rate", "200",
          "--phase-time", "2s", "--metrics-port", "0", "--console-port", "0", "--home", ROOT.toString());
    } finally {
      System.setOut(previous);
    }
    String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    previous.print(printed);
    assertThat(exit).as("tandem demo --cutover exit code (0: no lost write, verifier clean)").isZero();
    assertThat(printed).contains("switch cutover-1, writes fenced for", "switch undo-1", "switch cutover-2",
        "lost writes: 0");
  }
}
