package io.tandem.app.dlq;

import io.tandem.app.DurationConverter;
import io.tandem.core.model.MappedEntity;
import io.tandem.runtime.TandemConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options {@code tandem dlq list|show|replay} share: where the topics are, and which dead letters. */
public final class DlqOptions {

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file: its kafka section (and registry, schemas) (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--stage", split = ",", paramLabel = "STAGE",
      description = "Only these stages (repeatable or comma-separated): capture, transform, sink, capture-new, "
          + "reverse, sink-legacy (default: all).")
  List<String> stages;

  @Option(names = "--entity", paramLabel = "ENTITY",
      description = "Only dead letters of this entity (its migrated/reverse topics, its legacy and new tables).")
  String entity;

  @Option(names = "--table", paramLabel = "TABLE",
      description = "Only dead letters whose source topic ends with .TABLE (customers or public.customers).")
  String table;

  @Option(names = "--reason-contains", paramLabel = "TEXT", description = "Only dead letters whose reason contains TEXT "
      + "(case-insensitive).")
  String reason;

  @Option(names = "--from-offset", paramLabel = "N", description = "Only dead-letter topic offsets from N on.")
  Long fromOffset;

  @Option(names = "--to-offset", paramLabel = "N", description = "Only dead-letter topic offsets up to N (inclusive).")
  Long toOffset;

  @Option(names = "--json", description = "JSON instead of text.")
  boolean json;

  @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Give up reading the topics after this long (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(60);

  /** The filter these options describe; a bad value is a usage error. */
  DeadLetterFilter filter(CommandLine commandLine, TandemConfig tandem) {
    Set<DlqStage> selected = new LinkedHashSet<>();
    if (stages == null || stages.isEmpty()) {
      selected.addAll(List.of(DlqStage.values()));
    } else {
      for (String stage : stages) {
        selected.add(DlqStage.byLabel(stage).orElseThrow(() -> new CommandLine.ParameterException(commandLine,
            "unknown stage '" + stage + "'; the stages are " + DlqStage.labels())));
      }
    }
    for (Long offset : new Long[] {fromOffset, toOffset}) {
      if (offset != null && offset < 0) {
        throw new CommandLine.ParameterException(commandLine, "offsets are 0 or more, was " + offset);
      }
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CommandLine.ParameterException(commandLine, "--timeout must be positive, was " + timeout);
    }
    List<String> sources = null;
    if (entity != null) {
      List<String> tables = new ArrayList<>();
      List<MappedEntity> entities = MappedEntity.loadAll(tandem.schemas().mappings(), tandem.schemas().avro());
      entities.stream().filter(e -> e.name().equals(entity)).forEach(e -> tables.add(e.sourceTable()));
      if (tables.isEmpty()) {
        throw new CommandLine.ParameterException(commandLine, "unknown entity '" + entity + "'; known: "
            + entities.stream().map(MappedEntity::name).sorted().toList());
      }
      sources = DeadLetterFilter.entitySources(entity, tables);
    }
    try {
      return new DeadLetterFilter(selected, sources, blankToNull(table), blankToNull(reason), fromOffset, toOffset);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text.trim();
  }
}
