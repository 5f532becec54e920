package io.tandem.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code registry} section: an external Confluent-compatible registry ({@code urls}) or Tandem's
 * embedded one, never both.
 *
 * @param urls the external registry's URLs, in failover order; empty when embedded
 */
public record RegistrySettings(List<URI> urls, Optional<Embedded> embedded, Optional<BasicAuth> basicAuth) {
  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]+");
  private static final String EITHER =
      "'url' (an external registry) or 'embedded: true' (Tandem's registry in this process)";

  /** Tandem's registry inside this process, its state in a compacted Kafka topic. */
  public record Embedded(String host, int port, String topic) {
    public Embedded {
      EMBEDDED_HOST.check(host);
      EMBEDDED_PORT.check(port);
      EMBEDDED_TOPIC.check(topic);
    }

    /** Where a client in this process reaches it: a wildcard address is reached on loopback. */
    public URI localUrl(int boundPort) {
      boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
      return URI.create("http://" + (wildcard ? "127.0.0.1" : host) + ":" + boundPort);
    }
  }

  /** HTTP basic authentication; the password is never printed. */
  public record BasicAuth(String user, String password) {
    @Override
    public String toString() {
      return "BasicAuth[user=" + user + ", password=" + Secrets.MASK + "]";
    }
  }

  public static final Section SECTION = Section.of("registry", "required by capture, transform, sink and verify",
      "The schema registry: exactly one of `url` and `embedded`.");
  public static final Setting<String> URL = Setting.optionalText("registry.url",
      "string: `http(s)://` URLs, comma-separated", "—",
      "A Confluent-compatible registry (Confluent, Karapace, Apicurio ccompat, Redpanda, another Tandem's "
          + "embedded registry). Several URLs are tried in order (failover).");
  public static final Section EMBEDDED = new Section("registry.embedded", "`true`, `false` or a section", "`false`",
      "Run Tandem's registry inside this process, its state in a compacted Kafka topic (docs/registry.md). "
          + "Every process started with the same `kafka` and `topic` serves the same registry, so each stage "
          + "deployment can embed its own instance. `true` = a section with every default.");
  public static final Setting<String> EMBEDDED_HOST = Setting.text("registry.embedded.host", "127.0.0.1",
      "Address the embedded registry listens on; `0.0.0.0` to serve other hosts, which requires `registry.user` and "
          + "`registry.password` (a registry beyond loopback without basic auth refuses to start).").trimmed()
      .requiring(h -> !h.isBlank(), "a host name or address");
  public static final Setting<Integer> EMBEDDED_PORT = Setting.integer("registry.embedded.port", 8081, 0, 65535,
      "Its port; 0 = any free port.");
  public static final Setting<String> EMBEDDED_TOPIC = Setting.text("registry.embedded.topic", "_schemas",
      "Its storage topic (one partition, compacted; created if missing).")
      .requiring(t -> TOPIC.matcher(t).matches() && t.length() <= 249,
          "a Kafka topic name (letters, digits, '.', '_', '-')");
  public static final Setting<String> USER = Setting.optionalText("registry.user", "string", "—",
      "HTTP basic-auth user: sent to an external registry; required by the embedded one when it listens beyond "
          + "loopback (optional on loopback). Needs `password`.");
  public static final Setting<String> PASSWORD = Setting.optionalText("registry.password", "string (secret)", "—",
      "Basic-auth password; needs `user`. Masked in logs and messages.");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, URL, EMBEDDED, EMBEDDED_HOST,
      EMBEDDED_PORT, EMBEDDED_TOPIC, USER, PASSWORD);

  public RegistrySettings {
    urls = List.copyOf(urls);
    if (urls.isEmpty() == embedded.isEmpty()) {
      throw new ConfigException("settings", SECTION.path(), EITHER + ", not both", urls.isEmpty() ? "neither" : "both");
    }
  }

  /** An external registry. */
  public static RegistrySettings external(URI... urls) {
    return new RegistrySettings(List.of(urls), Optional.empty(), Optional.empty());
  }

  /** Reads the {@code registry} section; empty when it is absent (components that need it say so). */
  public static Optional<RegistrySettings> read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    if (!section.present()) {
      return Optional.empty();
    }
    Optional<Embedded> embedded = embedded(section);
    String urlText = section.get(URL);
    List<URI> urls = List.of();
    if (urlText != null) {
      if (embedded.isPresent()) {
        throw section.error(URL.path(), "no url when registry.embedded is on: " + EITHER + ", not both", urlText);
      }
      urls = urls(section, urlText);
    } else if (embedded.isEmpty()) {
      throw new ConfigException(root.source(), URL.path(), EITHER, null);
    }
    String user = section.get(USER);
    String password = section.get(PASSWORD);
    Optional<BasicAuth> auth = Optional.empty();
    if (user != null || password != null) {
      if (user == null || user.isBlank()) {
        throw section.error(USER.path(), "a user name (registry.password is set)", user);
      }
      if (password == null) {
        throw section.error(PASSWORD.path(), "a password (registry.user is set)", null);
      }
      auth = Optional.of(new BasicAuth(user, password));
    }
    if (embedded.isPresent() && auth.isEmpty() && !EmbeddedSchemaRegistry.isLoopback(embedded.get().host())) {
      // It would accept anonymous schema writes and deletes from the network.
      throw new ConfigException(root.source(), USER.path(), "registry.user and registry.password (basic auth): "
          + "the embedded registry listens beyond loopback (registry.embedded.host " + embedded.get().host() + ")",
          null);
    }
    return Optional.of(new RegistrySettings(urls, embedded, auth));
  }

  private static Optional<Embedded> embedded(ConfigSection registry) {
    JsonNode node = registry.node(EMBEDDED);
    String expected = "true, false or a section with the keys [host, port, topic]";
    if (node == null) {
      return Optional.empty();
    }
    ConfigSection section;
    if (node.isObject()) {
      section = registry.section(EMBEDDED);
    } else if (node.isBoolean() || node.isTextual()) {
      String flag = registry.scalar(EMBEDDED.path(), node, expected).trim().toLowerCase(Locale.ROOT);
      if (flag.equals("false")) {
        return Optional.empty();
      }
      if (!flag.equals("true")) {
        throw registry.error(EMBEDDED.path(), expected, node);
      }
      section = registry.empty(EMBEDDED);
    } else {
      throw registry.error(EMBEDDED.path(), expected, node);
    }
    return Optional.of(new Embedded(section.get(EMBEDDED_HOST), section.get(EMBEDDED_PORT),
        section.get(EMBEDDED_TOPIC)));
  }

  private static List<URI> urls(ConfigSection section, String text) {
    String expected = "one or more http(s)://host[:port][/path] URLs, comma-separated";
    List<URI> urls = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      URI uri;
      try {
        uri = new URI(part.trim());
      } catch (java.net.URISyntaxException e) {
        throw section.error(URL.path(), expected, text);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw section.error(URL.path(), expected, text);
      }
      urls.add(uri);
    }
    return urls;
  }

  @Override
  public String toString() {
    return "Registry[" + (embedded.isPresent() ? "embedded=" + embedded.get()
        : "urls=" + urls.stream().map(u -> Secrets.maskUrl(u.toString())).toList())
        + basicAuth.map(a -> ", basicAuth=" + a).orElse("") + "]";
  }
}
