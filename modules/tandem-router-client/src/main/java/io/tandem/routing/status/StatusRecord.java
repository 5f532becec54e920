package io.tandem.routing.status;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A fact the promotion gates rely on, published to the compacted status topic (default
 * {@code tandem.status}) by the stage that knows it: the verifier's passes and the pipeline's
 * replication lag. Compaction keeps the newest record per {@link #key()}.
 */
public sealed interface StatusRecord {
  /** The cohort name of an entity-wide verification: it covers every key, whatever its cohort. */
  String ALL_COHORTS = "*";

  String entity();

  /** When the fact was established; gates compare it with their maximum age. */
  Instant at();

  /**
   * The compaction key: {@code verify/<entity>/<cohort>}, {@code lag/<entity>} (the sink's end-to-end lag),
   * {@code lag/<entity>/capture} (capture's liveness) or {@code mapping/<entity>} (the running mapping).
   */
  String key();

  /** The compaction key of an entity's verification passes of {@code cohort} ({@link #ALL_COHORTS}: entity-wide). */
  static String verificationKey(String entity, String cohort) {
    return "verify/" + entity + "/" + cohort;
  }

  /** The compaction key of an entity's replication lag, as the sink measures it (legacy commit → visible). */
  static String lagKey(String entity) {
    return "lag/" + entity;
  }

  /** The compaction key of another source's lag report for an entity: {@code lag/<entity>/<source>}. */
  static String lagKey(String entity, String source) {
    return "lag/" + entity + "/" + source;
  }

  /** The compaction key of the mapping a running transform applies to an entity. */
  static String mappingKey(String entity) {
    return "mapping/" + entity;
  }

  /** The compaction key of one running stage instance's progress report ({@link StageProgress}). */
  static String progressKey(String stage, String instance) {
    return "progress/" + stage + "/" + instance;
  }

  /** The compaction key of the capture's lag report for an entity ({@link Lag#CAPTURE}). */
  static String captureLagKey(String entity) {
    return "lag/" + entity + "/" + Lag.CAPTURE;
  }

  /**
   * One finished verification pass of an entity, restricted to one cohort or entity-wide
   * ({@link #ALL_COHORTS}).
   *
   * @param routingVersion the routing version whose cohort definitions attributed keys to cohorts;
   *     a gate only trusts a cohort's pass if the cohort's selector has not changed since
   * @param rowsChecked legacy rows compared (in the cohort)
   * @param differences differences that remained after re-checking (0 when clean)
   * @param mapping the fingerprint of the mapping and schema the pass used ({@link MappingVersion}); null
   *     from a verifier older than fingerprints
   * @param samples up to {@link #MAX_SAMPLES} of the differences: where they are, never a value
   */
  record Verification(String entity, String cohort, boolean clean, Instant startedAt, Instant finishedAt,
      long routingVersion, long rowsChecked, long differences, String mapping, List<Sample> samples)
      implements StatusRecord {
    /** Differences named in a status record; the verifier's report has them all. */
    public static final int MAX_SAMPLES = 20;

    public Verification(String entity, String cohort, boolean clean, Instant startedAt, Instant finishedAt,
        long routingVersion, long rowsChecked, long differences) {
      this(entity, cohort, clean, startedAt, finishedAt, routingVersion, rowsChecked, differences, null, List.of());
    }

    public Verification(String entity, String cohort, boolean clean, Instant startedAt, Instant finishedAt,
        long routingVersion, long rowsChecked, long differences, String mapping) {
      this(entity, cohort, clean, startedAt, finishedAt, routingVersion, rowsChecked, differences, mapping,
          List.of());
    }

    /** The same pass, made with the mapping of this fingerprint. */
    public Verification withMapping(String fingerprint) {
      return new Verification(entity, cohort, clean, startedAt, finishedAt, routingVersion, rowsChecked,
          differences, fingerprint, samples);
    }

    /** The same pass, naming some of its differences. */
    public Verification withSamples(List<Sample> samples) {
      return new Verification(entity, cohort, clean, startedAt, finishedAt, routingVersion, rowsChecked,
          differences, mapping, samples);
    }

    public Verification {
      Objects.requireNonNull(entity, "entity");
      Objects.requireNonNull(cohort, "cohort");
      Objects.requireNonNull(startedAt, "startedAt");
      Objects.requireNonNull(finishedAt, "finishedAt");
      if (clean && differences != 0) {
        throw new IllegalArgumentException("a clean pass has no differences, got " + differences);
      }
      samples = samples == null ? List.of() : List.copyOf(samples.subList(0, Math.min(MAX_SAMPLES, samples.size())));
    }

    @Override
    public Instant at() {
      return finishedAt;
    }

    @Override
    public String key() {
      return verificationKey(entity, cohort);
    }

    public boolean entityWide() {
      return ALL_COHORTS.equals(cohort);
    }

    /**
     * One difference of a pass: the new key, its kind ({@code missing}, {@code extra}, {@code different},
     * {@code unmappable}) and for {@code different} the fields that differ (names only: a status record is read
     * by every viewer, so it never carries a value).
     */
    public record Sample(String key, String kind, List<String> fields, boolean deadLettered) {
      public Sample {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        fields = fields == null ? List.of() : List.copyOf(fields);
      }
    }
  }

  /**
   * The replication lag of an entity as measured by {@code source} at {@code measuredAt}. From the sink
   * ({@link #SINK}): legacy commit → visible in the new database. From capture ({@link #CAPTURE}): how long
   * capture has been silent beyond its heartbeat interval, so a stalled capture, which leaves the sink idle
   * and "caught up", still shows. Each source has its own key.
   */
  record Lag(String entity, long lagMillis, Instant measuredAt, String source) implements StatusRecord {
    public static final String SINK = "sink";
    public static final String CAPTURE = "capture";
    /** Reverse sync's sink (new commit → visible in legacy). */
    public static final String REVERSE_SINK = "reverse-sink";
    /** Capture of the new database (silence beyond its heartbeats). */
    public static final String REVERSE_CAPTURE = "reverse-capture";

    public Lag {
      Objects.requireNonNull(entity, "entity");
      Objects.requireNonNull(measuredAt, "measuredAt");
      Objects.requireNonNull(source, "source");
      if (lagMillis < 0) {
        throw new IllegalArgumentException("lagMillis must be >= 0, got " + lagMillis);
      }
    }

    @Override
    public Instant at() {
      return measuredAt;
    }

    @Override
    public String key() {
      return SINK.equals(source) ? lagKey(entity) : lagKey(entity, source);
    }
  }

  /**
   * How far one running instance of a stage has come, published every few seconds while it runs and withdrawn
   * (a tombstone) when it stops: records handled since it started, its recent rate, and for capture each
   * table's initial snapshot. A stage instance reports for every entity it runs, so {@link #entity()} is
   * {@link #ALL_COHORTS}.
   *
   * @param stage {@code capture}, {@code transform}, {@code sink}, {@code capture-new}, {@code reverse},
   *     {@code sink-legacy}, or {@code capture:<source>} for a merged source's capture
   * @param instance which process (host, process id, start sequence)
   * @param records records handled since this instance started
   * @param perSecond records per second over the last report interval
   * @param snapshot capture's initial snapshot per table (empty for other stages)
   * @param backlog records the stage's consumer group has not processed yet (the whole group's, not this
   *     instance's share); -1 when unknown or not a consumer (capture)
   */
  record StageProgress(String stage, String instance, long records, double perSecond, Instant measuredAt,
      List<TableSnapshot> snapshot, long backlog) implements StatusRecord {
    /** Without a backlog (capture). */
    public StageProgress(String stage, String instance, long records, double perSecond, Instant measuredAt,
        List<TableSnapshot> snapshot) {
      this(stage, instance, records, perSecond, measuredAt, snapshot, -1);
    }

    public StageProgress {
      Objects.requireNonNull(stage, "stage");
      Objects.requireNonNull(instance, "instance");
      Objects.requireNonNull(measuredAt, "measuredAt");
      if (records < 0 || perSecond < 0 || Double.isNaN(perSecond)) {
        throw new IllegalArgumentException("records and perSecond must be >= 0, got " + records + ", " + perSecond);
      }
      snapshot = snapshot == null ? List.of() : List.copyOf(snapshot);
    }

    @Override
    public String entity() {
      return ALL_COHORTS;
    }

    @Override
    public Instant at() {
      return measuredAt;
    }

    @Override
    public String key() {
      return progressKey(stage, instance);
    }
  }

  /**
   * One table's initial snapshot as capture delivers it.
   *
   * @param done rows delivered by this capture run
   * @param estimated the database's row estimate, -1 when unknown
   * @param finished no snapshot rows of the table remain
   * @param etaSeconds seconds to finish at the rate of the last interval, -1 when unknown (no estimate, or no
   *     progress in the interval)
   */
  record TableSnapshot(String table, long done, long estimated, boolean finished, long etaSeconds) {
    public TableSnapshot {
      Objects.requireNonNull(table, "table");
    }
  }

  /**
   * The mapping (and entity schema) a running transform applies to an entity, as a fingerprint, published
   * when the transform starts. A mapping change rolled out shows as a new fingerprint: the promotion gates
   * then wait for a clean verification made with it, so no cohort moves while the change rolls out.
   *
   * @param since when the transform with this mapping started
   */
  record MappingVersion(String entity, String fingerprint, Instant since) implements StatusRecord {
    public MappingVersion {
      Objects.requireNonNull(entity, "entity");
      Objects.requireNonNull(fingerprint, "fingerprint");
      Objects.requireNonNull(since, "since");
    }

    @Override
    public Instant at() {
      return since;
    }

    @Override
    public String key() {
      return mappingKey(entity);
    }
  }
}
