package io.tandem.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.app.TandemCli;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.TandemConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The container image, the compose file and the Kubernetes manifests under deploy/, checked without Docker or a
 * cluster: every command line parses as the CLI parses it, every configuration they mount loads as Tandem loads
 * it (unknown keys refused) with the environment they give it, probes and scrape targets point at the ports and
 * endpoints Tandem serves, and names that refer to each other match.
 */
class DeployManifestsTest {
  private static final Path DEPLOY = DeployFiles.DEPLOY;
  private static final Path ROOT = DEPLOY.getParent();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?}");

  @Test
  void theImageCarriesTheJarConnectorsAndSchemasAndFetchesNothingAtRunTime() throws Exception {
    String dockerfile = Files.readString(DEPLOY.resolve("docker/Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY (\\S+) ").matcher(dockerfile);
    List<String> sources = new ArrayList<>();
    while (copy.find()) {
      sources.add(copy.group(1));
    }
    assertThat(sources).containsExactly("modules/tandem-app/target/tandem.jar", "connectors", "schemas");
    assertThat(Files.readString(ROOT.resolve("modules/tandem-app/pom.xml"))).contains("<finalName>tandem</finalName>");
    assertThat(ROOT.resolve("connectors/legacy-postgres.properties")).isRegularFile();
    assertThat(ROOT.resolve("schemas/mappings")).isDirectory();
    assertThat(dockerfile).containsPattern("(?m)^ENTRYPOINT \\[\"java\", .*\"-jar\", \"/opt/tandem/tandem.jar\"\\]")
        .containsPattern("(?m)^USER 10001").doesNotContainPattern("(?i)curl|wget|apt-get");
  }

  @Test
  void composeServicesRunValidCommandsOnAConfigThatLoadsAndPrometheusScrapesThemAll() throws Exception {
    JsonNode compose = YAML.readTree(DEPLOY.resolve("compose/compose.yaml").toFile());
    Map<String, String> env = envFile(DEPLOY.resolve("compose/env.example"));
    TandemConfig config = TandemConfig.load(DEPLOY.resolve("compose/tandem.yaml"), env);
    TandemConfig.loadRouter(DEPLOY.resolve("compose/tandem.yaml"), env);
    assertThat(config.legacy().connector().toString()).startsWith("/opt/tandem/connectors/");
    assertThat(ROOT.resolve("connectors").resolve(config.legacy().connector().getFileName())).isRegularFile();

    Set<String> metricsTargets = new HashSet<>();
    Set<String> routerTargets = new HashSet<>();
    Set<ComponentName> stages = new HashSet<>();
    Iterator<Map.Entry<String, JsonNode>> services = compose.path("services").fields();
    while (services.hasNext()) {
      Map.Entry<String, JsonNode> service = services.next();
      JsonNode spec = merged(service.getValue(), compose);
      for (JsonNode dependency : iterable(spec.path("depends_on").fieldNames())) {
        assertThat(compose.path("services").has(dependency.asText())).as(service.getKey() + " depends on "
            + dependency.asText()).isTrue();
      }
      if (!spec.path("image").asText().startsWith("tandem:")) {
        continue;
      }
      List<String> command = new ArrayList<>();
      spec.path("command").forEach(arg -> command.add(arg.asText()));
      TandemCli.commandLine().parseArgs(command.toArray(String[]::new)); // throws on an unknown option
      assertThat(command).contains("--config", "/etc/tandem/tandem.yaml");
      assertThat(spec.path("volumes").toString()).as(service.getKey()).contains("./tandem.yaml:/etc/tandem/tandem.yaml");
      if (command.get(0).equals("run")) {
        stages.addAll(ComponentName.parseList("compose", "--components",
            command.get(command.indexOf("--components") + 1)));
        metricsTargets.add(service.getKey() + ":" + config.metrics().port());
      } else {
        assertThat(command.get(0)).isEqualTo("router");
        routerTargets.add(service.getKey() + ":8088");
      }
    }
    assertThat(stages).contains(ComponentName.CAPTURE, ComponentName.TRANSFORM, ComponentName.SINK,
        ComponentName.VERIFY);
    assertThat(routerTargets).hasSizeGreaterThanOrEqualTo(2);

    JsonNode prometheus = YAML.readTree(DEPLOY.resolve("compose/prometheus.yml").toFile());
    Set<String> scraped = new HashSet<>();
    prometheus.path("scrape_configs").forEach(job -> job.path("static_configs").forEach(c ->
        c.path("targets").forEach(t -> scraped.add(t.asText()))));
    assertThat(scraped).containsAll(metricsTargets).containsAll(routerTargets);
    assertThat(prometheus.path("rule_files").toString()).contains("tandem-alerts.yml");
    assertThat(compose.path("services").path("prometheus").path("volumes").toString())
        .contains("../prometheus/tandem-alerts.yml");
    assertThat(compose.path("services").path("grafana").path("volumes").toString())
        .contains("../grafana/tandem-overview.json");
  }

  @Test
  void kubernetesDeploymentsProbeTheRealEndpointsAndMountAConfigThatLoadsWithTheSecretsTheyGet() throws Exception {
    JsonNode kustomization = YAML.readTree(DEPLOY.resolve("kubernetes/kustomization.yaml").toFile());
    String configMap = kustomization.path("configMapGenerator").get(0).path("name").asText();
    assertThat(kustomization.path("configMapGenerator").get(0).path("files").get(0).asText()).isEqualTo("tandem.yaml");
    JsonNode secret = YAML.readTree(DEPLOY.resolve("kubernetes/secret.example.yaml").toFile());
    Map<String, String> env = new HashMap<>();
    secret.path("stringData").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    Path configFile = DEPLOY.resolve("kubernetes/tandem.yaml");
    for (String variable : placeholders(Files.readString(configFile))) {
      assertThat(env).as("%s, which tandem.yaml needs, is in the Secret", variable).containsKey(variable);
    }
    TandemConfig config = TandemConfig.load(configFile, env);
    TandemConfig.loadRouter(configFile, env);

    List<JsonNode> documents = new ArrayList<>();
    for (JsonNode resource : kustomization.path("resources")) {
      documents.addAll(documents(DEPLOY.resolve("kubernetes").resolve(resource.asText())));
    }
    Set<String> components = new HashSet<>();
    Map<String, JsonNode> deployments = new HashMap<>();
    for (JsonNode document : documents) {
      assertThat(document.path("apiVersion").asText()).isNotBlank();
      String name = document.path("metadata").path("name").asText();
      assertThat(name).matches("[a-z0-9-]+");
      if (!document.path("kind").asText().equals("Deployment")) {
        continue;
      }
      deployments.put(name, document);
      JsonNode spec = document.path("spec");
      JsonNode labels = spec.path("template").path("metadata").path("labels");
      spec.path("selector").path("matchLabels").fields().forEachRemaining(label ->
          assertThat(labels.path(label.getKey()).asText()).as(name + " selects its own pods").isEqualTo(
              label.getValue().asText()));
      JsonNode container = spec.path("template").path("spec").path("containers").get(0);
      List<String> args = new ArrayList<>();
      container.path("args").forEach(arg -> args.add(arg.asText()));
      TandemCli.commandLine().parseArgs(args.toArray(String[]::new));
      assertThat(container.path("envFrom").get(0).path("secretRef").path("name").asText())
          .isEqualTo(secret.path("metadata").path("name").asText());
      assertThat(spec.path("template").path("spec").path("volumes").toString()).contains("\"name\":\"" + configMap
          + "\"");
      Map<String, Integer> ports = new HashMap<>();
      container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
      boolean router = args.get(0).equals("router");
      int served = router ? 8088 : config.metrics().port();
      String liveness = container.path("livenessProbe").path("httpGet").path("path").asText();
      String readiness = container.path("readinessProbe").path("httpGet").path("path").asText();
      assertThat(liveness).as(name).isEqualTo("/health");
      assertThat(readiness).as(name).isEqualTo(router ? "/health" : "/ready");
      for (String probe : new String[] {"livenessProbe", "readinessProbe"}) {
        String port = container.path(probe).path("httpGet").path("port").asText();
        assertThat(ports.get(port)).as(name + " " + probe + " port " + port).isEqualTo(served);
      }
      if (!router) {
        ComponentName.parseList("k8s", "--components", args.get(args.indexOf("--components") + 1))
            .forEach(component -> components.add(component.name().toLowerCase(java.util.Locale.ROOT)));
      }
    }
    assertThat(components).contains("capture", "transform", "sink", "verify");
    assertThat(deployments).containsKey("tandem-router");
    JsonNode service = documents.stream().filter(d -> d.path("kind").asText().equals("Service")).findFirst()
        .orElseThrow();
    JsonNode routerLabels = deployments.get("tandem-router").path("spec").path("template").path("metadata")
        .path("labels");
    service.path("spec").path("selector").fields().forEachRemaining(label ->
        assertThat(routerLabels.path(label.getKey()).asText()).isEqualTo(label.getValue().asText()));
  }

  /**
   * A compose service with its {@code <<: *tandem} merge key applied (the anchor's fields, the service's winning).
   * The YAML tree gives an alias as its anchor's name: the anchored node is the extension field {@code x-<name>}.
   */
  private static JsonNode merged(JsonNode service, JsonNode compose) {
    if (!service.has("<<")) {
      return service;
    }
    JsonNode base = service.get("<<");
    if (base.isTextual()) {
      base = compose.path("x-" + base.asText());
    }
    assertThat(base.isObject()).as("merge key %s resolves to an x- extension field", service.get("<<")).isTrue();
    ObjectNode merged = ((ObjectNode) base).deepCopy();
    service.fields().forEachRemaining(e -> {
      if (!e.getKey().equals("<<")) {
        merged.set(e.getKey(), e.getValue());
      }
    });
    return merged;
  }

  private static Iterable<JsonNode> iterable(Iterator<String> names) {
    List<JsonNode> nodes = new ArrayList<>();
    names.forEachRemaining(n -> nodes.add(YAML.getNodeFactory().textNode(n)));
    return nodes;
  }

  private static List<JsonNode> documents(Path file) throws Exception {
    List<JsonNode> documents = new ArrayList<>();
    try (JsonParser parser = YAML.getFactory().createParser(file.toFile())) {
      YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
    }
    return documents;
  }

  private static Set<String> placeholders(String text) {
    Set<String> required = new HashSet<>();
    Matcher matcher = PLACEHOLDER.matcher(text);
    while (matcher.find()) {
      if (matcher.group(2) == null) {
        required.add(matcher.group(1));
      }
    }
    return required;
  }

  private static Map<String, String> envFile(Path file) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      if (!line.isBlank() && !line.startsWith("#")) {
        env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
      }
    }
    return env;
  }
}
