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
      String[] command = new String[args.length + 1];
      command[0] = "demo";
      System.arraycopy(args, 0, command, 1, args.length);
      exit = TandemCli.commandLine().execute(command);
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
