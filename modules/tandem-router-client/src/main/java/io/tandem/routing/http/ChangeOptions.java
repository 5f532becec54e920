package io.tandem.routing.http;

import java.util.Objects;

/**
 * What every change carries: why (required, recorded in the audit log with who did it), optionally the
 * version it was decided on (the router refuses it if the routing moved on), and whether to force it
 * past a refusing promotion gate (admin tokens only; recorded in the audit log).
 */
public record ChangeOptions(String reason, Long expectedVersion, boolean force) {
  public ChangeOptions {
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a change needs a reason");
    }
    if (expectedVersion != null && expectedVersion < 0) {
      throw new IllegalArgumentException("expected version must be 0 or more, was " + expectedVersion);
    }
  }

  /** A change for this reason, at whatever version the routing is, not forced. */
  public static ChangeOptions because(String reason) {
    return new ChangeOptions(reason, null, false);
  }

  /** Applied only if the routing is still at {@code version}. */
  public ChangeOptions atVersion(long version) {
    return new ChangeOptions(reason, version, force);
  }

  /** Past a refusing promotion gate. */
  public ChangeOptions forced() {
    return new ChangeOptions(reason, expectedVersion, true);
  }
}
