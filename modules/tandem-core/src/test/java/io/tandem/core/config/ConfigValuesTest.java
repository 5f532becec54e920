package io.tandem.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
  private enum Mode { FAST, SAFE }

  @Test
  void readsTypedValuesWithDefaults() {
    ConfigValues values = new ConfigValues("tandem.yaml", Map.of(
        "flag", "TRUE", "count", "7", "wait", 250, "mode", "safe", "urls", "http://a:1, https://b/path"));

    assertThat(values.bool("flag", false)).isTrue();
    assertThat(values.bool("missing", true)).isTrue();
    assertThat(values.intInRange("count", 1, 1, 10)).isEqualTo(7);
    assertThat(values.millis("wait", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
    assertThat(values.enumValue("mode", Mode.class, Mode.FAST)).isEqualTo(Mode.SAFE);
    assertThat(values.httpUrls("urls")).containsExactly(URI.create("http://a:1"), URI.create("https://b/path"));
  }

  @Test
  void errorsNameSourceKeyExpectationAndValue() {
    ConfigValues values = new ConfigValues("tandem.yaml", Map.of(
        "flag", "yes", "count", "70", "wait", "-1", "mode", "slow", "urls", "ftp://x", "blank", " "));

    assertThatThrownBy(() -> values.bool("flag", false)).isInstanceOf(ConfigException.class)
        .hasMessage("tandem.yaml: key 'flag': expected true or false, got 'yes'");
    assertThatThrownBy(() -> values.intInRange("count", 1, 1, 10))
        .hasMessage("tandem.yaml: key 'count': expected an integer from 1 to 10, got '70'");
    assertThatThrownBy(() -> values.millis("wait", Duration.ZERO)).hasMessageContaining("non-negative");
    assertThatThrownBy(() -> values.enumValue("mode", Mode.class, Mode.FAST)).hasMessageContaining("[FAST, SAFE]");
    assertThatThrownBy(() -> values.httpUrls("urls")).hasMessageContaining("http(s) URLs");
    assertThatThrownBy(() -> values.requiredString("blank", "a name"))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.source()).isEqualTo("tandem.yaml");
          assertThat(e.key()).isEqualTo("blank");
          assertThat(e.expected()).isEqualTo("a name");
        });
    assertThatThrownBy(() -> values.requiredString("absent", "a name")).hasMessageEndingWith("got nothing");
  }
}
