package io.tandem.kafka;

/** A topic could not be created or checked: Kafka unreachable in time, refused, or an existing topic unfit. */
public final class TopicException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean timedOut;

  TopicException(String message, Throwable cause, boolean timedOut) {
    super(message, cause);
    this.timedOut = timedOut;
  }

  /** True when Kafka did not answer in time (worth retrying later); false when it refused or a topic is unfit. */
  public boolean timedOut() {
    return timedOut;
  }
}
