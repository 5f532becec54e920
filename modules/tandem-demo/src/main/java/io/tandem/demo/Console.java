package io.tandem.demo;

import java.io.PrintStream;

/** Operator output: redraws one status line on a terminal, prints plain lines elsewhere (CI, pipes). */
final class Console {
  private final PrintStream out;
  private final boolean terminal = System.console() != null;
  private boolean statusShown;

  Console(PrintStream out) {
    this.out = out;
  }

  boolean terminal() {
    return terminal;
  }

  synchronized void partial(String text) {
    clearStatus();
    out.print(text);
    out.flush();
  }

  synchronized void line(String text) {
    clearStatus();
    out.println(text);
    out.flush();
  }

  /** A status that replaces the previous one on a terminal; printed as a line otherwise. */
  synchronized void status(String text) {
    if (terminal) {
      out.print("\r\033[2K" + text.replace("\n", "\n\033[2K"));
      out.flush();
      statusShown = true;
    } else {
      out.println(text);
    }
  }

  private void clearStatus() {
    if (statusShown) {
      out.print("\r\033[2K");
      statusShown = false;
    }
  }
}
