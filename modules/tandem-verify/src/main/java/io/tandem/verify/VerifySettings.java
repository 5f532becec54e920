package io.tandem.verify;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code verify} section: how passes run ({@code tandem verify}, and the {@code verify} component of
 * {@code tandem run}; docs/verify.md).
 *
 * @param legacyReplicaUrl read legacy rows from this replica instead of the primary
 * @param interval pause between passes of the continuous verifier
 * @param deadLetterTopics a difference whose key is in one is reported as dead-lettered
 */
public record VerifySettings(int chunkSize, int legacyRowsPerSecond, Optional<String> legacyReplicaUrl,
    Duration recheckDelay, int recheckRounds, Duration interval, String statusTopic, String routingTopic,
    List<String> deadLetterTopics) {

  public static final Section SECTION = Section.of("verify", "optional",
      "The verifier (`tandem verify`, and the `verify` component of `tandem run`; docs/verify.md).");
  public static final Setting<Integer> CHUNK_SIZE = Setting.integer("verify.chunkSize", 10_000, 100, 1_000_000,
      "Legacy rows per chunk; a chunk's fingerprint is compared as one, rows only where it differs.");
  public static final Setting<Integer> LEGACY_ROWS_PER_SECOND = Setting.integer("verify.legacyRowsPerSecond", 0, 0,
      Integer.MAX_VALUE, "Read budget on the legacy database, rows per second; 0 = unlimited.")
      .documentedAs("integer ≥ 0");
  public static final Setting<String> LEGACY_REPLICA_URL = Setting.optionalText("verify.legacyReplicaUrl",
      "JDBC URL", "(the primary)", "Read legacy rows from this replica instead of the primary (same user and "
          + "password as the connector). Re-checks then also read it: keep its replay lag small.")
      .requiring(url -> url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:mariadb:"),
          "a JDBC URL of the legacy database's kind (jdbc:postgresql://host:port/db or jdbc:mariadb://host:port/db)");
  public static final Setting<Duration> RECHECK_DELAY = Setting.millis("verify.recheckDelayMs", 2000, 0, 3_600_000,
      "Wait before re-reading a differing row; raised to twice the latest replication lag reported on the status "
          + "topic, so a change still in flight is not reported.");
  public static final Setting<Integer> RECHECK_ROUNDS = Setting.integer("verify.recheckRounds", 5, 1, 100,
      "Re-checks for a row whose legacy value keeps changing; after the last it is reported unsettled.");
  public static final Setting<Duration> INTERVAL = Setting.millis("verify.intervalMs", 600_000, 0, 86_400_000,
      "`tandem run` with the `verify` component: pause between passes.");
  public static final Setting<String> STATUS_TOPIC = Setting.text("verify.statusTopic", "tandem.status",
      "Compacted topic the passes are published to; the router's promotion gates read it.");
  public static final Setting<String> ROUTING_TOPIC = Setting.text("verify.routingTopic", "tandem.routing",
      "The routing log: differences and passes are attributed to the router's cohorts.");
  public static final Setting<List<String>> DEAD_LETTER_TOPICS = Setting.custom("verify.deadLetterTopics",
      "comma-separated topics", "`tandem.dlq.transform,tandem.dlq.sink`",
      "Dead-letter topics: a difference whose key is in one is reported as dead-lettered, with the reason.",
      List.of(io.tandem.kafka.DeadLetter.topic("transform"), io.tandem.kafka.DeadLetter.topic("sink")),
      (section, path, node) -> topics(section.scalar(path, node, "comma-separated topics")));

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, CHUNK_SIZE, LEGACY_ROWS_PER_SECOND,
      LEGACY_REPLICA_URL, RECHECK_DELAY, RECHECK_ROUNDS, INTERVAL, STATUS_TOPIC, ROUTING_TOPIC, DEAD_LETTER_TOPICS);

  public VerifySettings {
    CHUNK_SIZE.check(chunkSize);
    LEGACY_ROWS_PER_SECOND.check(legacyRowsPerSecond);
    legacyReplicaUrl.ifPresent(LEGACY_REPLICA_URL::check);
    RECHECK_DELAY.check(recheckDelay);
    RECHECK_ROUNDS.check(recheckRounds);
    INTERVAL.check(interval);
    deadLetterTopics = List.copyOf(deadLetterTopics);
  }

  /** Every default. */
  public static VerifySettings defaults() {
    return new VerifySettings(CHUNK_SIZE.defaultValue(), LEGACY_ROWS_PER_SECOND.defaultValue(), Optional.empty(),
        RECHECK_DELAY.defaultValue(), RECHECK_ROUNDS.defaultValue(), INTERVAL.defaultValue(),
        STATUS_TOPIC.defaultValue(), ROUTING_TOPIC.defaultValue(), DEAD_LETTER_TOPICS.defaultValue());
  }

  /** Reads the {@code verify} section (absent: every default). */
  public static VerifySettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new VerifySettings(section.get(CHUNK_SIZE), section.get(LEGACY_ROWS_PER_SECOND),
        Optional.ofNullable(section.get(LEGACY_REPLICA_URL)), section.get(RECHECK_DELAY), section.get(RECHECK_ROUNDS),
        section.get(INTERVAL), section.get(STATUS_TOPIC), section.get(ROUTING_TOPIC), section.get(DEAD_LETTER_TOPICS));
  }

  /** How a pass runs with these settings. */
  public VerifyOptions options(boolean showValues, String cohort) {
    return options(showValues, cohort, false);
  }

  public VerifyOptions options(boolean showValues, String cohort, boolean revealSensitive) {
    return new VerifyOptions(chunkSize, legacyRowsPerSecond, recheckDelay, recheckRounds, showValues, cohort,
        revealSensitive);
  }

  /** The settings as safe to log: the replica URL's user info and password parameter masked. */
  @Override
  public String toString() {
    return "VerifySettings[chunkSize=" + chunkSize + ", legacyRowsPerSecond=" + legacyRowsPerSecond
        + ", legacyReplicaUrl=" + legacyReplicaUrl.map(io.tandem.core.config.Secrets::maskUrl) + ", recheckDelay="
        + recheckDelay + ", recheckRounds=" + recheckRounds + ", interval=" + interval + ", statusTopic="
        + statusTopic + ", routingTopic=" + routingTopic + ", deadLetterTopics=" + deadLetterTopics + "]";
  }

  private static List<String> topics(String text) {
    List<String> topics = new ArrayList<>();
    for (String topic : text.split(",")) {
      if (!topic.isBlank()) {
        topics.add(topic.trim());
      }
    }
    return topics;
  }
}
