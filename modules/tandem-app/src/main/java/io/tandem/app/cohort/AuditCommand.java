package io.tandem.app.cohort;

import io.tandem.routing.GateOutcome;
import io.tandem.routing.api.AuditPage;
import io.tandem.routing.api.AuditRecord;
import io.tandem.routing.api.AuditedCommand;
import io.tandem.routing.http.Answer;
import io.tandem.routing.http.RouterProblemException;
import io.tandem.routing.http.RouterUnavailableException;
import io.tandem.routing.http.RouterHttpClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem cohort audit [--entity E] [--limit N]}: who changed what, when and why; newest last. */
@Command(name = "audit", description = "Show the latest routing changes, applied and rejected, newest last.")
final class AuditCommand extends RouterCommand<AuditPage> {

  @Option(names = "--entity", paramLabel = "ENTITY", description = "Only changes to this entity.")
  String entity;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N entries (default: 50).")
  int limit;

  @Option(names = "--before", paramLabel = "OFFSET", description = "Only entries below this routing-log offset "
      + "(page back with the oldest OFFSET shown).")
  Long before;

  @Override
  void checkArguments() {
    if (limit < 1) {
      throw usageError("--limit must be at least 1, was " + limit);
    }
    if (before != null && before < 0) {
      throw usageError("--before must be 0 or more, was " + before);
    }
  }

  @Override
  Answer<AuditPage> execute(RouterHttpClient client) throws RouterProblemException, RouterUnavailableException {
    return client.audit(limit, entity, before);
  }

  @Override
  void print(AuditPage answer, PrintWriter out) {
    if (answer.entries().isEmpty()) {
      out.println("No audit entries" + (entity == null ? "." : " for " + Text.clean(entity) + "."));
      return;
    }
    Table table = Table.withHeader("OFFSET", "VERSION", "TIME", "ACTOR", "RESULT", "CHANGE", "REASON");
    for (AuditRecord entry : answer.entries()) {
      table.row(entry.offset(), entry.version(), entry.time(), entry.actor(), result(entry), change(entry),
          entry.reason());
    }
    table.print(out);
  }

  /** {@code applied}, or {@code rejected: VERSION_CONFLICT (expected 3, at 4)}. */
  private static String result(AuditRecord entry) {
    if (entry.applied()) {
      return "applied";
    }
    return "rejected" + (entry.rejection() == null ? "" : ": " + entry.rejection())
        + (entry.message() == null ? "" : " (" + entry.message() + ")");
  }

  /** {@code set_phase customer/canary phase=SHADOW [rollback]}. */
  private static String change(AuditRecord entry) {
    AuditedCommand command = entry.command();
    StringBuilder change = new StringBuilder(command == null || command.type() == null ? "?" : command.type());
    if (command != null) {
      if (command.entity() != null) {
        change.append(' ').append(command.entity());
        if (command.cohort() != null) {
          change.append('/').append(command.cohort());
        }
      }
      command.details().forEach((field, value) -> change.append(' ').append(field).append('=').append(value));
    }
    if (entry.rollback()) {
      change.append(" [rollback]");
    }
    GateOutcome gate = entry.gate();
    if (gate != null && gate.forced()) {
      int overridden = gate.overridden().size();
      change.append(" [forced").append(overridden == 0 ? "" : ", " + overridden + " gate condition"
          + (overridden == 1 ? "" : "s") + " overridden").append(']');
    }
    return change.toString();
  }
}
