package io.tandem.capture;

import io.tandem.registry.RegistryException;
import io.tandem.registry.Compatibility;
import io.tandem.registry.client.SchemaRegistryClient;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A legacy schema change whose raw schema the registry refuses (a renamed NOT NULL column is a new required
 * field: not backward compatible). Raw topics are Tandem's own: the transform reads every change with the
 * schema it was written with, so their compatibility protects no reader, while a refused version would send
 * every later change of the table to the capture dead-letter topic, which cannot be replayed. So the first
 * refusal sets that subject's level to {@code NONE} and the change is registered again; the mapping then
 * decides what the change means (a refusal there is dead-lettered with the field's name, and replayable).
 * A level an operator set on the subject is respected: then the change is dead-lettered as before.
 */
final class RawSubjects {
  private static final Logger LOG = LoggerFactory.getLogger(RawSubjects.class);
  private static final int CONFLICT = 409;

  private final SchemaRegistryClient registry;

  RawSubjects(SchemaRegistryClient registry) {
    this.registry = registry;
  }

  /** Whether {@code subject} was relaxed after this refusal, so registering again may succeed. */
  boolean relaxAfter(String subject, RuntimeException refusal) {
    Optional<RegistryException> conflict = conflict(refusal);
    if (registry == null || conflict.isEmpty()) {
      return false;
    }
    try {
      Optional<Compatibility> own = registry.compatibility(subject);
      if (own.isPresent()) {
        LOG.warn("The registry refuses the new raw schema of {} ({}), and the subject's own compatibility level {} is"
            + " kept: the table's changes go to the capture dead-letter topic until the level or the table changes",
            subject, conflict.get().registryMessage(), own.get());
        return false;
      }
      registry.setCompatibility(subject, Compatibility.NONE);
    } catch (RegistryException e) {
      LOG.warn("Cannot relax the compatibility of raw subject {}: {}", subject, e.getMessage());
      return false;
    }
    LOG.warn("A legacy schema change is not {} compatible with the raw subject {} ({}): its level is now NONE (the"
        + " transform reads each change with its own schema); check the mapping against the table: tandem inventory",
        "backward", subject, conflict.get().registryMessage());
    return true;
  }

  private static Optional<RegistryException> conflict(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RegistryException registryError && registryError.status() == CONFLICT) {
        return Optional.of(registryError);
      }
    }
    return Optional.empty();
  }
}
