package io.tandem.demo;

import io.tandem.app.TandemCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One {@code tandem demo} run in this JVM: its exit code and what it printed (also echoed). */
record DemoRun(int exit, String out, String err) {
  static DemoRun demo(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream previousOut = System.out;
    PrintStream previousErr = System.err;
    int exit;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      // Any free port for the console's router unless the test names one: demos may run side by side.
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("demo"));
      if (!java.util.List.of(args).contains("--console-port")) {
        command.addAll(java.util.List.of("--console-port", "0"));
      }
      command.addAll(java.util.List.of(args));
      exit = TandemCli.commandLine().execute(command.toArray(String[]::new));
    } finally {
      System.setOut(previousOut);
      System.setErr(previousErr);
    }
    DemoRun run = new DemoRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    previousOut.print(run.out());
    previousErr.print(run.err());
    return run;
  }
}
