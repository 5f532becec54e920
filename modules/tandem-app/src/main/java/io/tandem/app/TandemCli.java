package io.tandem.app;

import io.tandem.app.cohort.CohortCommand;
import io.tandem.app.demo.DemoCommand;
import io.tandem.app.verify.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command. */
@Command(name = "tandem", mixinStandardHelpOptions = true, versionProvider = TandemCli.Version.class,
    description = "Moves a live system's customers from a legacy database to a new one: no downtime, no lost data.",
    subcommands = {DemoCommand.class, RunCommand.class, VerifyCommand.class,
        RouterReplicaCommand.class, CohortCommand.class, CommandLine.HelpCommand.class})
public final class TandemCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line as {@link #main} runs it (tests execute it with their own out and err). */
  public static CommandLine commandLine() {
    return new CommandLine(new TandemCli()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = TandemCli.class.getPackage().getImplementationVersion();
      return new String[] {"tandem " + (version == null ? "dev" : version)};
    }
  }
}
