package io.tandem.verify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.routing.status.StatusRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A verification of one or more entities: what the CLI prints, the JSON report, the status records. */
public record VerificationReport(List<EntityResult> entities) {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public VerificationReport {
    entities = List.copyOf(entities);
  }

  public boolean clean() {
    return entities.stream().allMatch(EntityResult::clean);
  }

  public long differences() {
    return entities.stream().mapToLong(e -> e.differences().size()).sum();
  }

  /**
   * What the promotion gates learn from this report: per entity an entity-wide record (when the pass
   * covered every key) and one per cohort it attributed keys to.
   */
  public List<StatusRecord.Verification> statusRecords() {
    List<StatusRecord.Verification> records = new ArrayList<>();
    for (EntityResult result : entities) {
      if (result.cohort() == null) {
        records.add(new StatusRecord.Verification(result.entity(), StatusRecord.ALL_COHORTS, result.clean(),
            result.startedAt(), result.finishedAt(), result.routingVersion(), result.rowsChecked(),
            result.clean() ? 0 : result.differences().size() + result.unsettled().size())
            .withSamples(samples(result, null, true)));
      }
      for (Map.Entry<String, EntityResult.CohortTally> cohort : result.byCohort().entrySet()) {
        if (cohort.getKey() == null) {
          continue;
        }
        EntityResult.CohortTally tally = cohort.getValue();
        records.add(new StatusRecord.Verification(result.entity(), cohort.getKey(), tally.clean(),
            result.startedAt(), result.finishedAt(), result.routingVersion(), tally.rowsChecked(),
            tally.clean() ? 0 : tally.differences() + tally.unsettled())
            .withSamples(samples(result, cohort.getKey(), false)));
      }
    }
    return records;
  }

  /** Where the first differences are (of one cohort, or all): keys, kinds and field names, never values. */
  private static List<StatusRecord.Verification.Sample> samples(EntityResult result, String cohort, boolean all) {
    List<StatusRecord.Verification.Sample> samples = new ArrayList<>();
    for (Difference difference : result.differences()) {
      if (samples.size() == StatusRecord.Verification.MAX_SAMPLES) {
        return samples;
      }
      if (all || cohort.equals(difference.cohort())) {
        samples.add(new StatusRecord.Verification.Sample(difference.key(),
            difference.kind().name().toLowerCase(java.util.Locale.ROOT), difference.fields(),
            difference.deadLettered()));
      }
    }
    if (all) {
      for (String key : result.unsettled()) {
        if (samples.size() == StatusRecord.Verification.MAX_SAMPLES) {
          break;
        }
        samples.add(new StatusRecord.Verification.Sample(key, "unsettled", List.of(), false));
      }
    }
    return samples;
  }

  /** The JSON report (docs/verify.md). */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("clean", clean());
    root.put("differences", differences());
    ArrayNode list = root.putArray("entities");
    for (EntityResult result : entities) {
      ObjectNode entity = list.addObject();
      entity.put("entity", result.entity());
      if (result.cohort() != null) {
        entity.put("cohort", result.cohort());
      }
      entity.put("clean", result.clean());
      entity.put("routingVersion", result.routingVersion());
      entity.put("startedAt", result.startedAt().toString());
      entity.put("finishedAt", result.finishedAt().toString());
      entity.put("seconds", result.duration().toMillis() / 1000.0);
      entity.put("rowsRead", result.rowsRead());
      entity.put("rowsChecked", result.rowsChecked());
      entity.put("chunks", result.chunks());
      entity.put("chunksDiffering", result.chunksDiffering());
      ObjectNode kinds = entity.putObject("differencesByKind");
      for (Difference.Kind kind : Difference.Kind.values()) {
        kinds.put(kind.name().toLowerCase(), result.count(kind));
      }
      entity.put("deadLettered", result.differences().stream().filter(Difference::deadLettered).count());
      ObjectNode recheck = entity.putObject("recheck");
      recheck.put("rechecked", result.rechecked());
      recheck.put("cleared", result.cleared());
      ArrayNode unsettled = recheck.putArray("unsettled");
      result.unsettled().forEach(unsettled::add);
      ArrayNode cohorts = entity.putArray("cohorts");
      result.byCohort().forEach((name, tally) -> {
        ObjectNode cohort = cohorts.addObject();
        if (name == null) {
          cohort.putNull("cohort");
        } else {
          cohort.put("cohort", name);
        }
        cohort.put("rowsChecked", tally.rowsChecked());
        cohort.put("differences", tally.differences());
        cohort.put("unsettled", tally.unsettled());
        cohort.put("clean", tally.clean());
      });
      ArrayNode differences = entity.putArray("differences");
      for (Difference difference : result.differences()) {
        ObjectNode node = differences.addObject();
        node.put("key", difference.key());
        if (difference.cohort() == null) {
          node.putNull("cohort");
        } else {
          node.put("cohort", difference.cohort());
        }
        node.put("kind", difference.kind().name().toLowerCase());
        if (!difference.fields().isEmpty()) {
          ArrayNode fields = node.putArray("fields");
          difference.fields().forEach(fields::add);
        }
        if (!difference.expected().isEmpty()) {
          ObjectNode expected = node.putObject("expected");
          difference.expected().forEach(expected::put);
          ObjectNode actual = node.putObject("actual");
          difference.actual().forEach(actual::put);
        }
        if (difference.reason() != null) {
          node.put("reason", difference.reason());
        }
        node.put("deadLettered", difference.deadLettered());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
