package io.tandem.registry.server;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** A log that lives and dies with the JVM. For unit tests only: nothing survives a restart. */
final class InMemorySchemaLog implements SchemaLog {
  private Consumer<LogRecord> applier;

  @Override
  public synchronized void start(Consumer<LogRecord> applier, Duration timeout) {
    this.applier = applier;
  }

  @Override
  public void acquireWriter(Duration timeout) {}

  @Override
  public void catchUp(Duration timeout) {}

  @Override
  public synchronized void append(List<LogRecord> records, Duration timeout) {
    records.forEach(applier);
  }

  @Override
  public String describe() {
    return "memory (not persisted; for tests only)";
  }

  @Override
  public void close() {}
}
