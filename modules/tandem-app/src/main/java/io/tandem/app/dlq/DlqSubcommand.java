package io.tandem.app.dlq;

import io.tandem.core.config.ConfigException;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicException;
import io.tandem.kafka.TopicFollower;
import io.tandem.registry.RegistrySettings;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.runtime.TandemConfig;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** Reads the selected dead-letter topics once and hands what the filter keeps to the subcommand. */
abstract class DlqSubcommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(DlqSubcommand.class);

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Mixin
  DlqOptions options;

  PrintWriter out;
  PrintWriter err;

  /** What the subcommand works with. */
  record Context(TandemConfig config, KafkaClients kafka, DeadLetterFilter filter, List<DeadLetterEntry> entries,
      Payloads payloads) {}

  /** Checks what picocli cannot, before anything is read; throw {@link CommandLine.ParameterException}. */
  void checkArguments() {
  }

  abstract int run(Context context) throws Exception;

  @Override
  public final Integer call() {
    String name = spec.qualifiedName();
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    checkArguments();
    TandemConfig config;
    try {
      config = TandemConfig.load(options.config, System.getenv());
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return DlqCommand.EXIT_USAGE;
    }
    DeadLetterFilter filter;
    try {
      filter = options.filter(spec.commandLine(), config);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return DlqCommand.EXIT_USAGE;
    }
    KafkaClients kafka = config.kafka().clients();
    try {
      List<DeadLetterEntry> entries = read(kafka, filter);
      return run(new Context(config, kafka, filter, entries, Payloads.of(config)));
    } catch (TopicException | KafkaException e) {
      err.println(name + ": cannot read the dead-letter topics: " + e.getMessage());
      return DlqCommand.EXIT_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(name + ": interrupted");
      return DlqCommand.EXIT_FAILED;
    } catch (CommandLine.ParameterException e) {
      throw e;
    } catch (Exception e) {
      LOG.error("{} failed", name, e);
      err.println(name + ": " + e.getMessage());
      return DlqCommand.EXIT_FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** Every record of the filter's stages that the filter keeps, in topic order. */
  List<DeadLetterEntry> read(KafkaClients kafka, DeadLetterFilter filter) {
    Map<String, DlqStage> byTopic = filter.stages().stream().collect(Collectors.toMap(DlqStage::topic,
        Function.identity()));
    List<DeadLetterEntry> entries = new ArrayList<>();
    TopicFollower.readToEnd(kafka, List.copyOf(byTopic.keySet()), options.timeout, record -> {
      DeadLetterEntry entry = DeadLetterEntry.of(byTopic.get(record.topic()), record);
      if (filter.matches(entry)) {
        entries.add(entry);
      }
    });
    entries.sort(Comparator.comparing((DeadLetterEntry e) -> e.stage().ordinal())
        .thenComparing(e -> e.record().partition()).thenComparing(e -> e.record().offset()));
    return entries;
  }

  /** Control characters escaped (reasons and values come from data), cut at {@code max} characters. */
  static String clean(String text, int max) {
    if (text == null) {
      return "-";
    }
    StringBuilder clean = new StringBuilder(Math.min(text.length(), max) + 8);
    text.codePoints().forEach(c -> {
      if (clean.length() >= max) {
        return;
      }
      if (c == '\n') {
        clean.append("\\n");
      } else if (c == '\t') {
        clean.append("\\t");
      } else if (Character.isISOControl(c)) {
        clean.append(String.format("\\u%04x", c));
      } else {
        clean.appendCodePoint(c);
      }
    });
    return text.length() > max && clean.length() >= max ? clean + "…" : clean.toString();
  }

  /** Keys and values as text: Avro through the registry when there is one, capture's JSON as is, else hex. */
  static final class Payloads {
    private final AvroDeserializer avro;

    private Payloads(AvroDeserializer avro) {
      this.avro = avro;
    }

    static Payloads of(TandemConfig config) {
      if (config.registry().isEmpty()) {
        return new Payloads(null);
      }
      RegistrySettings registry = config.registry().get();
      SchemaRegistryClient.Builder client = registry.embedded().isPresent()
          ? SchemaRegistryClient.builder(registry.embedded().get().localUrl(registry.embedded().get().port()))
          : SchemaRegistryClient.builder(registry.urls());
      registry.basicAuth().ifPresent(auth -> client.basicAuth(auth.user(), auth.password()));
      return new Payloads(new AvroDeserializer(AvroSerdeConfig.withClient(client.build())));
    }

    String text(DeadLetterEntry entry, byte[] bytes) {
      if (bytes == null) {
        return "null";
      }
      boolean avroWire = bytes.length > 5 && bytes[0] == 0;
      if (avroWire && avro != null) {
        try {
          String topic = entry.envelope() != null && entry.envelope().sourceTopic() != null
              ? entry.envelope().sourceTopic() : entry.record().topic();
          return String.valueOf(avro.deserialize(topic, bytes));
        } catch (RuntimeException e) {
          return hex(bytes) + " (not decoded: " + e.getMessage() + ")";
        }
      }
      if (!avroWire) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.codePoints().noneMatch(c -> c == 0xfffd)) {
          return text; // capture's dead letters: Debezium's record as JSON
        }
      }
      return hex(bytes);
    }

    private static String hex(byte[] bytes) {
      int shown = Math.min(bytes.length, 64);
      return "0x" + HexFormat.of().formatHex(bytes, 0, shown) + (bytes.length > shown ? "… (" + bytes.length
          + " bytes)" : "");
    }
  }
}
