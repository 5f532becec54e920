package io.tandem.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One definition per key: the file and code are checked by the same rule, the docs come from it. */
class SettingTest {
  static final Section STAGE = Section.of("stage", "optional", "A stage.");
  static final Setting<Integer> BATCH = Setting.integer("stage.batch", 2000, 1, 100_000, "Records per batch.");
  static final Setting<Duration> WAIT = Setting.duration("stage.wait", "5s", Duration.ZERO, "How long to wait.");
  static final Setting<String> GROUP = Setting.text("stage.group", "g", "The group.").trimmed()
      .requiring(g -> !g.isBlank(), "a group id");
  static final Setting<Path> DIR = Setting.path("stage.dir", "data", null, "Where.");
  static final ConfigSchema SCHEMA = ConfigSchema.of(List.of(STAGE, BATCH, WAIT, GROUP, DIR));

  @TempDir
  Path folder;

  private ConfigSection stage(String yaml, Map<String, String> env) throws IOException {
    Path file = Files.writeString(folder.resolve("t.yaml"), yaml);
    return ConfigSection.load(file, env, SCHEMA).section(STAGE);
  }

  @Test
  void absentKeysTakeTheirDefaultsAndPathsResolveAgainstTheFile() throws IOException {
    ConfigSection section = stage("stage: {}\n", Map.of());
    assertThat(section.get(BATCH)).isEqualTo(2000);
    assertThat(section.get(WAIT)).isEqualTo(Duration.ofSeconds(5));
    assertThat(section.get(GROUP)).isEqualTo("g");
    assertThat(section.get(DIR)).isEqualTo(folder.resolve("data"));
    assertThat(BATCH.defaultValue()).isEqualTo(2000);
  }

  @Test
  void valuesFromTheFileAndFromCodeAreCheckedByTheSameRule() throws IOException {
    Path file = folder.resolve("t.yaml");
    assertThatThrownBy(() -> stage("stage:\n  batch: 0\n", Map.of()).get(BATCH)).isInstanceOf(ConfigException.class)
        .hasMessage(file + ": key 'stage.batch': expected an integer from 1 to 100000, got '0'");
    assertThatThrownBy(() -> BATCH.check(0)).isInstanceOf(ConfigException.class)
        .hasMessage("settings: key 'stage.batch': expected an integer from 1 to 100000, got '0'");
    assertThat(BATCH.check(100_000)).isEqualTo(100_000);
    assertThatThrownBy(() -> stage("stage:\n  batch: 2.5\n", Map.of()).get(BATCH)).hasMessageContaining("'2.5'");
    assertThatThrownBy(() -> stage("stage:\n  wait: 5\n", Map.of()).get(WAIT))
        .hasMessageContaining("a duration such as 500ms");
    assertThatThrownBy(() -> stage("stage:\n  group: '  '\n", Map.of()).get(GROUP)).hasMessageContaining("a group id");
    assertThat(stage("stage:\n  group: ' g2 '\n", Map.of()).get(GROUP)).isEqualTo("g2");
  }

  @Test
  void placeholdersResolveAndUnknownKeysAreRefusedWithASuggestion() throws IOException {
    assertThat(stage("stage:\n  batch: ${BATCH}\n", Map.of("BATCH", "500")).get(BATCH)).isEqualTo(500);
    assertThatThrownBy(() -> stage("stage:\n  bacth: 1\n", Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'stage.bacth'").hasMessageContaining("did you mean 'batch'");
  }

  @Test
  void theReferenceTableIsGeneratedFromTheDefinitions() {
    assertThat(SCHEMA.markdownTable()).contains("| **`stage`** | section | optional | A stage. |")
        .contains("| `stage.batch` | integer 1–100000 | `2000` | Records per batch. |");
    assertThatThrownBy(() -> ConfigSchema.of(List.of(BATCH), List.of(BATCH)))
        .hasMessageContaining("defined twice: stage.batch");
  }
}
