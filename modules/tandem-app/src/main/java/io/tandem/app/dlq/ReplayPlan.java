package io.tandem.app.dlq;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a replay puts back, in which order, and what it leaves out. Pure.
 *
 * <p>Order: per source topic and partition, by the original offset, so one key's changes go back in the order
 * they first came (the sink then still applies each only if newer than the row). A source record dead-lettered
 * twice (a stage that crashed between dead-lettering and committing its offsets sends it again) is put back
 * once, and not again once either copy was. A dead letter already replayed (a marker with its coordinates and timestamp) is left out, so running
 * the same replay twice puts nothing back twice.
 *
 * @param toReplay in replay order
 * @param alreadyReplayed left out: a marker says they were put back before
 * @param notReplayable left out: capture's (never on a Kafka topic) or without an envelope
 * @param duplicates left out: the same source record as one in {@code toReplay}
 * @param deferred left for a later run by the limit
 */
public record ReplayPlan(List<DeadLetterEntry> toReplay, List<DeadLetterEntry> alreadyReplayed,
    List<DeadLetterEntry> notReplayable, List<DeadLetterEntry> duplicates, int deferred) {

  static final Comparator<DeadLetterEntry> SOURCE_ORDER = Comparator
      .comparing((DeadLetterEntry e) -> e.envelope().sourceTopic())
      .thenComparing(e -> e.envelope().sourcePartition())
      .thenComparing(e -> e.envelope().sourceOffset())
      .thenComparing(e -> e.record().topic())
      .thenComparing(e -> e.record().offset());

  /**
   * @param selected the dead letters the filter kept, in any order
   * @param replayed the replay markers: dead-letter coordinates to the timestamp of the record they marked
   * @param limit at most this many to put back (the first in replay order); 0 or less: no limit
   */
  public static ReplayPlan of(List<DeadLetterEntry> selected, Map<String, Long> replayed, int limit) {
    List<DeadLetterEntry> candidates = new ArrayList<>();
    List<DeadLetterEntry> already = new ArrayList<>();
    List<DeadLetterEntry> notReplayable = new ArrayList<>();
    for (DeadLetterEntry entry : selected) {
      Long marked = replayed.get(entry.coordinates());
      if (!entry.replayable()) {
        notReplayable.add(entry);
      } else if (marked != null && marked == entry.record().timestamp()) {
        already.add(entry);
      } else {
        candidates.add(entry);
      }
    }
    candidates.sort(SOURCE_ORDER);
    // A second copy of a source record already put back counts as put back.
    Set<String> replayedSources = new HashSet<>();
    already.forEach(e -> replayedSources.add(e.source()));
    List<DeadLetterEntry> toReplay = new ArrayList<>();
    List<DeadLetterEntry> duplicates = new ArrayList<>();
    Set<String> sources = new HashSet<>();
    int deferred = 0;
    for (DeadLetterEntry entry : candidates) {
      if (replayedSources.contains(entry.source())) {
        already.add(entry);
      } else if (!sources.add(entry.source())) {
        duplicates.add(entry);
      } else if (limit <= 0 || toReplay.size() < limit) {
        toReplay.add(entry);
      } else {
        deferred++;
      }
    }
    return new ReplayPlan(List.copyOf(toReplay), List.copyOf(already), List.copyOf(notReplayable),
        List.copyOf(duplicates), deferred);
  }
}
