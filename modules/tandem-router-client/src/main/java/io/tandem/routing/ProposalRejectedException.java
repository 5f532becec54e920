package io.tandem.routing;

/** A proposal the state machine refuses; every replica refuses it the same way. */
public final class ProposalRejectedException extends Exception {
  private final Rejection rejection;

  public ProposalRejectedException(Rejection rejection, String message) {
    super(message, null, false, false);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }
}
