package io.tandem.verify;

import io.tandem.routing.EntityRouting;
import io.tandem.routing.RoutingState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which router cohort a key belongs to, with the router's own code at one routing version, so a
 * verification's "cohort beta is clean" means the keys the router sends to beta.
 */
public interface CohortResolver {
  /** No routing: every key is in no cohort. */
  CohortResolver NONE = new CohortResolver() {
    @Override
    public String cohortOf(String entity, String key, Map<String, String> fields) {
      return null;
    }

    @Override
    public long routingVersion() {
      return 0;
    }

    @Override
    public boolean knows(String entity, String cohort) {
      return false;
    }
  };

  /**
   * @param key the routing key (the new key's canonical text)
   * @param fields the new row's fields as canonical text: rule cohorts read the entity's declared
   *     attributes from the fields of the same name
   * @return the cohort name, or null when no cohort holds the key
   */
  String cohortOf(String entity, String key, Map<String, String> fields);

  long routingVersion();

  /**
   * Whether new owns the key's writes (its cohort is in NEW): new is then the truth, and fields the reverse
   * mapping does not carry back to legacy cannot be expected to match (docs/coexistence.md).
   */
  default boolean newOwns(String entity, String key) {
    return false;
  }

  boolean knows(String entity, String cohort);

  /** Cohorts of one routing state (for example {@code RoutingClient.state()} when the pass starts). */
  static CohortResolver of(RoutingState state) {
    return new CohortResolver() {
      @Override
      public boolean newOwns(String entity, String key) {
        return state.decide(entity, key).write() == io.tandem.routing.Target.NEW;
      }

      @Override
      public String cohortOf(String entity, String key, Map<String, String> fields) {
        EntityRouting routing = state.entity(entity).orElse(null);
        if (routing == null || routing.cohorts().isEmpty()) {
          return null;
        }
        List<String> declared = routing.attributes();
        Map<String, String> attributes = declared.isEmpty() ? Map.of() : new HashMap<>();
        for (String attribute : declared) {
          String value = fields.get(attribute);
          if (value != null) {
            attributes.put(attribute, value);
          }
        }
        return state.decide(entity, key, attributes).cohort();
      }

      @Override
      public long routingVersion() {
        return state.version();
      }

      @Override
      public boolean knows(String entity, String cohort) {
        return state.entity(entity).flatMap(e -> e.cohort(cohort)).isPresent();
      }
    };
  }
}
