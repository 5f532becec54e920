package io.tandem.app;

import io.tandem.app.cohort.CohortCommand;
import io.tandem.app.dlq.DlqCommand;
import io.tandem.app.inventory.AuditCommand;
import io.tandem.app.inventory.InventoryCommand;
import io.tandem.app.verify.ResnapshotCommand;
import io.tandem.app.verify.VerifyCommand;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tandem} command. */
@Command(name = "tandem", mixinStandardHelpOptions = true, versionProvider = TandemCli.Version.class,
    description = "Moves a live system's customers from a legacy database to a new one: no downtime, no lost data.",
    subcommands = {RunCommand.class, VerifyCommand.class, RouterReplicaCommand.class, CohortCommand.class,
        DlqCommand.class, InventoryCommand.class, AuditCommand.class, ResnapshotCommand.class,
        io.tandem.app.status.StatusCommand.class,
        CommandLine.HelpCommand.class})
public final class TandemCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // The binlog client logs through java.util.logging straight to the console; route it to the log file.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    CommandLine cli = commandLine();
    if (args.length > 0 && args[0].equals("demo") && !cli.getSubcommands().containsKey("demo")) {
      System.err.println("tandem demo ships in tandem-demo.jar (with the embedded stack), not in tandem.jar: from a "
          + "checkout, run ./tandem demo after ./mvnw -B -q install -DskipTests");
      System.exit(2);
    }
    System.exit(cli.execute(args));
  }

  /** The command line as {@link #main} runs it, with the extensions on the classpath (tests execute it too). */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TandemCli()).setCaseInsensitiveEnumValuesAllowed(true);
    for (CliExtension extension : ServiceLoader.load(CliExtension.class)) {
      cli.addSubcommand(extension.name(), extension.command());
    }
    return cli;
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
