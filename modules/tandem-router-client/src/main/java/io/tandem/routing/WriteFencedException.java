package io.tandem.routing;

import java.time.Duration;

/**
 * A write refused because a write switch is moving the key's writes to the other side (or this process's
 * routing view could not catch up with it). Retryable: nothing was written; try again after {@link #retryAfter()}.
 */
public final class WriteFencedException extends RuntimeException {
  private final String entity;
  private final String key;
  private final long version;
  private final Duration retryAfter;

  public WriteFencedException(String entity, String key, long version, Duration retryAfter) {
    super("writes of " + entity + " " + key + " are fenced by a write switch (routing version " + version
        + "); retry after " + retryAfter.toMillis() + " ms");
    this.entity = entity;
    this.key = key;
    this.version = version;
    this.retryAfter = retryAfter;
  }

  public String entity() {
    return entity;
  }

  public String key() {
    return key;
  }

  public long version() {
    return version;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
