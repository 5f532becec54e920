package io.tandem.core.mapping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rows of one match value, resolved by a {@link MergeRule}: a pure function that the merge topology
 * and the verifier both call, so both agree on what a merged entity holds.
 */
public final class MergeGroup {
  private MergeGroup() {}

  /**
   * One legacy row as its source's mapping made it.
   *
   * @param id the row's identity across sources: {@code <source>:<legacy primary key text>}
   * @param keyText the new key's canonical text ({@link Join#keyText(List)} of the key values)
   * @param row the new row (the mapping's output)
   */
  public record Member(String id, String source, Map<String, Object> key, String keyText, Map<String, Object> row) {}

  /**
   * What becomes of one member: its row under its own key ({@code row} non-null), or absorbed into the
   * survivor ({@code row} null, {@code absorbedInto} the survivor's key text).
   */
  public record Outcome(Member member, Map<String, Object> row, String absorbedInto) {
    public boolean absorbed() {
      return row == null;
    }
  }

  /**
   * @param outcomes one per member, survivor first
   * @param reported why the group is reported instead of merged; empty when merged or alone
   */
  public record Resolution(List<Outcome> outcomes, Optional<String> reported) {}

  /** The group's outcome; members in any order (they are ordered by {@link MergeRule#prefer}, then key). */
  public static Resolution resolve(MergeRule rule, List<Member> members, List<String> keyFields) {
    List<Member> ordered = new ArrayList<>(members);
    ordered.sort(Comparator.comparingInt((Member m) -> rule.rank(m.source())).thenComparing(Member::keyText)
        .thenComparing(Member::id));
    if (ordered.size() <= 1) {
      return new Resolution(ordered.stream().map(m -> new Outcome(m, m.row(), null)).toList(), Optional.empty());
    }
    Optional<String> reason = whyNotMerged(rule, ordered);
    if (reason.isPresent()) {
      return new Resolution(ordered.stream().map(m -> new Outcome(m, m.row(), null)).toList(), reason);
    }
    Member survivor = ordered.get(0);
    Map<String, Object> merged = new LinkedHashMap<>(survivor.row());
    if (rule.fillNulls()) {
      for (Map.Entry<String, Object> field : merged.entrySet()) {
        if (field.getValue() == null && !keyFields.contains(field.getKey())) {
          ordered.stream().skip(1).map(m -> m.row().get(field.getKey())).filter(v -> v != null).findFirst()
              .ifPresent(field::setValue);
        }
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    outcomes.add(new Outcome(survivor, java.util.Collections.unmodifiableMap(merged), null));
    ordered.stream().skip(1).forEach(m -> outcomes.add(new Outcome(m, null, survivor.keyText())));
    return new Resolution(outcomes, Optional.empty());
  }

  private static Optional<String> whyNotMerged(MergeRule rule, List<Member> ordered) {
    if (rule.onDuplicate() == MergeRule.OnDuplicate.REPORT) {
      return Optional.of(ordered.size() + " rows match (merge.onDuplicate: report)");
    }
    if (ordered.size() > MergeRule.MAX_GROUP) {
      return Optional.of(ordered.size() + " rows match, more than the " + MergeRule.MAX_GROUP
          + " a merge may join: is the match rule too broad?");
    }
    Set<String> sources = new HashSet<>();
    for (Member member : ordered) {
      if (!sources.add(member.source())) {
        return Optional.of("several rows of source '" + member.source() + "' match: only rows of different"
            + " sources are merged");
      }
    }
    return Optional.empty();
  }
}
