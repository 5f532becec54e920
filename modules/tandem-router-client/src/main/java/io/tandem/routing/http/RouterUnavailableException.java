package io.tandem.routing.http;

/**
 * No usable answer: the router could not be reached, did not answer in time, lost the connection, or
 * answered with a body that is not what was asked for. The message says which, naming the router
 * without user info or token.
 */
public final class RouterUnavailableException extends RouterException {
  private final boolean mayHaveArrived;

  RouterUnavailableException(String message, boolean mayHaveArrived) {
    super(message);
    this.mayHaveArrived = mayHaveArrived;
  }

  /** Whether the request may have reached the router, so a change may have been applied: check the audit. */
  public boolean mayHaveArrived() {
    return mayHaveArrived;
  }
}
