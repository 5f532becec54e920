package io.tandem.routing.api;

import java.util.List;

/**
 * {@code GET /v1/audit}: the latest routing-log records, oldest first, and the routing version when
 * they were read (null if the router did not say).
 */
public record AuditPage(Long version, List<AuditRecord> entries) {
  public AuditPage {
    entries = List.copyOf(entries);
  }
}
