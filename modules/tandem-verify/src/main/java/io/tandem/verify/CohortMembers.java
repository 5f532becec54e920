package io.tandem.verify;

import io.tandem.core.model.MappedEntity;
import io.tandem.routing.RoutingState;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * The customers a cohort holds, for telling them before their data moves ({@code tandem cohort members}): every
 * legacy row of the entity through its mapping, its new key and fields decided against the routing state as the
 * router decides them (rule cohorts read the entity's declared attributes from the row's fields, as the verifier
 * does). Reads legacy in primary-key chunks; holds one chunk at a time.
 */
public final class CohortMembers {
  /** One member: the legacy row's primary key (parts joined by ',') and the new key the router decides on. */
  public record Member(String legacyKey, String newKey) {}

  /** What a listing read: members told, and legacy rows the mapping refuses (in no cohort, but not by choice). */
  public record Tally(long members, long unmappable) {}

  /** Told every member, in legacy primary-key order. */
  public interface Sink {
    void accept(Member member);
  }

  private CohortMembers() {}

  /**
   * @return how many members were told, and how many legacy rows the mapping refused
   * @throws VerifyException when the entity is merged (its members are listed per source: not supported), the
   *     cohort is unknown, or legacy cannot be read
   */
  public static Tally list(Verifier.Setup setup, MappedEntity entity, RoutingState state, String cohort, Sink sink)
      throws InterruptedException {
    if (entity.merge().isPresent()) {
      throw VerifyException.badRequest("entity " + entity.name() + " is merged from several legacy sources: its"
          + " members by source key are in the key map (" + io.tandem.core.mapping.MergeRule.keyMapTopic(entity.name())
          + "); not listed here");
    }
    if (state.entity(entity.name()).flatMap(e -> e.cohort(cohort)).isEmpty()) {
      throw VerifyException.badRequest("entity " + entity.name() + " has no cohort '" + cohort + "' at routing"
          + " version " + state.version());
    }
    CohortResolver cohorts = CohortResolver.of(state);
    EntityPlan plan;
    try (Connection legacy = setup.legacy().open(); Connection fresh = setup.fresh().open()) {
      plan = EntityPlan.prepare(legacy, fresh, entity.mapping(), entity.schema(), entity.name());
    } catch (SQLException e) {
      throw new VerifyException("entity " + entity.name() + ": cannot read the legacy or new catalog: "
          + e.getMessage(), e);
    }
    VerifyOptions options = setup.settings().options(false, null);
    LegacyReader reader = new LegacyReader(plan, setup.legacy(), options);
    RowMapper mapper = new RowMapper(plan);
    long[] tally = new long[2]; // members, unmappable
    try {
      reader.forEachChunk(java.util.concurrent.ForkJoinPool.commonPool(), rows -> {
        for (LegacyRow row : rows) {
          RowMapper.Mapped mapped = mapper.map(row);
          GenericRecord record = mapped.record();
          if (record == null) {
            tally[1] += mapped.error() != null ? 1 : 0;
            continue; // filtered out or unmappable: not in the new model, so in no cohort
          }
          String[] canonical = mapper.canonicalOf(record);
          String key = mapper.keyTextOf(record);
          Map<String, String> fields = new HashMap<>();
          for (int i = 0; i < canonical.length; i++) {
            fields.put(plan.fields.get(i).name(), canonical[i]);
          }
          if (cohort.equals(cohorts.cohortOf(entity.name(), key, fields))) {
            tally[0]++;
            sink.accept(new Member(mapper.keyText(reader.bindKey(row)), key));
          }
        }
      });
    } catch (SQLException e) {
      throw new VerifyException("entity " + entity.name() + ": reading legacy: " + e.getMessage(), e);
    }
    return new Tally(tally[0], tally[1]);
  }
}
