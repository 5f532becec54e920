package io.tandem.sink;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.time.Duration;
import java.util.List;

/**
 * The {@code sink} section: how the sink consumes. Each key is defined once, here; the file and the
 * builder are checked by the same rules.
 *
 * @param tombstoneRetention how long deleted keys' tombstones are kept; zero = forever
 * @param maxRowsPerSecond write budget on the target database; 0 = unlimited
 */
public record SinkSettings(String groupId, int maxPollRecords, Duration tombstoneRetention, int maxRowsPerSecond) {

  public static final Section SECTION = Section.of("sink", "optional", "The sink stage.");
  public static final Setting<String> GROUP_ID = Setting.text("sink.groupId", "tandem-sink",
      "Consumer group; instances with the same group share the partitions.").trimmed()
      .requiring(g -> !g.isBlank(), "a consumer group id");
  public static final Setting<Integer> MAX_POLL_RECORDS = Setting.integer("sink.maxPollRecords", 2000, 1, 100_000,
      "Records per poll = per database transaction.");
  public static final Setting<Duration> TOMBSTONE_RETENTION = Setting.hours("sink.tombstoneRetentionHours", 168, 0,
      87_600, "How long a deleted key's tombstone is kept (it rejects replayed changes older than the delete); 0 = "
          + "forever. Keep it above the raw and migrated topics' retention.");

  public static final Setting<Integer> MAX_ROWS_PER_SECOND = Setting.integer("sink.maxRowsPerSecond", 0, 0,
      10_000_000, "Write budget on the target database, in rows (changes) per second for this process; 0 = unlimited. "
          + "The sink waits before a batch that would exceed it (one second's worth may pass at once after a pause); "
          + "`tandem_sink_throttle_seconds_total` counts the waiting. Keep it above `maxPollRecords` / 60, or a "
          + "batch may wait past the consumer's `max.poll.interval.ms` (5 min).");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, GROUP_ID, MAX_POLL_RECORDS,
      TOMBSTONE_RETENTION, MAX_ROWS_PER_SECOND);

  public SinkSettings {
    GROUP_ID.check(groupId);
    MAX_POLL_RECORDS.check(maxPollRecords);
    TOMBSTONE_RETENTION.check(tombstoneRetention);
    MAX_ROWS_PER_SECOND.check(maxRowsPerSecond);
  }

  /** No write budget. */
  public SinkSettings(String groupId, int maxPollRecords, Duration tombstoneRetention) {
    this(groupId, maxPollRecords, tombstoneRetention, 0);
  }

  /** Every default. */
  public static SinkSettings defaults() {
    return new SinkSettings(GROUP_ID.defaultValue(), MAX_POLL_RECORDS.defaultValue(), TOMBSTONE_RETENTION.defaultValue(),
        MAX_ROWS_PER_SECOND.defaultValue());
  }

  /** Reads the {@code sink} section (absent: every default). */
  public static SinkSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new SinkSettings(section.get(GROUP_ID), section.get(MAX_POLL_RECORDS), section.get(TOMBSTONE_RETENTION),
        section.get(MAX_ROWS_PER_SECOND));
  }

  public SinkSettings withGroupId(String group) {
    return new SinkSettings(group, maxPollRecords, tombstoneRetention, maxRowsPerSecond);
  }

  public SinkSettings withMaxPollRecords(int records) {
    return new SinkSettings(groupId, records, tombstoneRetention, maxRowsPerSecond);
  }

  public SinkSettings withTombstoneRetention(Duration retention) {
    return new SinkSettings(groupId, maxPollRecords, retention, maxRowsPerSecond);
  }

  public SinkSettings withMaxRowsPerSecond(int rows) {
    return new SinkSettings(groupId, maxPollRecords, tombstoneRetention, rows);
  }
}
