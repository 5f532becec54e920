package io.tandem.app.inventory;

import io.tandem.verify.Inventory;
import io.tandem.verify.VerifyException;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tandem inventory}: every legacy column of the mapped tables and what becomes of it (docs/mappings.md). */
@Command(name = "inventory", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"List every legacy column of the mapped tables: mapped (to which new fields), read by a filter"
        + " only, dropped (deliberately), unmapped (forgotten), sensitive; and mapping problems (columns the table"
        + " lacks, expressions that do not type-check). Reads only the legacy catalog."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed", "1:with --strict: an unmapped column or a problem", "2:invalid configuration or command line",
        "3:the legacy database could not be read"})
public final class InventoryCommand implements Callable<Integer> {
  @Mixin
  LegacyReadOptions options;

  @Option(names = "--strict", description = "Exit 1 when a column is unmapped or a mapping has a problem (for CI).")
  boolean strict;

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public InventoryCommand() {
    this(System.getenv(), System.out, System.err);
  }

  public InventoryCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    LegacyReadOptions.Plan plan = options.plan(env, err, "tandem inventory");
    if (plan == null) {
      return LegacyReadOptions.EXIT_USAGE;
    }
    Inventory inventory;
    try {
      inventory = null;
      for (LegacyReadOptions.Part part : plan.parts()) { // one part per legacy source (merged entities read several)
        Inventory read = Inventory.read(part.legacy().connector(), part.legacy().description(), part.entities());
        inventory = inventory == null ? read : inventory.and(read);
      }
    } catch (VerifyException e) {
      err.println("tandem inventory: " + e.getMessage());
      return LegacyReadOptions.EXIT_FAILED;
    }
    if (!options.write(options.json ? inventory.toJson() : inventory.toMarkdown(), out, err, "tandem inventory")) {
      return LegacyReadOptions.EXIT_FAILED;
    }
    return strict && inventory.hasGaps() ? LegacyReadOptions.EXIT_GAPS : LegacyReadOptions.EXIT_OK;
  }
}
