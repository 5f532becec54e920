package io.tandem.app.dlq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.kafka.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem dlq show}: the dead letters themselves: reason, source topic, partition and offset, key,
 * position, headers; values only with {@code --show-values} (they are the rows: personal data, perhaps).
 */
@Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Dead letters with their reason, source topic/partition/offset, key, position and headers.",
        "Values (the rows themselves) only with --show-values."})
final class ShowDlqCommand extends DlqSubcommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_LIMIT = 1000;

  @Option(names = "--limit", defaultValue = "20", paramLabel = "N",
      description = "At most N records, the oldest first (default: ${DEFAULT-VALUE}, at most " + MAX_LIMIT + ").")
  int limit = 20;

  @Option(names = "--show-values", description = "Also print values and other headers' contents (may be personal data).")
  boolean showValues;

  @Override
  void checkArguments() {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be from 1 to " + MAX_LIMIT
          + ", was " + limit);
    }
  }

  @Override
  int run(Context context) {
    Map<String, Long> markers = ReplayMarkers.read(context.kafka(), options.timeout);
    List<DeadLetterEntry> entries = context.entries();
    List<DeadLetterEntry> shown = entries.subList(0, Math.min(limit, entries.size()));
    if (options.json) {
      ObjectNode root = JSON.createObjectNode();
      root.put("matching", entries.size());
      ArrayNode records = root.putArray("records");
      for (DeadLetterEntry entry : shown) {
        records.add(json(entry, context.payloads(), replayed(entry, markers)));
      }
      out.println(root);
      return DlqCommand.EXIT_OK;
    }
    if (entries.isEmpty()) {
      out.println("No dead letters match (" + context.filter().describe(options.entity) + ").");
      return DlqCommand.EXIT_OK;
    }
    for (DeadLetterEntry entry : shown) {
      print(entry, context.payloads(), replayed(entry, markers));
    }
    if (entries.size() > shown.size()) {
      DeadLetterEntry next = entries.get(shown.size());
      out.printf("… %d more match; next: --stage %s --from-offset %d%n", entries.size() - shown.size(),
          next.stage().label(), next.record().offset());
    }
    return DlqCommand.EXIT_OK;
  }

  private static boolean replayed(DeadLetterEntry entry, Map<String, Long> markers) {
    Long marked = markers.get(entry.coordinates());
    return marked != null && marked == entry.record().timestamp();
  }

  private void print(DeadLetterEntry entry, DlqSubcommand.Payloads payloads, boolean replayed) {
    out.printf("%s  %s  stage %s%s%n", entry.coordinates(), Instant.ofEpochMilli(entry.record().timestamp()),
        entry.stage().label(), replayed ? "  [replayed]" : "");
    out.println("  reason:    " + clean(entry.reason(), 2000));
    if (entry.envelope() != null) {
      out.println("  exception: " + clean(entry.envelope().exceptionClass(), 200));
    }
    out.println("  source:    " + clean(entry.source() == null ? "-" : entry.source(), 300)
        + (entry.replayable() ? "" : "  (not replayable)"));
    out.println("  position:  " + (entry.position() == null ? "-" : entry.position()));
    if (entry.replayOf() != null) {
      out.println("  refused again after the replay of " + clean(entry.replayOf(), 300));
    }
    out.println("  key:       " + clean(payloads.text(entry, entry.record().key()), 500));
    out.println("  headers:   " + clean(headers(entry, showValues), 2000));
    out.println("  value:     " + (showValues ? clean(payloads.text(entry, entry.record().value()), 20_000)
        : entry.record().value() == null ? "null (a delete)" : "(" + entry.record().value().length
            + " bytes; --show-values prints it)"));
  }

  private ObjectNode json(DeadLetterEntry entry, DlqSubcommand.Payloads payloads, boolean replayed) {
    ObjectNode node = JSON.createObjectNode();
    node.put("stage", entry.stage().label());
    node.put("topic", entry.record().topic());
    node.put("partition", entry.record().partition());
    node.put("offset", entry.record().offset());
    node.put("time", Instant.ofEpochMilli(entry.record().timestamp()).toString());
    node.put("reason", entry.reason());
    node.put("exception", entry.envelope() == null ? null : entry.envelope().exceptionClass());
    node.put("sourceTopic", entry.envelope() == null ? null : entry.envelope().sourceTopic());
    if (entry.envelope() != null && entry.envelope().sourcePartition() != null) {
      node.put("sourcePartition", entry.envelope().sourcePartition());
      node.put("sourceOffset", entry.envelope().sourceOffset());
    }
    if (entry.position() != null) {
      node.put("position", entry.position());
    }
    node.put("replayable", entry.replayable());
    node.put("replayed", replayed);
    node.put("replayOf", entry.replayOf());
    node.put("key", payloads.text(entry, entry.record().key()));
    ObjectNode headers = node.putObject("headers");
    for (Header header : entry.record().headers()) {
      headers.put(header.key(), headerText(header, showValues));
    }
    if (showValues) {
      node.put("value", payloads.text(entry, entry.record().value()));
    } else {
      node.put("valueBytes", entry.record().value() == null ? 0 : entry.record().value().length);
    }
    return node;
  }

  private static String headers(DeadLetterEntry entry, boolean showValues) {
    StringBuilder text = new StringBuilder();
    for (Header header : entry.record().headers()) {
      if (header.key().startsWith(DeadLetter.PREFIX)) {
        continue; // shown above
      }
      text.append(text.length() == 0 ? "" : ", ").append(header.key()).append('=').append(headerText(header,
          showValues));
    }
    return text.length() == 0 ? "-" : text.toString();
  }

  /** Tandem's own headers decoded; anyone else's only as a size unless values are asked for. */
  private static String headerText(Header header, boolean showValues) {
    byte[] value = header.value();
    if (value == null) {
      return "null";
    }
    String key = header.key();
    boolean longHeader = key.equals(ChangeHeaders.POSITION) || key.equals(ChangeHeaders.COMMIT_TS);
    if (longHeader && value.length == Long.BYTES) {
      long number = java.nio.ByteBuffer.wrap(value).getLong();
      return key.equals(ChangeHeaders.COMMIT_TS) ? Instant.ofEpochMilli(number).toString() : Long.toString(number);
    }
    if (key.startsWith("tandem.") || showValues) {
      return new String(value, StandardCharsets.UTF_8);
    }
    return "(" + value.length + " bytes)";
  }
}
