package io.tandem.routing.status;

import io.tandem.core.lifecycle.LifecycleComponent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Publishes the mapping a running transform applies to each entity ({@code mapping/<entity>}): at start,
 * then again every few minutes (so a status topic that lost it, or a router that started reading late,
 * still learns it). The promotion gates compare it with the mapping of the latest clean verification.
 */
public final class MappingVersionReporter extends LifecycleComponent {
  private final Map<String, String> fingerprints;
  private final PeriodicPublisher publisher;
  private final Clock clock;
  private final Duration every;
  private Instant since;

  /** @param fingerprints entity → fingerprint of its mapping and schema, as the transform loaded them */
  public MappingVersionReporter(Map<String, String> fingerprints, Supplier<StatusPublisher> publisher, Clock clock,
      Duration every) {
    super("mapping-versions");
    this.fingerprints = Map.copyOf(fingerprints);
    this.publisher = new PeriodicPublisher(lifecycle, "tandem-" + name(), "the running mappings", publisher);
    this.clock = clock;
    this.every = every;
  }

  @Override
  public void start() {
    since = clock.instant();
    publisher.start(Duration.ZERO, every, this::report);
  }

  @Override
  public String status() {
    return state() + "  mapping/<entity> for " + new java.util.TreeMap<>(fingerprints);
  }

  private List<StatusRecord.MappingVersion> report() {
    List<StatusRecord.MappingVersion> records = new ArrayList<>();
    fingerprints.forEach((entity, fingerprint) -> records.add(new StatusRecord.MappingVersion(entity, fingerprint,
        since)));
    return records;
  }

  @Override
  public void close() {
    publisher.close();
  }
}
