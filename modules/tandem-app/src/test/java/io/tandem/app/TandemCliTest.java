package io.tandem.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** tandem.jar's command line: the deployment commands, and no demo (it ships in tandem-demo.jar). */
class TandemCliTest {
  @Test
  void theDeploymentCliHasNoDemo() {
    assertThat(TandemCli.commandLine().getSubcommands()).containsKeys("run", "verify", "router", "cohort")
        .doesNotContainKey("demo");
  }
}
