package io.tandem.routing.api;

import io.tandem.routing.Cohort;

/**
 * The answer to a change the router applied: the version it created, the changed cohort as it is now
 * (null for a delete or a rollback, or when the answer holds one this client cannot read: the change
 * was applied either way) and, for a rollback, the version whose routing was restored (else null).
 * {@code switchId}: the change moves some keys' writes and was begun as a fenced write switch (the cohort
 * keeps its phase until the switch completes); null for a change applied at once.
 */
public record ChangeResult(long version, Cohort cohort, Long restored, String switchId) {

  public ChangeResult(long version, Cohort cohort, Long restored) {
    this(version, cohort, restored, null);
  }
}
