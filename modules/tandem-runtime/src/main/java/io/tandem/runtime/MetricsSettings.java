package io.tandem.runtime;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.util.List;

/** The {@code metrics} section: where {@link HealthServer} listens. */
public record MetricsSettings(String host, int port) {

  public static final Section SECTION = Section.of("metrics", "optional",
      "Prometheus and health endpoints (`/metrics`, `/health`, `/ready`).");
  public static final Setting<String> HOST = Setting.text("metrics.host", "0.0.0.0", "Address it listens on.")
      .trimmed().requiring(h -> !h.isBlank(), "a host name or address");
  public static final Setting<Integer> PORT = Setting.integer("metrics.port", 9404, 0, 65535,
      "Port; 0 = any free port.");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, HOST, PORT);

  public MetricsSettings {
    HOST.check(host);
    PORT.check(port);
  }

  /** Reads the {@code metrics} section (absent: every default). */
  public static MetricsSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new MetricsSettings(section.get(HOST), section.get(PORT));
  }
}
