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
  record Plan(Deployment.LegacyRead legacy, List<MappedEntity> entities, List<Part> parts) {
    Plan(Deployment.LegacyRead legacy, List<MappedEntity> entities) {
      this(legacy, entities, List.of(new Part(legacy, entities)));
    }
  }

  /**
   * One legacy source and what the chosen entities read of it: a merged entity's mappings each become an
   * entity of their own source here (its columns are in that source's catalog).
   */
  record Part(Deployment.LegacyRead legacy, List<MappedEntity> entities) {}

  private static List<Part> parts(Deployment deployment, List<MappedEntity> entities) {
    java.util.Map<String, List<MappedEntity>> bySource = new java.util.LinkedHashMap<>();
    bySource.put(io.tandem.core.mapping.MergeRule.PRIMARY_SOURCE, new java.util.ArrayList<>());
    for (MappedEntity entity : entities) {
      for (io.tandem.core.mapping.Mapping mapping : entity.sources()) {
        bySource.computeIfAbsent(mapping.legacySource(), s -> new java.util.ArrayList<>())
            .add(new MappedEntity(mapping, entity.schema()));
      }
    }
    List<Part> parts = new java.util.ArrayList<>();
    bySource.forEach((source, mapped) -> {
      if (!mapped.isEmpty()) {
        parts.add(new Part(deployment.legacyRead(source), mapped));
      }
    });
    return parts;
  }

  /** The plan, or null after printing why not. */
  Plan plan(Map<String, String> env, PrintStream err, String command) {
    try {
      Deployment deployment = Deployment.plan(TandemConfig.load(config, env), Set.of(ComponentName.VERIFY), env);
      List<MappedEntity> chosen = Verifier.select(deployment.model().entities(), entities);
      return new Plan(deployment.legacyRead(), chosen, parts(deployment, chosen));
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
