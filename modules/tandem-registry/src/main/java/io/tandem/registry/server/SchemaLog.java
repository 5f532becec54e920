package io.tandem.registry.server;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Where the registry's log lives: a compacted Kafka topic, or memory for unit tests. */
interface SchemaLog extends AutoCloseable {

  /** Replays the whole log into {@code applier}, then keeps following it. Returns once replayed. */
  void start(Consumer<LogRecord> applier, Duration timeout);

  /**
   * Makes this instance the log's only writer (fencing any other instance that wrote before), so
   * that the state read after the next {@link #catchUp} cannot be overtaken by another writer
   * without the next {@link #append} failing with {@link LogConflictException}.
   */
  void acquireWriter(Duration timeout) throws LogConflictException;

  /** Returns once every record committed before the call has been applied. */
  void catchUp(Duration timeout);

  /** Appends records atomically and returns once they have been applied locally. */
  void append(List<LogRecord> records, Duration timeout) throws LogConflictException;

  /** Human-readable description for logs and status, e.g. "kafka topic _schemas". */
  String describe();

  @Override
  void close();

  /** Another instance took over writing; re-read the log and try again. */
  final class LogConflictException extends Exception {
    private static final long serialVersionUID = 1L;

    LogConflictException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
