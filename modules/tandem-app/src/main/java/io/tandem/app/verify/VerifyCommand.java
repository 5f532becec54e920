package io.tandem.app.verify;

import java.util.Set;
import io.tandem.core.config.ConfigException;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.TandemConfig;
import io.tandem.verify.Difference;
import io.tandem.verify.EntityResult;
import io.tandem.verify.EntityVerifier;
import io.tandem.verify.Repair;
import io.tandem.verify.VerificationReport;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifyException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem verify}: one pass comparing legacy and new through the mappings (docs/verify.md), a
 * progress bar on stderr, a summary (or {@code --json}) on stdout, the outcome published to the
 * status topic for the router's promotion gates.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Compare legacy and new rows through the same mappings the pipeline runs, chunk by chunk; "
        + "re-check differences after the replication lag; report by entity and cohort (docs/verify.md)."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:clean: no differences", "1:differences found (or left unsettled)",
        "2:invalid configuration or command line", "3:could not verify (a database or Kafka unreachable, ...)"})
public final class VerifyCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyCommand.class);

  public static final int EXIT_CLEAN = 0;
  public static final int EXIT_DIFFERENCES = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_FAILED = 3;
  private static final int LISTED = 20;

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Verify only this entity (repeatable; default: all).")
  List<String> entities;

  @Option(names = "--cohort", paramLabel = "COHORT",
      description = "Count only keys the router puts in this cohort (the pass still reads every row).")
  String cohort;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to FILE.")
  Path report;

  @Option(names = "--json", description = "Print the JSON report instead of the summary.")
  boolean json;

  @Option(names = "--show-values", description = "Put the differing values in the report (they may be personal data).")
  boolean showValues;

  @Option(names = "--reveal-sensitive", description = "With --show-values, also show the values of sensitive fields"
      + " (mapping 'sensitive'/'protect'; otherwise " + io.tandem.verify.VerifyOptions.SENSITIVE + "). Needs --reason"
      + " and a router that checks the admin role and audits it.")
  boolean revealSensitive;

  @Option(names = "--no-publish", negatable = false,
      description = "Do not publish the outcome to the status topic (the promotion gates then do not see it).")
  boolean noPublish;

  @Option(names = "--no-progress", description = "No progress bar on stderr.")
  boolean noProgress;

  @Option(names = "--repair", description = "Put each difference right through the pipeline (re-emit the legacy "
      + "rows; delete extra rows), wait until they arrive, then verify again.")
  boolean repair;

  @Option(names = "--reason", paramLabel = "TEXT",
      description = "Why --repair repairs or --reveal-sensitive reveals (required with them; recorded in the router's"
          + " audit).")
  String reason;

  @picocli.CommandLine.Mixin
  io.tandem.app.OperatorAudit audit;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--repair-timeout", defaultValue = "120s", converter = io.tandem.app.DurationConverter.class,
      paramLabel = "DURATION", description = "How long --repair waits for repaired rows (default: ${DEFAULT-VALUE}).")
  java.time.Duration repairTimeout = java.time.Duration.ofSeconds(120);

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public VerifyCommand() {
    this(System.getenv(), System.out, System.err);
  }

  public VerifyCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (repair) {
      // An operator action: who may repair is checked, and the repair audited, through the router.
      if (reason == null || reason.isBlank() || reason.length() > 1000) {
        err.println("tandem verify: --repair needs --reason (1 to 1000 characters): why the rows are repaired, "
            + "recorded in the router's audit");
        return EXIT_USAGE;
      }
      try {
        audit.check(spec.commandLine(), "tandem verify --repair");
      } catch (picocli.CommandLine.ParameterException e) {
        err.println("tandem verify: " + e.getMessage());
        return EXIT_USAGE;
      }
    }
    if (revealSensitive) {
      Integer refused = revealAllowed();
      if (refused != null) {
        return refused;
      }
    }
    Verifier verifier;
    String statusTopic;
    io.tandem.kafka.KafkaClients kafka;
    boolean coexistence;
    try {
      Deployment deployment = Deployment.plan(TandemConfig.load(config, env), Set.of(ComponentName.VERIFY),
          env);
      verifier = new Verifier(deployment.verifierSetup(deployment.registryClient(null)));
      verifier.select(entities);
      statusTopic = deployment.config().verify().statusTopic();
      kafka = deployment.config().kafka().clients();
      coexistence = deployment.config().coexistence().isPresent();
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("tandem verify: " + e.getMessage());
      return EXIT_USAGE;
    }
    VerificationReport result;
    Verifier.Request request = new Verifier.Request(entities, cohort, showValues, !noPublish, revealSensitive);
    EntityVerifier.Progress progress = noProgress ? EntityVerifier.Progress.NONE : new ProgressBar(err);
    try {
      result = verifier.pass(request, progress, Clock.systemUTC());
      if (repair && !result.clean()) {
        if (!json) {
          out.print(summary(result, null));
        }
        java.io.PrintWriter auditErr = new java.io.PrintWriter(err, true);
        io.tandem.app.OperatorAudit.Outcome recorded = audit.record(spec.commandLine(), "verify-repair",
            entities != null && entities.size() == 1 ? entities.get(0) : null, "entities="
                + (entities == null || entities.isEmpty() ? "all" : String.join(",", entities))
                + (cohort == null ? "" : " cohort=" + cohort) + " differences=" + result.differences(),
            result.differences(), reason, auditErr);
        auditErr.flush();
        if (recorded instanceof io.tandem.app.OperatorAudit.Outcome.Refused refused) {
          if (json) {
            out.println(result.toJson());
          }
          return refused.exitCode() == 1 ? EXIT_DIFFERENCES : EXIT_FAILED;
        }
        long started = System.nanoTime();
        List<Repair.Outcome> outcomes = verifier.repair(result, repairTimeout, Clock.systemUTC());
        (json ? err : out).print(repairSummary(outcomes, (System.nanoTime() - started) / 1e9));
        result = verifier.pass(request, progress, Clock.systemUTC());
        if (!json) {
          out.println("After repair:");
        }
      }
    } catch (VerifyException e) {
      err.println("tandem verify: " + e.getMessage());
      return e.badRequest() ? EXIT_USAGE : EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("tandem verify: interrupted");
      return EXIT_FAILED;
    } catch (RuntimeException e) {
      LOG.error("tandem verify failed", e);
      err.println("tandem verify: " + e.getMessage());
      return EXIT_FAILED;
    }
    if (report != null) {
      try {
        Files.writeString(report, result.toJson(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        err.println("tandem verify: cannot write the report to " + report + ": " + e.getMessage());
        return EXIT_FAILED;
      }
    }
    if (json) {
      out.println(result.toJson());
    } else {
      out.print(summary(result, noPublish ? null : statusTopic));
      if (coexistence) {
        out.print(conflicts(kafka));
      }
    }
    out.flush();
    return result.clean() ? EXIT_CLEAN : EXIT_DIFFERENCES;
  }

  /** The operator's summary. */
  /**
   * The conflicts recorded on {@code tandem.conflicts} (writes on the side that did not own the key, not
   * applied; docs/coexistence.md): how many per entity and the latest one. They leave both sides equal, so
   * they do not make a pass unclean, but each is a write someone made that was not carried across.
   */
  static String conflicts(io.tandem.kafka.KafkaClients kafka) {
    Map<String, long[]> counts = new java.util.TreeMap<>();
    Map<String, String> latest = new java.util.HashMap<>();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    try {
      io.tandem.kafka.TopicFollower.readToEnd(kafka, List.of(io.tandem.sink.JdbcSink.CONFLICT_TOPIC),
          java.time.Duration.ofSeconds(30), record -> {
            try {
              com.fasterxml.jackson.databind.JsonNode conflict = json.readTree(record.value());
              String entity = conflict.path("entity").asText("?");
              counts.computeIfAbsent(entity, e -> new long[1])[0]++;
              latest.put(entity, "key " + conflict.path("key").asText() + " written on "
                  + conflict.path("writtenOn").asText() + " while " + conflict.path("owner").asText()
                  + " owned it (routing version " + conflict.path("routingVersion").asLong() + ", "
                  + conflict.path("detectedAt").asText() + ")");
            } catch (java.io.IOException | RuntimeException e) {
              counts.computeIfAbsent("(unreadable)", x -> new long[1])[0]++;
            }
          });
    } catch (RuntimeException e) {
      return "Conflicts: cannot read " + io.tandem.sink.JdbcSink.CONFLICT_TOPIC + ": " + e.getMessage() + "\n";
    }
    if (counts.isEmpty()) {
      return "Conflicts: none recorded on " + io.tandem.sink.JdbcSink.CONFLICT_TOPIC + ".\n";
    }
    StringBuilder text = new StringBuilder("Conflicts recorded on " + io.tandem.sink.JdbcSink.CONFLICT_TOPIC
        + " (writes on the side that did not own the key, not carried across; docs/coexistence.md):\n");
    counts.forEach((entity, count) -> text.append(String.format(Locale.ROOT, "  %s: %,d, latest %s%n", entity,
        count[0], latest.getOrDefault(entity, "-"))));
    return text.toString();
  }

  /**
   * Personal data is shown only to an admin, and the router records who saw it and why before anything is
   * read; null when allowed, else the exit code.
   */
  private Integer revealAllowed() {
    if (!showValues) {
      err.println("tandem verify: --reveal-sensitive needs --show-values");
      return EXIT_USAGE;
    }
    if (reason == null || reason.isBlank() || reason.length() > 1000) {
      err.println("tandem verify: --reveal-sensitive needs --reason (1 to 1000 characters): why personal data is"
          + " shown, recorded in the router's audit");
      return EXIT_USAGE;
    }
    if (!audit.audited()) {
      err.println("tandem verify: --reveal-sensitive needs --router and an admin token: only an admin may see"
          + " sensitive values, and the router records that one did (--unaudited cannot check a role)");
      return EXIT_USAGE;
    }
    try {
      audit.check(spec.commandLine(), "tandem verify --reveal-sensitive");
    } catch (picocli.CommandLine.ParameterException e) {
      err.println("tandem verify: " + e.getMessage());
      return EXIT_USAGE;
    }
    java.io.PrintWriter auditErr = new java.io.PrintWriter(err, true);
    io.tandem.app.OperatorAudit.Outcome recorded = audit.record(spec.commandLine(), "reveal-sensitive",
        entities != null && entities.size() == 1 ? entities.get(0) : null, "entities="
            + (entities == null || entities.isEmpty() ? "all" : String.join(",", entities)), 0, reason, auditErr);
    auditErr.flush();
    if (recorded instanceof io.tandem.app.OperatorAudit.Outcome.Refused refused) {
      return refused.exitCode() == 1 ? EXIT_USAGE : EXIT_FAILED;
    }
    return null;
  }

  static String summary(VerificationReport report, String publishedTo) {
    StringBuilder text = new StringBuilder();
    for (EntityResult result : report.entities()) {
      double seconds = result.duration().toMillis() / 1000.0;
      text.append(String.format(Locale.ROOT, "%s%s: %,d rows checked (%,d read) in %.1f s, %,.0f rows/s, routing version"
          + " %d: %s%n", result.entity(), result.cohort() == null ? "" : " [cohort " + result.cohort() + "]",
          result.rowsChecked(), result.rowsRead(), seconds, seconds == 0 ? 0.0 : result.rowsRead() / seconds,
          result.routingVersion(), result.clean() ? "CLEAN" : (result.differences().size() + " DIFFERENCES"
              + (result.unsettled().isEmpty() ? "" : ", " + result.unsettled().size() + " UNSETTLED"))));
      if (result.rechecked() > 0) {
        text.append(String.format(Locale.ROOT, "  re-checked %d after the lag: %d cleared (changes in flight)%n",
            result.rechecked(), result.cleared()));
      }
      if (!result.differences().isEmpty()) {
        text.append(String.format(Locale.ROOT, "  missing %d, extra %d, different %d, unmappable %d; dead-lettered %d%n",
            result.count(Difference.Kind.MISSING), result.count(Difference.Kind.EXTRA),
            result.count(Difference.Kind.DIFFERENT), result.count(Difference.Kind.UNMAPPABLE),
            result.differences().stream().filter(Difference::deadLettered).count()));
        result.differences().stream().limit(LISTED).forEach(d -> text.append("    ").append(line(d)).append('\n'));
        if (result.differences().size() > LISTED) {
          text.append("    ... ").append(result.differences().size() - LISTED).append(" more in the JSON report\n");
        }
      }
      if (!result.unsettled().isEmpty()) {
        text.append("  unsettled (legacy kept changing through every re-check): ")
            .append(String.join(", ", result.unsettled().stream().limit(LISTED).toList())).append('\n');
      }
      result.byCohort().forEach((name, tally) -> {
        if (name != null) {
          text.append(String.format(Locale.ROOT, "  cohort %s: %,d rows, %s%n", name, tally.rowsChecked(),
              tally.clean() ? "clean" : tally.differences() + " differences"));
        }
      });
    }
    text.append(report.clean() ? "Result: clean." : "Result: " + report.differences() + " differences.");
    if (publishedTo != null) {
      text.append(" Published to ").append(publishedTo).append('.');
    }
    return text.append('\n').toString();
  }

  static String repairSummary(List<Repair.Outcome> outcomes, double seconds) {
    StringBuilder text = new StringBuilder();
    for (Repair.Outcome outcome : outcomes) {
      text.append(String.format(Locale.ROOT, "Repair %s: re-emitted %d legacy row(s) through the pipeline, published %d"
          + " delete(s); %d not repairable; still different after %.1f s: %d%n", outcome.entity(), outcome.reEmitted(),
          outcome.deleted(), outcome.notRepairable().size(), seconds, outcome.remaining().size()));
      if (outcome.advice() != null) {
        text.append("    ").append(outcome.advice()).append('\n');
      }
      outcome.notRepairable().stream().filter(d -> d.kind() == Difference.Kind.UNMAPPABLE).limit(LISTED)
          .forEach(d -> text.append("    ").append(line(d)).append("  (fix the legacy row or the mapping)\n"));
      outcome.remaining().stream().limit(LISTED).forEach(d -> text.append("    still: ").append(line(d)).append('\n'));
    }
    return text.toString();
  }

  private static String line(Difference d) {
    StringBuilder line = new StringBuilder();
    line.append(d.key()).append("  ").append(d.kind().name().toLowerCase(Locale.ROOT));
    if (!d.fields().isEmpty()) {
      line.append(": ");
      for (int i = 0; i < d.fields().size(); i++) {
        String field = d.fields().get(i);
        line.append(i == 0 ? "" : ", ").append(field);
        if (d.expected().containsKey(field)) {
          line.append(" (legacy→").append(d.expected().get(field)).append(", new ").append(d.actual().get(field))
              .append(')');
        }
      }
    }
    if (d.cohort() != null) {
      line.append("  [").append(d.cohort()).append(']');
    }
    if (d.reason() != null) {
      line.append("  ").append(d.reason());
    }
    if (d.deadLettered()) {
      line.append("  (dead-lettered)");
    }
    return line.toString();
  }

  /** A bar per entity on stderr: redrawn on a terminal, a line per 10 % elsewhere. */
  static final class ProgressBar implements EntityVerifier.Progress {
    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private String entity;
    private int lastTenth = -1;

    ProgressBar(PrintStream err) {
      this.err = err;
    }

    @Override
    public synchronized void chunkDone(String entity, long rowsRead, long estimatedRows) {
      if (!entity.equals(this.entity)) {
        if (this.entity != null && terminal) {
          err.println();
        }
        this.entity = entity;
        lastTenth = -1;
      }
      double fraction = estimatedRows <= 0 ? 0 : Math.min(1, (double) rowsRead / estimatedRows);
      int filled = (int) Math.round(fraction * 30);
      String bar = String.format(Locale.ROOT, "%-16s [%s%s] %,d / ~%,d rows", entity, "#".repeat(filled),
          ".".repeat(30 - filled), rowsRead, estimatedRows);
      if (terminal) {
        err.print("\r\033[2K" + bar);
        err.flush();
      } else if ((int) (fraction * 10) > lastTenth) {
        lastTenth = (int) (fraction * 10);
        err.println(bar);
      }
    }
  }
}
