package io.tandem.app.inventory;

import io.tandem.verify.DataAudit;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tandem audit}: profiles legacy data before it moves (docs/mappings.md). */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Profile the legacy rows of the mapped tables before moving them: per column the null rate and"
        + " distinct values (listed for low-cardinality columns that are not sensitive), per table how many rows"
        + " the mapping migrates, filters out or refuses, with the refusals counted per reason."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:profiled, nothing refused", "1:the mapping would refuse some rows",
        "2:invalid configuration or command line", "3:a legacy table could not be read"})
public final class AuditCommand implements Callable<Integer> {
  @Mixin
  LegacyReadOptions options;

  @Option(names = "--limit", defaultValue = "100000", paramLabel = "ROWS",
      description = "Read at most ROWS rows per table, in the order the database returns them (default: ${DEFAULT-VALUE}).")
  long limit = 100_000;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public AuditCommand() {
    this(System.getenv(), System.out, System.err);
  }

  public AuditCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    if (limit < 1 || limit > 1_000_000_000L) {
      err.println("tandem audit: --limit must be between 1 and 1000000000, not " + limit);
      return LegacyReadOptions.EXIT_USAGE;
    }
    LegacyReadOptions.Plan plan = options.plan(env, err, "tandem audit");
    if (plan == null) {
      return LegacyReadOptions.EXIT_USAGE;
    }
    DataAudit audit = null;
    for (LegacyReadOptions.Part part : plan.parts()) { // one part per legacy source (merged entities read several)
      DataAudit read = DataAudit.run(part.legacy().connector(), part.legacy().description(), part.entities(), limit);
      audit = audit == null ? read : audit.and(read);
    }
    if (!options.write(options.json ? audit.toJson() : audit.toMarkdown(), out, err, "tandem audit")) {
      return LegacyReadOptions.EXIT_FAILED;
    }
    if (audit.tables().stream().anyMatch(t -> t.error() != null)) {
      return LegacyReadOptions.EXIT_FAILED;
    }
    return audit.tables().stream().anyMatch(t -> t.refusedRows() > 0) ? LegacyReadOptions.EXIT_GAPS
        : LegacyReadOptions.EXIT_OK;
  }
}
