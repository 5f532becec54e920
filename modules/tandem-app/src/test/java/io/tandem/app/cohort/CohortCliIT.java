package io.tandem.app.cohort;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterServer;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI against a real router replica on a real broker: the two agree on the API. */
class CohortCliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OP = "op-token-5e1f9";

  @Test
  void operatorWorkflowThroughTheCli() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        RouterServer router = RouterServer.start(new RouterSettings("127.0.0.1", 0,
            Map.of("bootstrap.servers", kafka.bootstrapServers()), "tandem.routing", (short) -1,
            Map.of("customer", List.of("region")),
            Map.of(TokenAuth.hash(OP), new RouterSettings.Token("olga", Role.OPERATOR),
                TokenAuth.hash("view"), new RouterSettings.Token("vic", Role.VIEWER)), List.of(), 10,
            RouterSettings.Gates.disabled()),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), r -> { })) {
      String url = "http://127.0.0.1:" + router.port();

      Cli.Result created = Cli.run("cohort", "create", "customer", "canary", "--percent", "1.5", "--reason",
          "first customers", "--url", url, "--token", OP);
      assertThat(created.exitCode()).as(created.all()).isZero();
      Cli.Result rule = Cli.run("cohort", "create", "customer", "eu", "--rule", "region == 'EU'", "--phase", "SHADOW",
          "--reason", "EU shadow", "--url", url, "--token", OP);
      assertThat(rule.exitCode()).as(rule.all()).isZero();
      assertThat(Cli.run("cohort", "promote", "customer", "canary", "--reason", "go", "--url", url, "--token", OP)
          .exitCode()).isZero();
      Cli.Result grown = Cli.run("cohort", "set-percent", "customer", "canary", "5", "--reason", "grow", "--url", url,
          "--token", OP);
      assertThat(grown.exitCode()).as(grown.all()).isZero();

      Cli.Result list = Cli.run("cohort", "list", "--json", "--url", url, "--token", "view");
      assertThat(list.exitCode()).as(list.all()).isZero();
      JsonNode state = JSON.readTree(list.out());
      assertThat(state.get("version").asLong()).isEqualTo(router.log().state().version());
      assertThat(state.at("/entities/0/cohorts/0/phase").asText()).isEqualTo("SHADOW");
      assertThat(state.at("/entities/0/cohorts/0/selector/basisPoints").asInt()).isEqualTo(500);

      Cli.Result route = Cli.run("cohort", "route", "customer", "anyone", "--attr", "region=EU", "--json", "--url", url,
          "--token", "view");
      assertThat(route.exitCode()).as(route.all()).isZero();
      assertThat(JSON.readTree(route.out()).get("version").asLong()).isEqualTo(router.log().state().version());

      // A viewer may not change anything; a stale expected version is refused with the current one.
      assertThat(Cli.run("cohort", "promote", "customer", "canary", "--reason", "x", "--url", url, "--token", "view")
          .exitCode()).isEqualTo(1);
      Cli.Result stale = Cli.run("cohort", "promote", "customer", "canary", "--reason", "x", "--expect-version", "1",
          "--url", url, "--token", OP);
      assertThat(stale.exitCode()).isEqualTo(1);
      assertThat(stale.err()).contains(Long.toString(router.log().state().version()));
      // Lowering a cohort that reads from new needs --rollback.
      assertThat(Cli.run("cohort", "promote", "customer", "canary", "--reason", "shadow clean", "--url", url,
          "--token", OP).exitCode()).isZero();
      Cli.Result lowered = Cli.run("cohort", "set-percent", "customer", "canary", "1", "--reason", "bad data",
          "--url", url, "--token", OP);
      assertThat(lowered.exitCode()).isEqualTo(1);
      assertThat(lowered.err()).containsIgnoringCase("rollback");
      assertThat(Cli.run("cohort", "set-percent", "customer", "canary", "1", "--reason", "bad data", "--rollback",
          "--url", url, "--token", OP).exitCode()).isZero();

      long beforeRollback = router.log().state().version();
      Cli.Result rollback = Cli.run("cohort", "rollback", "3", "--reason", "back to the rule only", "--url", url,
          "--token", OP);
      assertThat(rollback.exitCode()).as(rollback.all()).isZero();
      assertThat(router.log().state().version()).isEqualTo(beforeRollback + 1);

      Cli.Result audit = Cli.run("cohort", "audit", "--json", "--url", url, "--token", "view");
      assertThat(audit.exitCode()).isZero();
      JsonNode entries = JSON.readTree(audit.out()).get("entries");
      JsonNode last = entries.get(entries.size() - 1);
      assertThat(last.get("actor").asText()).isEqualTo("olga");
      assertThat(last.get("reason").asText()).isEqualTo("back to the rule only");
      assertThat(last.at("/command/type").asText()).isEqualTo("rollback_to");
      for (Cli.Result result : List.of(created, rule, grown, list, stale, lowered, rollback, audit)) {
        assertThat(result.all()).doesNotContain(OP);
      }

      // Over a limit: refused, the problem's detail names the limit, nothing changed.
      long beforeLimits = router.log().state().version();
      Cli.Result longRule = Cli.run("cohort", "create", "customer", "long", "--rule",
          "region == '" + "E".repeat(5000) + "'", "--reason", "too long", "--url", url, "--token", OP);
      assertThat(longRule.exitCode()).as(longRule.all()).isEqualTo(CohortCommand.EXIT_REFUSED);
      assertThat(longRule.err()).startsWith("tandem cohort create: refused by the router: Limit exceeded (HTTP 422)\n")
          .contains("  'rule' has 5012 characters; at most 4096 (router.limits.maxRuleLength)\n",
              "router.limits, docs/router.md");
      assertThat(router.log().state().version()).isEqualTo(beforeLimits);

      // A rollback to version 0 keeps the entity: decisions still answer, every key on legacy.
      assertThat(Cli.run("cohort", "rollback", "0", "--reason", "start over", "--url", url, "--token", OP).exitCode())
          .isZero();
      Cli.Result afterZero = Cli.run("cohort", "route", "customer", "anyone", "--json", "--url", url, "--token", "view");
      assertThat(afterZero.exitCode()).as(afterZero.all()).isZero();
      assertThat(JSON.readTree(afterZero.out()).get("read").asText()).isEqualTo("LEGACY");
    }
  }

  @Test
  void aPromotionGateRefusalAndAnAdminsOverrideThroughTheCli() throws Exception {
    String admin = "admin-token-77c2";
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        RouterServer router = RouterServer.start(new RouterSettings("127.0.0.1", 0,
            Map.of("bootstrap.servers", kafka.bootstrapServers()), "tandem.routing", (short) -1,
            Map.of("customer", List.of("region")),
            Map.of(TokenAuth.hash(OP), new RouterSettings.Token("olga", Role.OPERATOR),
                TokenAuth.hash(admin), new RouterSettings.Token("ada", Role.ADMIN),
                TokenAuth.hash("view"), new RouterSettings.Token("vic", Role.VIEWER)), List.of(), 10,
            RouterSettings.Gates.defaults()),
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), r -> { })) {
      String url = "http://127.0.0.1:" + router.port();
      assertThat(Cli.run("cohort", "create", "customer", "canary", "--percent", "1", "--phase", "SHADOW", "--reason",
          "shadow first", "--url", url, "--token", OP).exitCode()).isZero();
      long version = router.log().state().version();

      // Nothing verified, no lag reported: refused, each failed condition on stderr.
      Cli.Result refused = Cli.run("cohort", "promote", "customer", "canary", "--reason", "looks fine", "--url", url,
          "--token", OP);
      assertThat(refused.exitCode()).as(refused.all()).isEqualTo(CohortCommand.EXIT_REFUSED);
      assertThat(refused.out()).isEmpty();
      assertThat(refused.err()).isEqualTo("""
          tandem cohort promote: refused by the router: Promotion gate refused (HTTP 409)
            gated: customer/canary SHADOW -> NEW_READS
            failed: no clean verification of customer/canary newer than PT1H (none published)
            failed: no replication-lag report for customer in the last PT1M (none published)
            failed: no capture lag report for customer in the last PT1M (none published)
            an admin may override the gate: repeat with --force and an admin token (the reason and the overridden \
          conditions are recorded in the audit log)
          """);

      // An operator may not force.
      Cli.Result operatorForces = Cli.run("cohort", "promote", "customer", "canary", "--reason", "looks fine",
          "--force", "--url", url, "--token", OP);
      assertThat(operatorForces.exitCode()).isEqualTo(CohortCommand.EXIT_REFUSED);
      assertThat(operatorForces.err()).contains("(HTTP 403)", "forcing a change past the promotion gate needs admin");
      assertThat(router.log().state().version()).isEqualTo(version);

      // An admin may, and the audit says so.
      Cli.Result forced = Cli.run("cohort", "promote", "customer", "canary", "--reason", "verifier down, checked by hand",
          "--force", "--url", url, "--token", admin);
      assertThat(forced.exitCode()).as(forced.all()).isZero();
      assertThat(forced.out()).startsWith("Promoted customer/canary to NEW_READS. Routing version " + (version + 1));
      Cli.Result audit = Cli.run("cohort", "audit", "--json", "--url", url, "--token", "view");
      JsonNode entries = JSON.readTree(audit.out()).get("entries");
      JsonNode last = entries.get(entries.size() - 1);
      assertThat(last.get("actor").asText()).isEqualTo("ada");
      assertThat(last.at("/gate/forced").asBoolean()).isTrue();
      assertThat(last.at("/gate/overridden")).hasSize(3);
      assertThat(Cli.run("cohort", "audit", "--url", url, "--token", "view").out())
          .contains("phase=NEW_READS [forced, 3 gate conditions overridden]");
      for (Cli.Result result : List.of(refused, operatorForces, forced, audit)) {
        assertThat(result.all()).doesNotContain(OP).doesNotContain(admin);
      }
    }
  }
}
