package io.tandem.app.inventory;

import io.tandem.core.config.ConfigException;
import io.tandem.core.model.MappedEntity;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.TandemConfig;
import io.tandem.verify.Verifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** What {@code tandem inventory} and {@code tandem audit} share: the config, the entities, the output. */
final class LegacyReadOptions {
  static final int EXIT_OK = 0;
  static final int EXIT_GAPS = 1;
  static final int EXIT_USAGE = 2;
  static final int EXIT_FAILED = 3;

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Only this entity (repeatable; default: all).")
  List<String> entities;

  @Option(names = "--json", description = "JSON instead of Markdown.")
  boolean json;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
  Path output;

  /** The legacy database and the chosen entities, as the verifier reads them. */
  record Plan(Deployment.LegacyRead legacy, List<MappedEntity> entities) {}

  /** The plan, or null after printing why not. */
  Plan plan(Map<String, String> env, PrintStream err, String command) {
    try {
      Deployment deployment = Deployment.plan(TandemConfig.load(config, env), Set.of(ComponentName.VERIFY), env);
      return new Plan(deployment.legacyRead(), Verifier.select(deployment.model().entities(), entities));
    } catch (ConfigException e) {
      err.println(e.getMessage());
    } catch (IllegalArgumentException e) {
      err.println(command + ": " + e.getMessage());
    }
    return null;
  }

  /** Writes the report; false after printing why it could not. */
  boolean write(String report, PrintStream out, PrintStream err, String command) {
    if (output == null) {
      out.print(report.endsWith("\n") ? report : report + "\n");
      return true;
    }
    try {
      Files.writeString(output, report);
      err.println(command + ": written to " + output);
      return true;
    } catch (IOException e) {
      err.println(command + ": cannot write " + output + ": " + e.getMessage());
      return false;
    }
  }
}
