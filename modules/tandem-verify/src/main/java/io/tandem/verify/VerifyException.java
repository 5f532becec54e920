package io.tandem.verify;

/** A verification that cannot run as configured; the message names the entity and what is wrong. */
public final class VerifyException extends RuntimeException {
  private final boolean badRequest;

  public VerifyException(String message) {
    this(message, null, false);
  }

  public VerifyException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private VerifyException(String message, Throwable cause, boolean badRequest) {
    super(message, cause);
    this.badRequest = badRequest;
  }

  /** The request names something that does not exist (an unknown cohort): the caller's input is wrong. */
  public static VerifyException badRequest(String message) {
    return new VerifyException(message, null, true);
  }

  public boolean badRequest() {
    return badRequest;
  }
}
