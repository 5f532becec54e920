package io.tandem.verify;

/** A verification that cannot run as configured; the message names the entity and what is wrong. */
public final class VerifyException extends RuntimeException {
  public VerifyException(String message) {
    super(message);
  }

  public VerifyException(String message, Throwable cause) {
    super(message, cause);
  }
}
