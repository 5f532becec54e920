package io.tandem.runtime;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import io.tandem.core.tls.ServerTls;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code metrics} section: where {@link HealthServer} listens, and whether over HTTPS.
 *
 * @param tls the listener's key material; empty: plain HTTP
 */
public record MetricsSettings(String host, int port, Optional<ServerTls> tls) {

  public static final Section SECTION = Section.of("metrics", "optional",
      "Prometheus and health endpoints (`/metrics`, `/health`, `/ready`).");
  public static final Setting<String> HOST = Setting.text("metrics.host", "127.0.0.1",
      "Address it listens on; the default serves this host only (loopback), `0.0.0.0` every interface (e.g. for a "
          + "Prometheus on another host, or Kubernetes probes).")
      .trimmed().requiring(h -> !h.isBlank(), "a host name or address");
  public static final Setting<Integer> PORT = Setting.integer("metrics.port", 9404, 0, 65535,
      "Port; 0 = any free port.");
  public static final ServerTls.Keys TLS = ServerTls.Keys.under("metrics", "`/metrics`, `/health` and `/ready`",
      "TANDEM_METRICS_KEYSTORE_PASSWORD");

  public static final List<ConfigDefinition> DEFINITIONS = definitions();

  public MetricsSettings {
    HOST.check(host);
    PORT.check(port);
    Objects.requireNonNull(tls, "tls");
  }

  /** Plain HTTP. */
  public MetricsSettings(String host, int port) {
    this(host, port, Optional.empty());
  }

  /** Reads the {@code metrics} section (absent: every default). */
  public static MetricsSettings read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    return new MetricsSettings(section.get(HOST), section.get(PORT), TLS.read(section));
  }

  private static List<ConfigDefinition> definitions() {
    List<ConfigDefinition> all = new ArrayList<>(List.of(SECTION, HOST, PORT));
    all.addAll(TLS.definitions());
    return List.copyOf(all);
  }
}
