package io.tandem.app.dlq;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code tandem dlq list|show|replay}: the dead letters of every stage (docs/operations in README, "Dead
 * letters"): how many and why, what they hold, and putting them back through the pipeline after a fix.
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
    description = {"Dead letters of every stage: list them, show them, and replay them after a fix.",
        "Stages: capture, transform, sink and, with coexistence, capture-new, reverse, sink-legacy."},
    subcommands = {ListDlqCommand.class, ShowDlqCommand.class, ReplayDlqCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:refused (by the router, or nothing can be replayed as asked)",
        "2:invalid configuration or command line: nothing read or changed",
        "3:Kafka or the router unreachable, or the replay failed part-way (see its output)"})
public final class DlqCommand implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_REFUSED = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILED = 3;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
