package io.tandem.router.api;

/** What a token may do; each role may do everything the ones before it may. */
public enum Role {
  /** Read decisions, cohorts, the audit log and shadow mismatches. */
  VIEWER,
  /** Change cohorts: create, set percentage, promote, demote, delete, roll back. */
  OPERATOR,
  /** Everything, including overriding promotion gates (with a reason, audited). */
  ADMIN;

  public boolean allows(Role required) {
    return ordinal() >= required.ordinal();
  }
}
