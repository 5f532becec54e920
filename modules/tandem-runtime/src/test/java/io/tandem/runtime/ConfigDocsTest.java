package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.core.config.ConfigDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md carries the key table generated from {@link TandemConfig#SCHEMA}, composed of the
 * definitions each module owns. To regenerate it:
 * {@code ./mvnw -o -q test -pl modules/tandem-runtime -am -Dtest=ConfigDocsTest -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.docs.update=true}.
 */
class ConfigDocsTest {
  static final String BEGIN = "<!-- BEGIN GENERATED: TandemConfig.SCHEMA.markdownTable() -->\n";
  static final String END = "<!-- END GENERATED -->";

  @Test
  void configurationReferenceMatchesTheKeyDefinitions() throws IOException {
    Path doc = ROOT.resolve("docs/configuration.md");
    String text = Files.readString(doc);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertThat(begin).as("marker %s in %s", BEGIN.strip(), doc).isNotNegative();
    assertThat(end).as("marker %s in %s", END, doc).isGreaterThan(begin);
    String generated = TandemConfig.SCHEMA.markdownTable();
    String current = text.substring(begin + BEGIN.length(), end);
    if (Boolean.getBoolean("tandem.docs.update") && !current.equals(generated)) {
      Files.writeString(doc, text.substring(0, begin + BEGIN.length()) + generated + text.substring(end));
      current = generated;
    }
    assertThat(current).as("the key table in %s is out of date; regenerate it (see ConfigDocsTest)", doc)
        .isEqualTo(generated);
  }

  @Test
  void everySectionAppearsInTheExampleConfig() throws IOException {
    String example = Files.readString(ROOT.resolve("tandem.example.yaml"));
    for (ConfigDefinition definition : TandemConfig.SCHEMA.definitions()) {
      if (definition.type().equals("section")) {
        // A nested section (router.gates) is written indented under its parent: "\n  gates:".
        String indent = "  ".repeat((int) definition.path().chars().filter(c -> c == '.').count());
        assertThat(example).as("section %s in tandem.example.yaml", definition.path())
            .contains("\n" + indent + definition.name() + ":");
      }
    }
  }
}
