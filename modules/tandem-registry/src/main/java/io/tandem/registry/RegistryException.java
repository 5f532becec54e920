package io.tandem.registry;

/**
 * An error answered by a schema registry, carrying its HTTP status and Confluent error code
 * (for example 404 / 40401 "Subject not found"). 4xx errors are never retried.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final int errorCode;

  public RegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public RegistryException(int status, int errorCode, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  /** Server-side or transport trouble that may pass; client errors (4xx) will not. */
  public boolean retriable() {
    return status >= 500 || status == 429 || status == 0;
  }

  @Override
  public String getMessage() {
    return super.getMessage() + " (HTTP " + status + ", error code " + errorCode + ")";
  }

  /** The registry's message alone, without the status suffix. */
  public String registryMessage() {
    return super.getMessage();
  }
}
