package io.tandem.router;

import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's side of a router replica on a real broker over real HTTP: its static files and their headers, and
 * the overview it reads from the status topic, the dead-letter topics, the conflict topic and the routing log
 * (ConsoleBrowserIT in the demo drives the page itself in Chromium).
 */
class ConsoleApiIT {
  private static EmbeddedKafkaBroker kafka;
  private static KafkaProducer<byte[], byte[]> producer;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafkaBroker.start();
    producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterAll
  static void stopKafka() {
    producer.close();
    kafka.close();
  }

  @Test
  void theConsoleFilesAreServedWithAStrictContentSecurityPolicyAndNeedNoToken() throws Exception {
    try (RouterServer router = RouterHarness.start(kafka.bootstrapServers(), "routing." + UUID.randomUUID())) {
      java.net.http.HttpResponse<String> page = raw(router, "/console");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("content-security-policy").orElseThrow()).contains("script-src 'self'")
          .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
      assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(page.body()).contains("<script src=\"/console/app.js\" defer></script>").contains("<html lang=\"en\">");
      assertThat(raw(router, "/console/app.js").headers().firstValue("content-type"))
          .hasValue("text/javascript; charset=utf-8");
      assertThat(raw(router, "/console/console.css").statusCode()).isEqualTo(200);
      Response missing = get(router, "/console/nothing.js", null);
      assertThat(missing.status()).isEqualTo(404);
      assertThat(missing.contentType()).startsWith("application/problem+json");
      assertThat(get(router, "/v1/console/overview", null).status()).as("the overview needs a token").isEqualTo(401);
    }
  }

  @Test
  void theOverviewSumsFreshStageReportsAndShowsLagVerificationDeadLettersConflictsAndGates() throws Exception {
    String statusTopic = "status." + UUID.randomUUID();
    try (RouterServer router = replica(statusTopic, true)) {
      Instant now = Instant.now();
      publish(statusTopic, new StatusRecord.StageProgress("sink", "a/1/1", 1000, 12.5, now, List.of(), 40));
      publish(statusTopic, new StatusRecord.StageProgress("sink", "b/2/1", 500, 7.5, now, List.of(), 42));
      publish(statusTopic, new StatusRecord.StageProgress("sink", "dead/3/1", 99_999, 50, now.minusSeconds(600),
          List.of()));
      publish(statusTopic, new StatusRecord.StageProgress("capture", "a/1/2", 4000, 300, now, List.of(
          new StatusRecord.TableSnapshot("public.customers", 750, 1000, false, 5),
          new StatusRecord.TableSnapshot("public.orders", 2000, 2000, true, 0))));
      publish(statusTopic, new StatusRecord.Lag("customer", 420, now, StatusRecord.Lag.SINK));
      publish(statusTopic, new StatusRecord.Verification("customer", "*", false, now.minusSeconds(5), now, 1, 100, 2,
          null, List.of(new StatusRecord.Verification.Sample("42", "different", List.of("email"), false),
              new StatusRecord.Verification.Sample("43", "missing", List.of(), true))));
      // A dead-lettered change and two write conflicts, each carrying a row with personal data.
      send("tandem.dlq.sink", "k1", "{\"email\":\"ann@example.com\"}");
      send("tandem.dlq.sink", "k2", "{}");
      for (String key : List.of("7", "8")) {
        send("tandem.conflicts", key, "{\"entity\":\"customer\",\"key\":\"" + key + "\",\"writtenOn\":\"legacy\","
            + "\"owner\":\"new\",\"cohort\":\"beta\",\"phase\":\"NEW\",\"routingVersion\":4,\"detectedAt\":\""
            + now + "\",\"current\":{\"email\":\"ann@example.com\"}}");
      }
      Response created = post(router, "/v1/entities/customer/cohorts", OPERATOR,
          "{\"name\":\"beta\",\"percent\":5,\"phase\":\"SHADOW\",\"reason\":\"beta\"}");
      assertThat(created.status()).as(created.raw()).isEqualTo(201);

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        Response response = get(router, "/v1/console/overview", VIEWER);
        assertThat(response.status()).as(response.raw()).isEqualTo(200);
        JsonNode overview = response.body();
        assertThat(overview.path("caller").path("actor").asText()).isEqualTo("victor");
        assertThat(overview.path("caller").path("role").asText()).isEqualTo("viewer");
        JsonNode sink = stage(overview, "sink");
        assertThat(sink.path("instances").asInt()).isEqualTo(2);
        assertThat(sink.path("staleInstances").asInt()).as("a report older than 2 min").isEqualTo(1);
        assertThat(sink.path("records").asLong()).as("fresh instances only").isEqualTo(1500);
        assertThat(sink.path("perSecond").asDouble()).isEqualTo(20.0);
        assertThat(sink.path("backlog").asLong()).as("the group's backlog, newest view").isEqualTo(42);
        assertThat(stage(overview, "capture").path("backlog").asLong()).as("not a consumer").isEqualTo(-1);
        assertThat(overview.path("snapshot")).hasSize(2);
        assertThat(overview.path("snapshot").get(0).path("table").asText()).isEqualTo("public.customers");
        assertThat(overview.path("snapshot").get(0).path("etaSeconds").asLong()).isEqualTo(5);
        JsonNode customer = overview.path("entities").get(0);
        assertThat(customer.path("entity").asText()).isEqualTo("customer");
        assertThat(customer.path("lag").path("sink").path("millis").asLong()).isEqualTo(420);
        JsonNode pass = customer.path("verifications").get(0);
        assertThat(pass.path("differences").asLong()).isEqualTo(2);
        assertThat(pass.path("samples").get(0).path("key").asText()).isEqualTo("42");
        assertThat(pass.path("samples").get(0).path("fields").get(0).asText()).isEqualTo("email");
        assertThat(pass.path("samples").get(1).path("deadLettered").asBoolean()).isTrue();
        JsonNode beta = customer.path("cohorts").get(0);
        assertThat(beta.path("phase").asText()).isEqualTo("SHADOW");
        assertThat(beta.path("gate").path("next").asText()).isEqualTo("NEW_READS");
        assertThat(beta.path("gate").path("gated").asBoolean()).isTrue();
        assertThat(beta.path("gate").path("passes").asBoolean()).as("the newest pass found differences").isFalse();
        assertThat(beta.path("gate").path("failed").get(0).asText()).contains("no clean verification of customer/beta");
        assertThat(overview.path("deadLetters").path("sink").asLong()).isEqualTo(2);
        assertThat(overview.path("conflicts").path("total").asLong()).isEqualTo(2);
        assertThat(overview.path("conflicts").path("byEntity").path("customer").asLong()).isEqualTo(2);
        assertThat(overview.path("conflicts").path("latest").get(0).path("key").asText()).as("newest first")
            .isEqualTo("8");
        assertThat(response.raw()).as("no row value reaches the console").doesNotContain("ann@example.com");
      });
      assertThat(router.log().state().entity("customer").orElseThrow().cohort("beta").orElseThrow().phase().name())
          .as("looking at the gate changes nothing").isEqualTo("SHADOW");
    }
  }

  @Test
  void aStageThatStopsWithdrawsItsReport() throws Exception {
    String statusTopic = "status." + UUID.randomUUID();
    try (RouterServer router = replica(statusTopic, false)) {
      java.util.concurrent.atomic.AtomicLong handled = new java.util.concurrent.atomic.AtomicLong(10);
      io.tandem.routing.status.StageProgressReporter reporter = new io.tandem.routing.status.StageProgressReporter(
          "transform", handled::get, List::of, () -> new io.tandem.routing.status.StatusPublisher(
              io.tandem.kafka.KafkaClients.of(kafka.bootstrapServers()), statusTopic, (short) 1),
          java.time.Clock.systemUTC(), Duration.ofMillis(200));
      reporter.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> get(router, "/v1/console/overview", VIEWER).body()
          .path("stages").size() == 1);
      reporter.close();
      await("gates off: the status topic is followed for the console all the same").atMost(Duration.ofSeconds(20))
          .until(() -> get(router, "/v1/console/overview", VIEWER).body().path("stages").isEmpty());
    }
  }

  /** A replica on its own routing topic following {@code statusTopic}, with the default gates on or off. */
  private static RouterServer replica(String statusTopic, boolean gates) throws Exception {
    RouterSettings.Gates defaults = RouterSettings.Gates.defaults();
    return RouterHarness.start(RouterHarness.settings(kafka.bootstrapServers(), "routing." + UUID.randomUUID())
        .withGates(new RouterSettings.Gates(gates, statusTopic, defaults.maxVerificationAge(), defaults.maxLag(),
            defaults.maxLagReportAge())));
  }

  private static JsonNode stage(JsonNode overview, String name) {
    for (JsonNode stage : overview.path("stages")) {
      if (stage.path("stage").asText().equals(name)) {
        return stage;
      }
    }
    throw new AssertionError("no stage " + name + " in " + overview);
  }

  private static java.net.http.HttpResponse<String> raw(RouterServer router, String path) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + router.port() + path)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  private static void publish(String topic, StatusRecord record) throws Exception {
    producer.send(new ProducerRecord<>(topic, record.key().getBytes(StandardCharsets.UTF_8),
        StatusCodec.encode(record))).get(30, TimeUnit.SECONDS);
  }

  private static void send(String topic, String key, String value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
  }
}
