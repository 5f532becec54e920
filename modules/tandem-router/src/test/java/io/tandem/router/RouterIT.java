package io.tandem.router;

import static io.tandem.router.RouterHarness.ADMIN;
import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.routing.Decision;
import io.tandem.routing.RoutingClient;
import io.tandem.routing.RoutingState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Router replicas on one routing log on a real KRaft broker, over real HTTP. */
class RouterIT {
  private static EmbeddedKafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
  }

  private static String topic() {
    return "tandem.routing." + UUID.randomUUID();
  }

  @Test
  void concurrentConflictingProposalsOnTwoReplicasExactlyOneWinsAndBothEndIdentical() throws Exception {
    String topic = topic();
    try (RouterServer a = RouterHarness.start(kafka.bootstrapServers(), topic);
        RouterServer b = RouterHarness.start(kafka.bootstrapServers(), topic)) {
      Response created = post(a, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":1,\"reason\":\"first wave\"}");
      assertThat(created.status()).as(created.raw()).isEqualTo(201);
      long version = created.body().get("version").asLong();
      await().atMost(Duration.ofSeconds(10)).until(() -> b.log().state().version() == version);

      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Response>> answers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        RouterServer target = i % 2 == 0 ? a : b;
        int percent = 2 + i;
        Callable<Response> call = () -> post(target, "/v1/entities/customer/cohorts/wave/percent", OPERATOR,
            "{\"percent\":" + percent + ",\"reason\":\"race\",\"expectedVersion\":" + version + "}");
        answers.add(pool.submit(call));
      }
      int won = 0;
      int conflicts = 0;
      for (Future<Response> answer : answers) {
        Response response = answer.get();
        if (response.status() == 200) {
          won++;
          assertThat(response.body().get("version").asLong()).isEqualTo(version + 1);
        } else {
          assertThat(response.status()).as(response.raw()).isEqualTo(409);
          assertThat(response.contentType()).startsWith("application/problem+json");
          assertThat(response.body().get("currentVersion").asLong()).isGreaterThanOrEqualTo(version);
          conflicts++;
        }
      }
      pool.shutdown();
      assertThat(won).isEqualTo(1);
      assertThat(conflicts).isEqualTo(15);
      await().atMost(Duration.ofSeconds(10)).until(() -> a.log().state().version() == b.log().state().version()
          && a.log().machine().audit().size() == b.log().machine().audit().size());
      assertThat(a.log().state().version()).isEqualTo(version + 1);
      assertThat(b.log().state().entities()).isEqualTo(a.log().state().entities());
      assertThat(b.log().machine().audit()).isEqualTo(a.log().machine().audit());
    }
  }

  @Test
  void promotionOnOneReplicaIsSeenByTheOtherAndARestartedReplicaRebuildsFromTheLog() throws Exception {
    String topic = topic();
    RoutingState before;
    try (RouterServer a = RouterHarness.start(kafka.bootstrapServers(), topic);
        RouterServer b = RouterHarness.start(kafka.bootstrapServers(), topic)) {
      assertThat(post(a, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"pilot\",\"keys\":[\"42\",\"43\"],\"phase\":\"SHADOW\",\"reason\":\"pilot\"}").status())
          .isEqualTo(201);
      Response promoted = post(a, "/v1/entities/customer/cohorts/pilot/promote", OPERATOR, "{\"reason\":\"shadow clean\"}");
      assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
      assertThat(promoted.body().at("/cohort/phase").asText()).isEqualTo("NEW_READS");
      long version = promoted.body().get("version").asLong();

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        Response decision = get(b, "/v1/route/customer/42", VIEWER);
        assertThat(decision.body().get("read").asText()).isEqualTo("NEW");
        assertThat(decision.body().get("version").asLong()).isEqualTo(version);
      });
      Response other = get(b, "/v1/route/customer/7", VIEWER);
      assertThat(other.body().get("read").asText()).isEqualTo("LEGACY");
      assertThat(other.body().get("cohort").isNull()).isTrue();

      Response demoted = post(b, "/v1/entities/customer/cohorts/pilot/demote", OPERATOR, "{\"reason\":\"mismatch\"}");
      assertThat(demoted.status()).isEqualTo(200);
      Response audit = get(a, "/v1/audit?entity=customer", VIEWER);
      assertThat(audit.status()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(5)).until(() -> get(a, "/v1/audit?entity=customer", VIEWER).body()
          .get("entries").size() == 4);
      JsonAssert.lastEntry(get(a, "/v1/audit?entity=customer", VIEWER).body(), "alice", "mismatch", true, "set_phase");
      before = b.log().state();
    }
    try (RouterServer restarted = RouterHarness.start(kafka.bootstrapServers(), topic)) {
      assertThat(restarted.log().state().version()).isEqualTo(before.version());
      assertThat(restarted.log().state().entities()).isEqualTo(before.entities());
      assertThat(get(restarted, "/v1/route/customer/42", VIEWER).body().get("phase").asText()).isEqualTo("SHADOW");
    }
  }

  @Test
  void theClientLibraryDecidesLikeTheServer() throws Exception {
    String topic = topic();
    try (RouterServer server = RouterHarness.start(kafka.bootstrapServers(), topic)) {
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"vip\",\"keys\":[\"1\",\"2\",\"3\"],\"reason\":\"hold VIPs\"}").status()).isEqualTo(201);
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"eu\",\"rule\":\"region == 'EU' && tier != 'gold'\",\"phase\":\"SHADOW\",\"reason\":\"EU\"}")
          .status()).isEqualTo(201);
      assertThat(post(server, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"wave\",\"percent\":12.5,\"phase\":\"NEW_READS\",\"reason\":\"wave\"}").status()).isEqualTo(201);
      long version = server.log().state().version();

      try (RoutingClient client = RoutingClient.connect(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic,
          Duration.ofSeconds(30))) {
        await().atMost(Duration.ofSeconds(5)).until(() -> client.version() == version);
        Random random = new Random(7);
        String[] regions = {"EU", "US", "APAC"};
        String[] tiers = {"gold", "silver"};
        int newReads = 0;
        for (int i = 0; i < 1_000_000; i++) {
          String key = Long.toString(random.nextLong() & Long.MAX_VALUE);
          Map<String, String> attributes = i % 3 == 0 ? Map.of()
              : Map.of("region", regions[random.nextInt(3)], "tier", tiers[random.nextInt(2)]);
          Decision local = client.decide("customer", key, attributes);
          assertThat(local).isEqualTo(server.log().state().decide("customer", key, attributes));
          newReads += local.cohort() != null && local.cohort().equals("wave") ? 1 : 0;
        }
        assertThat(newReads).isBetween(100_000, 140_000); // ≈ 12.5 % of the keys no earlier cohort took
        for (int i = 0; i < 300; i++) {
          String key = Integer.toString(random.nextInt(1_000_000));
          String region = regions[random.nextInt(3)];
          Response remote = get(server, "/v1/route/customer/" + key + "?region=" + region + "&tier=silver", VIEWER);
          Decision local = client.decide("customer", key, Map.of("region", region, "tier", "silver"));
          assertThat(remote.body().get("cohort").isNull() ? null : remote.body().get("cohort").asText())
              .isEqualTo(local.cohort());
          assertThat(remote.body().get("read").asText()).isEqualTo(local.read().name());
          assertThat(remote.body().get("write").asText()).isEqualTo(local.write().name());
          assertThat(remote.body().get("version").asLong()).isEqualTo(local.version());
        }
        // Escaped keys and attributes take the general path and decide the same.
        Response escaped = get(server, "/v1/route/customer/a%20b%22?region=E%55&tier=silver", VIEWER);
        Decision local = client.decide("customer", "a b\"", Map.of("region", "EU", "tier", "silver"));
        assertThat(escaped.body().get("key").asText()).isEqualTo("a b\"");
        assertThat(escaped.body().get("cohort").asText()).isEqualTo(local.cohort());
        assertThat(escaped.body().get("read").asText()).isEqualTo(local.read().name());
      }
    }
  }

  @Test
  void authenticationAndRoles() throws Exception {
    try (RouterServer server = RouterHarness.start(kafka.bootstrapServers(), topic())) {
      Response anonymous = get(server, "/v1/entities", null);
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.contentType()).startsWith("application/problem+json");
      assertThat(get(server, "/v1/entities", "not-a-token").status()).isEqualTo(401);
      assertThat(get(server, "/v1/entities", VIEWER).status()).isEqualTo(200);
      assertThat(post(server, "/v1/entities/customer/cohorts", ADMIN,
          "{\"name\":\"wave\",\"percent\":1,\"reason\":\"x\"}").status()).isEqualTo(201);
      long version = server.log().state().version();
      Response viewerPromotes = post(server, "/v1/entities/customer/cohorts/wave/promote", VIEWER, "{\"reason\":\"x\"}");
      assertThat(viewerPromotes.status()).isEqualTo(403);
      assertThat(viewerPromotes.body().get("detail").asText()).contains("victor", "viewer", "operator");
      // Forcing past the promotion gate needs admin, even with the gates disabled (as here).
      Response operatorForces = post(server, "/v1/entities/customer/cohorts/wave/promote", OPERATOR,
          "{\"reason\":\"x\",\"force\":true}");
      assertThat(operatorForces.status()).as(operatorForces.raw()).isEqualTo(403);
      assertThat(operatorForces.body().get("detail").asText()).contains("alice", "operator", "admin");
      assertThat(server.log().state().version()).isEqualTo(version);
      assertThat(get(server, "/health", null).status()).isEqualTo(200);
      assertThat(get(server, "/metrics", null).raw()).contains("tandem_router_routing_version");
    }
  }

  @Test
  void theOpenApiDocumentIsServedKeptUnderDocsAndCoversEveryRoute() throws Exception {
    try (RouterServer server = RouterHarness.start(kafka.bootstrapServers(), topic())) {
      Response served = get(server, "/v1/openapi.json", null);
      assertThat(served.status()).isEqualTo(200);
      java.nio.file.Path docs = java.nio.file.Path.of("../../docs/router-openapi.json");
      assertThat(served.raw()).as("docs/router-openapi.json must equal the served document")
          .isEqualTo(java.nio.file.Files.readString(docs));
      java.util.Set<String> documented = new java.util.TreeSet<>();
      served.body().get("paths").fieldNames().forEachRemaining(documented::add);
      assertThat(documented).containsAll(server.paths());

      // A client that offers an h2c upgrade (the JDK's default) gets plain HTTP/1.1 answers, none hangs.
      java.net.http.HttpClient upgrading = java.net.http.HttpClient.newHttpClient();
      for (int i = 0; i < 20; i++) {
        java.net.http.HttpResponse<String> response = upgrading.sendAsync(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create("http://127.0.0.1:" + server.port() + (i % 2 == 0 ? "/v1/openapi.json" : "/health")))
            .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_1_1);
      }
    }
  }
}
