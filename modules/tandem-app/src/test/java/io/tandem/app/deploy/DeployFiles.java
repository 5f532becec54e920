package io.tandem.app.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Prometheus rules and Grafana dashboards under deploy/, as tests read them. */
public final class DeployFiles {
  public static final Path DEPLOY = Path.of("../../deploy").toAbsolutePath().normalize();
  private static final Pattern METRIC = Pattern.compile("\\btandem_[a-z0-9_]+");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeployFiles() {}

  /** One PromQL expression and where it is (file and alert or panel title). */
  public record Query(String where, String expr) {}

  /** Every alert rule of deploy/prometheus/*.yml. */
  public static List<JsonNode> alertRules() throws IOException {
    List<JsonNode> rules = new ArrayList<>();
    for (Path file : files(DEPLOY.resolve("prometheus"), ".yml")) {
      for (JsonNode group : YAML.readTree(file.toFile()).path("groups")) {
        group.path("rules").forEach(rules::add);
      }
    }
    return rules;
  }

  /** Every dashboard of deploy/grafana/*.json. */
  public static List<JsonNode> dashboards() throws IOException {
    List<JsonNode> dashboards = new ArrayList<>();
    for (Path file : files(DEPLOY.resolve("grafana"), ".json")) {
      dashboards.add(JSON.readTree(file.toFile()));
    }
    return dashboards;
  }

  /** Every PromQL expression in the alert rules and the dashboards' panel targets. */
  public static List<Query> queries() throws IOException {
    List<Query> queries = new ArrayList<>();
    for (JsonNode rule : alertRules()) {
      queries.add(new Query("alert " + rule.path("alert").asText(), rule.path("expr").asText()));
    }
    for (JsonNode dashboard : dashboards()) {
      for (JsonNode panel : dashboard.path("panels")) {
        for (JsonNode target : panel.path("targets")) {
          queries.add(new Query("panel " + panel.path("title").asText(), target.path("expr").asText()));
        }
      }
    }
    return queries;
  }

  /** The Tandem metric names (as scraped: {@code tandem_..._total}, {@code _bucket}, ...) the queries read. */
  public static Set<String> metricNames() throws IOException {
    Set<String> names = new TreeSet<>();
    for (Query query : queries()) {
      Matcher matcher = METRIC.matcher(query.expr());
      while (matcher.find()) {
        names.add(matcher.group());
      }
    }
    return names;
  }

  private static List<Path> files(Path folder, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.filter(f -> f.toString().endsWith(suffix)).sorted().toList();
    }
  }
}
