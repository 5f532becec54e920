package io.tandem.router.gate;

import io.tandem.routing.status.StatusRecord;
import java.util.Optional;

/** The newest status facts the promotion gate relies on (the status topic, as a replica has read it). */
public interface StatusView {
  /** The newest verification pass of {@code entity} restricted to {@code cohort} ({@code *}: entity-wide). */
  Optional<StatusRecord.Verification> verification(String entity, String cohort);

  /** The newest replication-lag report of {@code entity} from the sink (legacy commit → visible). */
  Optional<StatusRecord.Lag> lag(String entity);

  /** The newest lag report of {@code entity} from capture (its liveness: silence beyond its heartbeats). */
  Optional<StatusRecord.Lag> captureLag(String entity);

  /** The newest lag report of {@code entity} from {@code source} (e.g. {@link StatusRecord.Lag#REVERSE_SINK}). */
  Optional<StatusRecord.Lag> lag(String entity, String source);

  /** The mapping a running transform applies to {@code entity}, if one published it. */
  default Optional<StatusRecord.MappingVersion> mapping(String entity) {
    return Optional.empty();
  }

  /** Why the facts cannot be trusted right now (the follower stopped, or has not caught up), if so. */
  Optional<String> problem();
}
