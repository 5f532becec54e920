package io.tandem.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tandem.capture.CaptureEngine;
import io.tandem.capture.ConnectorConfig;
import io.tandem.capture.SnapshotProgress;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.sink.EntityTable;
import io.tandem.sink.JdbcSink;
import io.tandem.sink.SinkSchema;
import io.tandem.transform.EntitySchema;
import io.tandem.transform.TransformStage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Capture, transform and sink wired together in one process, with their counters exported as
 * Micrometer meters. {@code tandem demo} and {@code tandem run} both use it.
 */
public final class Pipeline implements AutoCloseable {

  /** Where everything is. {@code env} resolves the connector file's placeholders. */
  public record Settings(Path connectorFile, Map<String, String> env, Path schemas, String bootstrapServers,
      SchemaRegistryClient registry, String newDbUrl, String newDbUser, String newDbPassword, Path stateDir,
      int partitions) {}

  private final List<Mapping> mappings;
  private final List<EntitySchema> entities;
  private final CaptureEngine capture;
  private final TransformStage transform;
  private final JdbcSink sink;
  private final List<Thread> threads = new ArrayList<>();

  private Pipeline(List<Mapping> mappings, List<EntitySchema> entities, CaptureEngine capture, TransformStage transform,
      JdbcSink sink) {
    this.mappings = mappings;
    this.entities = entities;
    this.capture = capture;
    this.transform = transform;
    this.sink = sink;
  }

  public static Pipeline start(Settings settings, MeterRegistry meters) {
    ConnectorConfig connector = ConnectorConfig.load(settings.connectorFile(), settings.env());
    List<Mapping> mappings = MappingLoader.loadAll(settings.schemas().resolve("mappings"));
    List<EntitySchema> entities = new ArrayList<>();
    for (Mapping mapping : mappings) {
      entities.add(EntitySchema.load(settings.schemas().resolve("avro"), mapping));
    }
    PGSimpleDataSource newDb = new PGSimpleDataSource();
    newDb.setURL(settings.newDbUrl());
    newDb.setUser(settings.newDbUser());
    newDb.setPassword(settings.newDbPassword());
    SinkSchema.migrate(newDb, settings.schemas().resolve("migrations/new"));
    Topics.ensure(settings.bootstrapServers(), settings.partitions(),
        mappings.stream().map(m -> connector.topicPrefix() + "." + m.sourceTable()).distinct().toList(),
        entities.stream().map(EntitySchema::topic).distinct().toList(),
        List.of(CaptureEngine.DEFAULT_DEAD_LETTER_TOPIC, io.tandem.transform.TransformTopology.DLQ_TOPIC, "tandem.dlq.sink"));

    TransformStage transform = TransformStage.builder()
        .bootstrapServers(settings.bootstrapServers())
        .topicPrefix(connector.topicPrefix())
        .mappings(mappings)
        .schemaFolder(settings.schemas().resolve("avro"))
        .registryClient(settings.registry())
        .stateDir(settings.stateDir())
        .build();
    JdbcSink.Builder sinkBuilder = JdbcSink.builder()
        .bootstrapServers(settings.bootstrapServers())
        .registry(settings.registry())
        .jdbc(settings.newDbUrl(), settings.newDbUser(), settings.newDbPassword());
    for (EntitySchema entity : entities) {
      Mapping mapping = mappings.get(entities.indexOf(entity));
      sinkBuilder.entity(EntityTable.builder(entity.entity(), entity.valueSchema()).keyColumns(mapping.keyFields()).build());
    }
    CaptureEngine capture = CaptureEngine.builder(connector).schemaRegistry(settings.registry()).build();
    Pipeline pipeline = new Pipeline(mappings, entities, capture, transform, sinkBuilder.build());
    pipeline.bind(meters);
    transform.start();
    pipeline.runOnThread(pipeline.sink, "tandem-sink");
    pipeline.runOnThread(capture, "tandem-capture");
    return pipeline;
  }

  private void runOnThread(Runnable stage, String name) {
    Thread thread = new Thread(stage, name);
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
  }

  private void bind(MeterRegistry meters) {
    for (String table : capture.snapshotProgress().keySet()) {
      Gauge.builder("tandem.snapshot.rows.done", capture, c -> progressOf(c, table).done()).tags("table", table)
          .description("Initial-snapshot rows delivered to Kafka").register(meters);
      Gauge.builder("tandem.snapshot.rows.estimated", capture, c -> progressOf(c, table).estimated()).tags("table", table)
          .description("Row estimate (pg_class.reltuples) at start").register(meters);
    }
    for (Mapping mapping : mappings) {
      String table = mapping.sourceTable();
      FunctionCounter.builder("tandem.capture.events", capture, c -> c.stats().eventsByTable().getOrDefault(table, 0L))
          .tags("table", table).description("Legacy changes delivered to raw topics").register(meters);
      String entity = mapping.entity();
      FunctionCounter.builder("tandem.transform.records", transform,
              t -> t.metrics().migratedByEntity().getOrDefault(entity, 0L))
          .tags("entity", entity).description("Records written to migrated topics").register(meters);
      for (String result : List.of("upserted", "deleted", "stale", "superseded", "rejected")) {
        FunctionCounter.builder("tandem.sink.rows", sink, s -> sinkCount(s, entity, result))
            .tags(Tags.of("entity", entity, "result", result)).description("Changes handled by the sink").register(meters);
      }
    }
    FunctionCounter.builder("tandem.dlq.records", capture, c -> c.stats().deadLettered()).tags("stage", "capture")
        .description("Records sent to a dead-letter topic").register(meters);
    FunctionCounter.builder("tandem.dlq.records", transform, t -> t.metrics().deadLettered()).tags("stage", "transform")
        .register(meters);
    FunctionCounter.builder("tandem.dlq.records", sink, s -> s.stats().dlqCount()).tags("stage", "sink").register(meters);
    for (double p : new double[] {50, 99}) {
      Gauge.builder("tandem.commit.visible.lag.seconds", sink,
              s -> s.stats().lagPercentile(p).map(d -> d.toNanos() / 1e9).orElse(Double.NaN))
          .tags("quantile", p == 50 ? "0.5" : "0.99")
          .description("Legacy commit → new-DB commit, over recent batches").register(meters);
    }
  }

  private static SnapshotProgress progressOf(CaptureEngine capture, String table) {
    return capture.snapshotProgress().getOrDefault(table, new SnapshotProgress(table, 0, SnapshotProgress.UNKNOWN, false));
  }

  private static double sinkCount(JdbcSink sink, String entity, String result) {
    var stats = sink.stats().entity(entity);
    return switch (result) {
      case "upserted" -> stats.upserted();
      case "deleted" -> stats.deleted();
      case "stale" -> stats.skippedStale();
      case "superseded" -> stats.superseded();
      default -> stats.rejected();
    };
  }

  public List<Mapping> mappings() {
    return mappings;
  }

  public List<EntitySchema> entities() {
    return entities;
  }

  public CaptureEngine capture() {
    return capture;
  }

  public TransformStage transform() {
    return transform;
  }

  public JdbcSink sink() {
    return sink;
  }

  /** A stage that stopped with an error, described; empty while all run. */
  public java.util.Optional<String> failure() {
    if (capture.failure().isPresent()) {
      return java.util.Optional.of("capture: " + capture.failure().get());
    }
    if (transform.state() == TransformStage.State.FAILED) {
      return java.util.Optional.of("transform stopped (see tandem.log)");
    }
    return sink.failure().map(e -> "sink: " + e);
  }

  @Override
  public void close() {
    capture.close();
    transform.close();
    sink.close();
    for (Thread thread : threads) {
      try {
        thread.join(Duration.ofSeconds(30).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
