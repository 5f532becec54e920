package io.tandem.app.dlq;

import io.tandem.app.OperatorAudit;
import io.tandem.kafka.DeadLetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem dlq replay}: after the cause is fixed (a mapping, a constraint), puts the selected dead
 * letters back on the topic their stage reads, as they were there (key, value, partition, headers, so their
 * original source position), in their original order per source partition. The stage processes them again;
 * the sink applies each only if its position is newer than the row's, so a replay never overwrites a newer row.
 *
 * <p>Each dead letter put back gets a marker on {@value ReplayMarkers#TOPIC}: the same replay run again puts
 * nothing back twice. It is an operator action: recorded through the router first ({@link OperatorAudit}).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Put dead letters back on their stage's input topic after a fix, in their original order with "
        + "their original positions (the sink still applies a change only if it is newer than the row).",
        "Needs --reason, and --router with an operator token (audited) or --unaudited. --dry-run shows what it "
            + "would do. Capture's dead letters cannot be replayed (tandem verify --repair reads such rows again)."})
final class ReplayDlqCommand extends DlqSubcommand {
  static final int MAX_REASON = 1000;
  private static final int LISTED = 20;

  @Option(names = "--reason", paramLabel = "TEXT", description = "Why (recorded in the audit and the replay markers).")
  String reason;

  @Option(names = "--dry-run", description = "Show what would be replayed; change nothing, record nothing.")
  boolean dryRun;

  @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
      description = "At most N records, the first in replay order (default: all that match).")
  int limit;

  @Mixin
  OperatorAudit audit;

  @Override
  void checkArguments() {
    CommandLine commandLine = spec.commandLine();
    if (limit < 0) {
      throw new CommandLine.ParameterException(commandLine, "--limit must be 0 (all) or more, was " + limit);
    }
    if (options.stages != null && !options.stages.isEmpty() && options.stages.stream()
        .map(DlqStage::byLabel).flatMap(java.util.Optional::stream).noneMatch(DlqStage::replayable)) {
      throw new CommandLine.ParameterException(commandLine, "capture's dead letters cannot be replayed: Debezium "
          + "handed them over, they were never on a Kafka topic. Fix the cause, then have capture read the rows "
          + "again: tandem verify --repair (docs/capture.md, \"Re-emitting chosen rows\")");
    }
    if (dryRun) {
      return;
    }
    if (reason == null || reason.isBlank()) {
      throw new CommandLine.ParameterException(commandLine, "--reason is required: why the dead letters go back "
          + "(recorded in the audit and the replay markers)");
    }
    if (reason.length() > MAX_REASON) {
      throw new CommandLine.ParameterException(commandLine, "--reason is " + reason.length()
          + " characters, at most " + MAX_REASON);
    }
    audit.check(commandLine, "tandem dlq replay");
  }

  @Override
  int run(Context context) throws InterruptedException {
    Map<String, Long> markers = ReplayMarkers.read(context.kafka(), options.timeout);
    ReplayPlan plan = ReplayPlan.of(context.entries(), markers, limit);
    String scope = context.filter().describe(options.entity);
    out.println(summary(plan, scope));
    if (dryRun) {
      plan.toReplay().stream().limit(LISTED).forEach(e -> out.println("  would replay " + e.coordinates() + " → "
          + clean(e.source(), 300) + (e.position() == null ? "" : " position " + e.position()) + "  "
          + clean(e.reason(), 160)));
      if (plan.toReplay().size() > LISTED) {
        out.println("  … and " + (plan.toReplay().size() - LISTED) + " more");
      }
      out.println("Dry run: nothing replayed, nothing recorded.");
      return DlqCommand.EXIT_OK;
    }
    if (plan.toReplay().isEmpty()) {
      out.println("Nothing to replay.");
      return DlqCommand.EXIT_OK;
    }
    OperatorAudit.Outcome recorded = audit.record(spec.commandLine(), "dlq-replay", options.entity,
        scope + " records=" + plan.toReplay().size(), plan.toReplay().size(), reason, err);
    if (recorded instanceof OperatorAudit.Outcome.Refused refused) {
      return refused.exitCode();
    }
    return replay(context, plan, OperatorAudit.actor(recorded));
  }

  private int replay(Context context, ReplayPlan plan, String actor) throws InterruptedException {
    String replayId = "replay-" + UUID.randomUUID().toString().substring(0, 8);
    Instant now = Instant.now();
    ReplayMarkers.ensureTopic(context.kafka());
    int done = 0;
    try (KafkaProducer<byte[], byte[]> producer = context.kafka().producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"),
        Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1",
            ProducerConfig.CLIENT_ID_CONFIG, "tandem-dlq-" + replayId))) {
      Map<String, Integer> partitions = new HashMap<>();
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (DeadLetterEntry entry : plan.toReplay()) {
        ProducerRecord<byte[], byte[]> restored = DeadLetter.restore(entry.record(), replayId);
        int count = partitions.computeIfAbsent(restored.topic(), t -> producer.partitionsFor(t).size());
        if (restored.partition() != null && restored.partition() >= count) {
          // The topic has fewer partitions than when the record was read: partition by key, as the stage's producer would.
          restored = new ProducerRecord<>(restored.topic(), null, restored.timestamp(), restored.key(),
              restored.value(), restored.headers());
        }
        sent.add(producer.send(restored));
      }
      producer.flush();
      Map<String, String> targets = new HashMap<>();
      for (int i = 0; i < sent.size(); i++) {
        RecordMetadata metadata = sent.get(i).get(60, TimeUnit.SECONDS);
        targets.put(plan.toReplay().get(i).source(), metadata.topic() + "/" + metadata.partition() + "/"
            + metadata.offset());
        done++;
      }
      // Markers only after every record is acknowledged: a failure before leaves them unmarked, and the
      // same replay puts them back again (harmless: the sink applies a change only if newer).
      List<Future<RecordMetadata>> marked = new ArrayList<>();
      List<DeadLetterEntry> toMark = new ArrayList<>(plan.toReplay());
      toMark.addAll(plan.duplicates());
      for (DeadLetterEntry entry : toMark) {
        marked.add(producer.send(ReplayMarkers.marker(entry, replayId, actor, reason, now,
            targets.getOrDefault(entry.source(), "-"))));
      }
      producer.flush();
      for (Future<RecordMetadata> future : marked) {
        future.get(60, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException | org.apache.kafka.common.KafkaException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      err.println(spec.qualifiedName() + ": replay " + replayId + " failed after " + done + " of "
          + plan.toReplay().size() + " records were acknowledged: " + cause.getMessage());
      err.println("  run the same replay again: records not marked as replayed go back again, which is safe "
          + "(a stage applies a change only if it is newer than the row)");
      return DlqCommand.EXIT_FAILED;
    }
    Map<String, Integer> byStage = new TreeMap<>();
    plan.toReplay().forEach(e -> byStage.merge(e.stage().label(), 1, Integer::sum));
    out.println("Replayed " + plan.toReplay().size() + " dead letter(s) (" + byStage.toString().replaceAll("[{}]", "")
        + ") as " + replayId + " by " + actor + "; marked on " + ReplayMarkers.TOPIC + ".");
    out.println("Their stages process them again; a record refused again is dead-lettered again "
        + "(tandem dlq show shows it with the replay it came from).");
    return DlqCommand.EXIT_OK;
  }

  static String summary(ReplayPlan plan, String scope) {
    Map<String, Integer> byStage = new TreeMap<>();
    plan.toReplay().forEach(e -> byStage.merge(e.stage().label(), 1, Integer::sum));
    StringBuilder text = new StringBuilder();
    text.append("Selected (").append(scope).append("): ").append(plan.toReplay().size()).append(" to replay");
    if (!byStage.isEmpty()) {
      text.append(' ').append(byStage.toString().replace('{', '(').replace('}', ')'));
    }
    text.append(", in source order (per source partition, by original offset)");
    if (!plan.alreadyReplayed().isEmpty()) {
      text.append("; ").append(plan.alreadyReplayed().size()).append(" already replayed");
    }
    if (!plan.duplicates().isEmpty()) {
      text.append("; ").append(plan.duplicates().size()).append(" duplicate(s) of the same source record");
    }
    if (!plan.notReplayable().isEmpty()) {
      text.append("; ").append(plan.notReplayable().size())
          .append(" not replayable (capture's: tandem verify --repair reads such rows again)");
    }
    if (plan.deferred() > 0) {
      text.append("; ").append(plan.deferred()).append(" left for a later run (--limit)");
    }
    return text.append('.').toString();
  }
}
