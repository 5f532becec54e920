package io.tandem.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The alert rules and dashboards under deploy/ are well formed and say where their runbook is. That every metric
 * they name exists in a real /metrics scrape is checked by VerifyCommandIT, where a pipeline and a router run.
 */
class DeployFilesTest {
  @Test
  void everyAlertHasAnExpressionASeverityASummaryAndARunbookSection() throws Exception {
    String operations = Files.readString(DeployFiles.DEPLOY.resolve("../docs/operations.md"));
    List<JsonNode> rules = DeployFiles.alertRules();
    assertThat(rules).hasSizeGreaterThanOrEqualTo(6);
    Set<String> names = new HashSet<>();
    for (JsonNode rule : rules) {
      String alert = rule.path("alert").asText();
      assertThat(alert).matches("Tandem[A-Za-z]+");
      assertThat(names.add(alert)).as("alert %s once", alert).isTrue();
      assertThat(rule.path("expr").asText()).as(alert).contains("tandem_");
      if (rule.has("for")) {
        assertThat(rule.path("for").asText()).as(alert).matches("[0-9]+[smh]");
      }
      assertThat(rule.path("labels").path("severity").asText()).as(alert).isIn("info", "warning", "critical");
      assertThat(rule.path("annotations").path("summary").asText()).as(alert).isNotBlank();
      String runbook = rule.path("annotations").path("runbook").asText();
      assertThat(runbook).as(alert).isEqualTo("docs/operations.md#" + alert.toLowerCase());
      assertThat(operations).as("a runbook section for %s", alert).contains("\n### " + alert + "\n");
    }
    assertThat(names).contains("TandemReplicationLagHigh", "TandemCaptureStalled", "TandemDeadLettersRising",
        "TandemVerifierDifferences", "TandemRouterErrors", "TandemShadowMismatchRate");
  }

  @Test
  void everyDashboardPanelHasADatasourceTargetsAndItsOwnPlace() throws Exception {
    for (JsonNode dashboard : DeployFiles.dashboards()) {
      assertThat(dashboard.path("uid").asText()).isNotBlank();
      Set<Integer> ids = new HashSet<>();
      for (JsonNode panel : dashboard.path("panels")) {
        String title = panel.path("title").asText();
        assertThat(ids.add(panel.path("id").asInt())).as("panel id of %s", title).isTrue();
        assertThat(panel.path("datasource").path("type").asText()).as(title).isEqualTo("prometheus");
        assertThat(panel.path("targets").size()).as(title).isPositive();
        assertThat(panel.path("gridPos").path("w").asInt()).as(title).isBetween(1, 24);
        panel.path("targets").forEach(t -> assertThat(t.path("expr").asText()).as(title).contains("tandem_"));
      }
    }
    assertThat(DeployFiles.metricNames()).contains("tandem_commit_visible_lag_seconds_bucket",
        "tandem_router_http_responses_total");
  }
}
