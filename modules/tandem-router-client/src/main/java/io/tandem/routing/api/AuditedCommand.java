package io.tandem.routing.api;

import io.tandem.routing.Command;
import io.tandem.routing.ProposalCodec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A command as the audit shows it. {@code command} is the typed command, or null when this client does
 * not know its type (a newer router's); {@code type}, {@code entity}, {@code cohort} and {@code details}
 * (every other field, in the router's order, as text: {@code phase=SHADOW}, a selector as JSON) are
 * there either way, so any audit entry can be shown.
 *
 * @param entity null for a rollback of the whole routing
 * @param cohort null when the command names none
 */
public record AuditedCommand(String type, String entity, String cohort, Map<String, String> details,
    Command command) {
  public AuditedCommand {
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** What a client reads for {@code command}, as the router encodes it. */
  public static AuditedCommand of(Command command) {
    return ApiCodec.auditedCommand(ProposalCodec.command(command));
  }
}
