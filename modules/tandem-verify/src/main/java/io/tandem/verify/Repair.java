package io.tandem.verify;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.model.EntitySchema;
import io.tandem.core.model.MappedEntity;
import io.tandem.kafka.ChangeHeaders;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * {@code tandem verify --repair}: puts each difference right through the normal pipeline, then waits
 * until the new database shows it fixed.
 *
 * <ul>
 *   <li>missing / different: the legacy rows are re-emitted by capture (a Debezium incremental-snapshot
 *       signal for exactly those keys: {@link Verifier.Reemitter}) and flow through transform and sink;
 *   <li>extra (legacy has no row the mapping keeps): a delete for the key is published to
 *       {@code migrated.<entity>} at the legacy database's current WAL position, so the sink removes the
 *       row and consumers of the topic learn it too; a later legacy insert has a higher position and wins;
 *   <li>unmappable: not repairable here (the mapping refuses the legacy row): fix the row or the mapping.
 * </ul>
 */
public final class Repair {
  /**
   * What was done for one entity, and what is still different after waiting.
   *
   * @param advice what to do instead when the entity's differences cannot be repaired by key, else null
   */
  public record Outcome(String entity, int reEmitted, int deleted, List<Difference> notRepairable,
      List<Difference> remaining, String advice) {}

  private Repair() {}

  static List<Outcome> run(Verifier owner, VerificationReport report, Duration timeout, Clock clock)
      throws InterruptedException {
    Verifier.Setup setup = owner.setup();
    setup.reemitter().requireAvailable();
    List<Outcome> outcomes = new ArrayList<>();
    for (EntityResult result : report.entities()) {
      if (result.differences().isEmpty()) {
        continue;
      }
      MappedEntity entity = owner.select(List.of(result.entity())).get(0);
      if (entity.merge().isPresent()) {
        List<Difference> all = result.differences();
        outcomes.add(new Outcome(result.entity(), 0, 0, all, all, "entity " + result.entity() + " is merged from"
            + " several legacy sources, so --repair cannot re-emit its rows by key: correct the legacy rows behind"
            + " the differences (a change goes through the pipeline again), or restart the sources' capture with a"
            + " new snapshot (docs/mappings.md, \"Merger\"), then verify again"));
        continue;
      }
      Mapping mapping = entity.mapping();
      EntitySchema schema = entity.schema();
      EntityVerifier verifier = EntityVerifier.create(mapping, schema, result.entity(), setup.legacyPrimary(),
          setup.fresh(), setup.settings().options(false, null), CohortResolver.NONE, DeadLetters.NONE, clock);
      if (!verifier.aligned()) {
        // A difference names the new key; the legacy row behind it is not known by key here.
        List<Difference> all = result.differences();
        outcomes.add(new Outcome(result.entity(), 0, 0, all, all, "entity " + result.entity()
            + " is verified by key buckets (" + verifier.unalignedReason() + "), so --repair cannot re-emit its"
            + " rows by key: run `tandem resnapshot --entity " + result.entity() + " --reason ...` to send every"
            + " legacy row through the pipeline again (rows legacy no longer has stay: delete them on new), then"
            + " verify again"));
        continue;
      }
      List<List<?>> reEmit = new ArrayList<>();
      List<Difference> delete = new ArrayList<>();
      List<Difference> notRepairable = new ArrayList<>();
      List<Difference> repaired = new ArrayList<>();
      int deleted = 0;
      try (EntityVerifier.LegacyLookup lookup = verifier.legacyLookup()) {
        for (Difference difference : result.differences()) {
          if (difference.kind() == Difference.Kind.UNMAPPABLE) {
            notRepairable.add(difference);
            continue;
          }
          repaired.add(difference);
          if (difference.kind() == Difference.Kind.EXTRA && !lookup.hasMappedRow(difference)) {
            delete.add(difference);
          } else {
            reEmit.add(verifier.legacyKey(difference));
          }
        }
        try (Connection legacy = setup.legacyPrimary().open()) {
          if (!reEmit.isEmpty()) {
            setup.reemitter().request(legacy, mapping.sourceTable(), verifier.legacyKeyColumns(), reEmit);
          }
          if (!delete.isEmpty()) {
            deleted = publishDeletes(setup, schema, verifier, lookup, delete, legacy, clock);
          }
        }
      } catch (SQLException e) {
        throw new VerifyException("entity " + result.entity() + ": repair: " + e.getMessage(), e);
      }
      outcomes.add(new Outcome(result.entity(), reEmit.size(), deleted, notRepairable,
          verifier.awaitResolved(repaired, timeout), null));
    }
    return outcomes;
  }

  /**
   * Deletes at the legacy's current position, read before the keys are checked again: a legacy
   * insert of such a key that committed earlier is seen by the check (and the key is left alone).
   *
   * @return how many deletes were published
   */
  private static int publishDeletes(Verifier.Setup setup, EntitySchema schema, EntityVerifier verifier,
      EntityVerifier.LegacyLookup lookup, List<Difference> extras, Connection legacy, Clock clock)
      throws SQLException, InterruptedException {
    long position = setup.reemitter().currentPosition(legacy);
    try (AvroSerializer keys = new AvroSerializer(AvroSerdeConfig.withClient(setup.registry()), true);
        KafkaProducer<byte[], byte[]> producer = setup.kafka().producer(Map.of(),
            Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (Difference extra : extras) {
        if (lookup.hasMappedRow(extra)) {
          continue; // it appeared on legacy meanwhile: the pipeline brings it
        }
        RecordHeaders headers = new RecordHeaders();
        ChangeHeaders.putLong(headers, ChangeHeaders.POSITION, position);
        ChangeHeaders.putLong(headers, ChangeHeaders.COMMIT_TS, clock.millis());
        ChangeHeaders.putText(headers, ChangeHeaders.OP, "d");
        ChangeHeaders.putText(headers, ChangeHeaders.SOURCE, "tandem-verify-repair");
        byte[] key = keys.serialize(schema.topic(), headers, schema.keyRecord(verifier.newKey(extra)));
        sent.add(producer.send(new ProducerRecord<>(schema.topic(), null, key, null, headers)));
      }
      for (java.util.concurrent.Future<?> future : sent) {
        future.get(30, TimeUnit.SECONDS);
      }
      return sent.size();
    } catch (ExecutionException | TimeoutException e) {
      throw new VerifyException("cannot publish deletes to " + schema.topic() + ": " + e.getMessage(), e);
    }
  }
}
