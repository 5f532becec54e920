package io.tandem.transform;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code transform} section: the Kafka Streams application.
 *
 * @param stateDir Kafka Streams state directory; two instances on one host need two
 */
public record TransformSettings(String applicationId, int threads, Path stateDir) {
  private static final Pattern APPLICATION_ID = Pattern.compile("[A-Za-z0-9._-]+");

  public static final Section SECTION = Section.of("transform", "optional", "The transform stage.");
  public static final Setting<String> APPLICATION = Setting.text("transform.applicationId", "tandem-transform",
      "Kafka Streams application id: its consumer group and the prefix of its internal topics. Instances with "
          + "the same id share the partitions.")
      .requiring(id -> APPLICATION_ID.matcher(id).matches(),
          "a Kafka Streams application id (letters, digits, '.', '_', '-')")
      .documentedAs("string of `A-Z a-z 0-9 . _ -`");
  public static final Setting<Integer> THREADS = Setting.integer("transform.threads", 1, 1, 64,
      "Stream threads in this process.");
  public static final Setting<Path> STATE_DIR = Setting.path("transform.stateDir", null,
      "`<java.io.tmpdir>/tandem-streams`", "Kafka Streams state directory. Two instances on one host need two "
          + "directories.");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, APPLICATION, THREADS, STATE_DIR);

  public TransformSettings {
    APPLICATION.check(applicationId);
    THREADS.check(threads);
    stateDir = stateDir == null ? defaultStateDir() : stateDir;
  }

  /** Every default. */
  public static TransformSettings defaults() {
    return new TransformSettings(APPLICATION.defaultValue(), THREADS.defaultValue(), null);
  }

  /** Reads the {@code transform} section (absent: every default). */
  public static TransformSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new TransformSettings(section.get(APPLICATION), section.get(THREADS), section.get(STATE_DIR));
  }

  public TransformSettings withStateDir(Path dir) {
    return new TransformSettings(applicationId, threads, dir);
  }

  private static Path defaultStateDir() {
    return Path.of(System.getProperty("java.io.tmpdir"), "tandem-streams");
  }
}
