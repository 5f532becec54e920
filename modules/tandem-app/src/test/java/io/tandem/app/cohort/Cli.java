package io.tandem.app.cohort;

import io.tandem.app.TandemCli;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code tandem ...} in-process, as {@code main} would, with stdout and stderr captured. */
final class Cli {
  record Result(int exitCode, String out, String err) {
    /** Everything printed, for "never printed" checks. */
    String all() {
      return out + err;
    }
  }

  private Cli() {
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exitCode = TandemCli.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
        .execute(args);
    return new Result(exitCode, normalize(out), normalize(err));
  }

  private static String normalize(StringWriter written) {
    return written.toString().replace(System.lineSeparator(), "\n");
  }
}
