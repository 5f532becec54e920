package io.tandem.app.verify;

import io.tandem.app.OperatorAudit;
import io.tandem.core.config.ConfigException;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.TandemConfig;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifyException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem resnapshot}: capture reads every row of an entity's legacy table again and sends it through
 * the pipeline (after a mapping change, or to repair an entity wholesale). An operator action, audited.
 */
@Command(name = "resnapshot", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Have capture read every row of an entity's legacy table again and send it through the"
        + " pipeline (e.g. after a mapping change): keys in batches of 1000 through capture's signal table, so a"
        + " re-read never outranks a later change. Rows arrive as capture reaches the signals; tandem verify shows"
        + " when they have. Rows deleted in legacy are not removed from new (tandem verify --repair does that)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:every row asked for", "1:refused by the router", "2:invalid configuration or command line",
        "3:could not ask (a database unreachable, no signal table, ...)"})
public final class ResnapshotCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--entity", required = true, paramLabel = "ENTITY", description = "The entity to read again.")
  String entity;

  @Option(names = "--reason", required = true, paramLabel = "TEXT",
      description = "Why (1 to 1000 characters; recorded in the router's audit).")
  String reason;

  @Mixin
  OperatorAudit audit;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public ResnapshotCommand() {
    this(System.getenv(), System.out, System.err);
  }

  public ResnapshotCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (reason.isBlank() || reason.length() > 1000) {
      err.println("tandem resnapshot: --reason must be 1 to 1000 characters");
      return VerifyCommand.EXIT_USAGE;
    }
    try {
      audit.check(spec.commandLine(), "tandem resnapshot");
    } catch (CommandLine.ParameterException e) {
      err.println("tandem resnapshot: " + e.getMessage());
      return VerifyCommand.EXIT_USAGE;
    }
    Verifier verifier;
    try {
      Deployment deployment = Deployment.plan(TandemConfig.load(config, env), Set.of(ComponentName.VERIFY), env);
      verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
      verifier.select(java.util.List.of(entity));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return VerifyCommand.EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("tandem resnapshot: " + e.getMessage());
      return VerifyCommand.EXIT_USAGE;
    }
    PrintWriter auditErr = new PrintWriter(err, true);
    OperatorAudit.Outcome recorded = audit.record(spec.commandLine(), "resnapshot", entity, "entity=" + entity, 0,
        reason, auditErr);
    auditErr.flush();
    if (recorded instanceof OperatorAudit.Outcome.Refused refused) {
      return refused.exitCode() == 1 ? 1 : VerifyCommand.EXIT_FAILED;
    }
    long started = System.nanoTime();
    try {
      long asked = verifier.resnapshot(entity, n -> {
        if (n % 100_000 == 0) {
          err.println("tandem resnapshot: " + n + " rows asked for");
        }
      });
      out.printf(java.util.Locale.ROOT, "Asked capture to read %d row(s) of %s again (%.1f s); they arrive through"
          + " the pipeline as capture reaches the signals: tandem verify --entity %s shows when they have.%n", asked,
          entity, (System.nanoTime() - started) / 1e9, entity);
      return 0;
    } catch (VerifyException e) {
      err.println("tandem resnapshot: " + e.getMessage());
      return VerifyCommand.EXIT_FAILED;
    }
  }
}
