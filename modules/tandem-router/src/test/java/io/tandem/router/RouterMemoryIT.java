package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A router keeps only the latest routing versions and audit entries in memory, on a real broker over real HTTP:
 * a rollback to an older version recalls it from the routing log, older audit pages are read from the log, and a
 * restarted router replays the whole log into the same bounded memory.
 */
class RouterMemoryIT {
  private static final int KEPT_VERSIONS = 4;
  private static final int AUDIT_ENTRIES = 5;
  private static final RouterSettings.Limits LIMITS = new RouterSettings.Limits(64 * 1024, 50, 32, 200, 20, 300, 2)
      .withMemory(KEPT_VERSIONS, AUDIT_ENTRIES);
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static RouterServer start(String topic) {
    return RouterServer.start(RouterHarness.settings(kafka.bootstrapServers(), topic).withLimits(LIMITS),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), router -> { });
  }

  @Test
  void olderVersionsAndAuditEntriesComeBackFromTheLog() throws Exception {
    String topic = "tandem.routing." + UUID.randomUUID();
    String cohorts = "/v1/entities/customer/cohorts";
    long waveAtFive;
    try (RouterServer server = start(topic)) {
      Response created = post(server, cohorts, OPERATOR, "{\"name\":\"wave\",\"percent\":5,\"reason\":\"r\"}");
      assertThat(created.status()).as(created.raw()).isEqualTo(201);
      waveAtFive = created.body().get("version").asLong();
      for (int percent = 6; percent <= 15; percent++) {
        Response set = post(server, cohorts + "/wave/percent", OPERATOR,
            "{\"percent\":" + percent + ",\"reason\":\"step " + percent + "\"}");
        assertThat(set.status()).as(set.raw()).isEqualTo(200);
      }
      long current = server.log().state().version();
      assertThat(server.log().machine().keptVersions()).isLessThanOrEqualTo(KEPT_VERSIONS + 1);
      assertThat(server.log().machine().stateAt(waveAtFive)).as("no longer in memory").isEmpty();
      assertThat(server.log().machine().audit()).hasSize(AUDIT_ENTRIES);

      // The latest page comes from memory and says how far memory reaches.
      Response latest = get(server, "/v1/audit?limit=3", VIEWER);
      assertThat(latest.status()).as(latest.raw()).isEqualTo(200);
      assertThat(latest.body().get("truncated").asBoolean()).isTrue();
      assertThat(reasons(latest.body())).containsExactly("step 13", "step 14", "step 15");
      long oldestKept = latest.body().get("oldestKeptOffset").asLong();

      // Paging back past memory reads the log: every record, in order, none lost.
      List<String> all = new ArrayList<>();
      long before = Long.MAX_VALUE;
      while (true) {
        Response page = get(server, "/v1/audit?limit=4" + (before == Long.MAX_VALUE ? "" : "&before=" + before), VIEWER);
        assertThat(page.status()).as(page.raw()).isEqualTo(200);
        List<String> reasons = reasons(page.body());
        if (reasons.isEmpty()) {
          break;
        }
        all.addAll(0, reasons);
        before = page.body().get("entries").get(0).get("offset").asLong();
      }
      assertThat(before).as("paged back to the log's first record").isLessThan(oldestKept).isZero();
      assertThat(all).endsWith("step 6", "step 7", "step 8", "step 9", "step 10", "step 11", "step 12", "step 13",
          "step 14", "step 15");
      assertThat(all).contains("r");
      assertThat(all).hasSize((int) server.log().nextOffset());

      // A rollback to a version no longer kept recalls it from the log.
      Response back = post(server, "/v1/rollback", OPERATOR,
          "{\"version\":" + waveAtFive + ",\"reason\":\"back to five percent\"}");
      assertThat(back.status()).as(back.raw()).isEqualTo(200);
      assertThat(back.body().get("version").asLong()).isEqualTo(current + 1);
      JsonNode wave = get(server, cohorts, VIEWER).body().get("cohorts").get(0);
      assertThat(wave.get("selector").get("percent").decimalValue()).isEqualByComparingTo("5");
    }

    // A restart replays the whole log into the same bounds and the same state.
    try (RouterServer again = start(topic)) {
      assertThat(again.log().machine().audit()).hasSize(AUDIT_ENTRIES);
      assertThat(again.log().machine().keptVersions()).isLessThanOrEqualTo(KEPT_VERSIONS + 1);
      JsonNode wave = get(again, cohorts, VIEWER).body().get("cohorts").get(0);
      assertThat(wave.get("selector").get("percent").decimalValue()).isEqualByComparingTo("5");
      Response bad = get(again, "/v1/audit?before=-1", VIEWER);
      assertThat(bad.status()).isEqualTo(400);
      assertThat(bad.contentType()).startsWith("application/problem+json");
    }
  }

  private static List<String> reasons(JsonNode page) {
    List<String> reasons = new ArrayList<>();
    page.get("entries").forEach(entry -> reasons.add(entry.path("reason").asText(null)));
    return reasons;
  }
}
