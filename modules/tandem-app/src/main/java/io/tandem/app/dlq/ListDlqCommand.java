package io.tandem.app.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem dlq list}: per stage, how many dead letters, from when to when, why, and how many were replayed. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Per stage: dead letters, pending and replayed, oldest and newest, and the most frequent reasons.")
final class ListDlqCommand extends DlqSubcommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int REASON_LENGTH = 160;

  @Option(names = "--reasons", defaultValue = "5", paramLabel = "N",
      description = "The N most frequent reasons per stage (default: ${DEFAULT-VALUE}, at most 50).")
  int reasons = 5;

  @Override
  void checkArguments() {
    if (reasons < 0 || reasons > 50) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--reasons must be from 0 to 50, was "
          + reasons);
    }
  }

  /** One stage's tally. */
  record Tally(DlqStage stage, long records, long replayed, Instant oldest, Instant newest, Map<String, Long> reasons) {
    long pending() {
      return records - replayed;
    }
  }

  @Override
  int run(Context context) {
    Map<String, Long> markers = ReplayMarkers.read(context.kafka(), options.timeout);
    List<Tally> tallies = tally(context.filter(), context.entries(), markers);
    if (options.json) {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode stages = root.putArray("stages");
      for (Tally tally : tallies) {
        ObjectNode node = stages.addObject();
        node.put("stage", tally.stage().label());
        node.put("topic", tally.stage().topic());
        node.put("records", tally.records());
        node.put("pending", tally.pending());
        node.put("replayed", tally.replayed());
        node.put("replayable", tally.stage().replayable());
        node.put("oldest", tally.oldest() == null ? null : tally.oldest().toString());
        node.put("newest", tally.newest() == null ? null : tally.newest().toString());
        ArrayNode reasonList = node.putArray("reasons");
        top(tally.reasons(), reasons).forEach(e -> reasonList.addObject().put("reason", clean(e.getKey(), 1000))
            .put("count", e.getValue()));
        node.put("otherReasons", Math.max(0, tally.reasons().size() - reasons));
      }
      out.println(root);
      return DlqCommand.EXIT_OK;
    }
    out.printf("%-12s %-24s %8s %8s %8s  %-20s  %-20s%n", "STAGE", "TOPIC", "RECORDS", "PENDING", "REPLAYED",
        "OLDEST", "NEWEST");
    for (Tally tally : tallies) {
      out.printf("%-12s %-24s %8d %8d %8s  %-20s  %-20s%n", tally.stage().label(), tally.stage().topic(),
          tally.records(), tally.pending(), tally.stage().replayable() ? Long.toString(tally.replayed()) : "-",
          time(tally.oldest()), time(tally.newest()));
      for (Map.Entry<String, Long> reason : top(tally.reasons(), reasons)) {
        out.printf("    %6d× %s%n", reason.getValue(), clean(reason.getKey(), REASON_LENGTH));
      }
      if (tally.reasons().size() > reasons) {
        out.printf("    … %d other reasons (tandem dlq show --stage %s --reason-contains TEXT)%n", tally.reasons().size() - reasons,
            tally.stage().label());
      }
    }
    return DlqCommand.EXIT_OK;
  }

  static List<Tally> tally(DeadLetterFilter filter, List<DeadLetterEntry> entries, Map<String, Long> markers) {
    List<Tally> tallies = new ArrayList<>();
    for (DlqStage stage : DlqStage.values()) {
      if (!filter.stages().contains(stage)) {
        continue;
      }
      long records = 0;
      long replayed = 0;
      Instant oldest = null;
      Instant newest = null;
      Map<String, Long> reasons = new LinkedHashMap<>();
      for (DeadLetterEntry entry : entries) {
        if (entry.stage() != stage) {
          continue;
        }
        records++;
        Long marked = markers.get(entry.coordinates());
        if (marked != null && marked == entry.record().timestamp()) {
          replayed++;
        }
        Instant time = Instant.ofEpochMilli(entry.record().timestamp());
        oldest = oldest == null || time.isBefore(oldest) ? time : oldest;
        newest = newest == null || time.isAfter(newest) ? time : newest;
        reasons.merge(entry.reason(), 1L, Long::sum);
      }
      tallies.add(new Tally(stage, records, replayed, oldest, newest, reasons));
    }
    return tallies;
  }

  private static List<Map.Entry<String, Long>> top(Map<String, Long> reasons, int n) {
    return reasons.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey())).limit(n).toList();
  }

  private static String time(Instant instant) {
    return instant == null ? "-" : instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
  }
}
