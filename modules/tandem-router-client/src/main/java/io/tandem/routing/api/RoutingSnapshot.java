package io.tandem.routing.api;

import io.tandem.routing.EntityRouting;
import java.util.List;
import java.util.Optional;

/**
 * The routing as the API shows it ({@code GET /v1/entities}): every entity's cohorts in evaluation
 * order, at one version. {@code GET /v1/entities/{entity}/cohorts} gives the same with one entity.
 */
public record RoutingSnapshot(long version, List<EntityRouting> entities) {
  public RoutingSnapshot {
    entities = List.copyOf(entities);
  }

  public Optional<EntityRouting> entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
