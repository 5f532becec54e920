package io.tandem.router;

import static io.tandem.router.RouterHarness.ADMIN;
import static io.tandem.router.RouterHarness.OPERATOR;
import static io.tandem.router.RouterHarness.VIEWER;
import static io.tandem.router.RouterHarness.get;
import static io.tandem.router.RouterHarness.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterHarness.Response;
import io.tandem.router.gate.StatusBoard;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Promotion gates on a router replica with a real KRaft broker, over real HTTP: verification passes and
 * lag reports are published to the status topic as the verifier and the pipeline publish them.
 */
class RouterGatesIT {
  private static final String PROMOTE = "/v1/entities/customer/cohorts/beta/promote";
  private static final String GATE_REFUSED = "https://tandem.dev/problems/gate-refused";
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

  /** A replica with the default gates (1 h, 5 s, 60 s) on its own routing and status topics. */
  private static RouterServer gatedReplica(String routingTopic, String statusTopic) throws Exception {
    RouterSettings.Gates defaults = RouterSettings.Gates.defaults();
    return RouterHarness.start(RouterHarness.settings(kafka.bootstrapServers(), routingTopic)
        .withGates(new RouterSettings.Gates(true, statusTopic, defaults.maxVerificationAge(), defaults.maxLag(),
            defaults.maxLagReportAge())));
  }

  private static String unique(String prefix) {
    return prefix + "." + UUID.randomUUID();
  }

  @Test
  void promotionIsRefusedUntilACleanRecentVerificationAndALowLagAreReported() throws Exception {
    String status = unique("tandem.status");
    try (RouterServer router = gatedReplica(unique("tandem.routing"), status)) {
      StatusBoard board = router.statusBoard().orElseThrow();
      createBetaInShadow(router, 1);
      long version = router.log().state().version();

      // No facts at all: both conditions are named.
      Response none = refused(router, OPERATOR, "{\"reason\":\"shadow clean\"}");
      assertThat(conditions(none)).containsExactly(
          "no clean verification of customer/beta newer than PT1H (none published)",
          "no replication-lag report for customer in the last PT1M (none published)",
          "no capture lag report for customer in the last PT1M (none published)");
      assertThat(none.body().get("detail").asText()).contains("customer/beta SHADOW -> NEW_READS",
          "no clean verification of customer/beta", "no replication-lag report for customer");

      // An undecodable record is skipped and counted, and changes nothing.
      send(status, "verify/customer/beta", "{\"kind\":\"verification\"}".getBytes(StandardCharsets.UTF_8));
      await().atMost(Duration.ofSeconds(10)).until(() -> board.skipped() == 1);
      assertThat(get(router, "/metrics", null).raw()).contains("tandem_router_status_records_skipped_total 1.0");

      // A dirty pass: its differences are named.
      Instant now = Instant.now();
      publish(router, new StatusRecord.Lag("customer", 120, now, "sink"));
      publish(router, new StatusRecord.Lag("customer", 0, now, "capture"));
      publish(router, pass("beta", false, version, now.minusSeconds(60), 3));
      assertThat(conditions(refused(router, OPERATOR, "{\"reason\":\"shadow clean\"}"))).singleElement().asString()
          .startsWith("no clean verification of customer/beta newer than PT1H (newest: 3 differences in 1000 rows at ");

      // A clean pass, but older than the maximum age.
      Instant stale = now.minus(Duration.ofHours(2));
      publish(router, pass("beta", true, version, stale, 0));
      assertThat(conditions(refused(router, OPERATOR, "{\"reason\":\"shadow clean\"}"))).containsExactly(
          "no clean verification of customer/beta newer than PT1H (newest clean: customer/beta pass at " + stale + ")");

      // Clean and recent, but the lag is over the bound.
      now = Instant.now();
      publish(router, pass("beta", true, version, now.minusSeconds(30), 0));
      publish(router, new StatusRecord.Lag("customer", 7200, now, "sink"));
      assertThat(conditions(refused(router, OPERATOR, "{\"reason\":\"shadow clean\"}"))).singleElement().asString()
          .startsWith("replication lag 7200 ms exceeds the bound of 5000 ms");
      assertThat(router.log().state().version()).as("nothing was written").isEqualTo(version);
      assertThat(router.log().machine().audit()).hasSize((int) version);

      // Clean and recent, the sink idle, but capture has been silent for 25 s: stalled.
      publish(router, new StatusRecord.Lag("customer", 0, Instant.now(), "sink"));
      publish(router, new StatusRecord.Lag("customer", 25_000, Instant.now(), "capture"));
      assertThat(conditions(refused(router, OPERATOR, "{\"reason\":\"shadow clean\"}"))).singleElement().asString()
          .startsWith("capture lag 25000 ms exceeds the bound of 5000 ms");

      // Clean, recent, both lags within the bound: promoted, with the evidence in the audit.
      publish(router, new StatusRecord.Lag("customer", 120, Instant.now(), "sink"));
      publish(router, new StatusRecord.Lag("customer", 0, Instant.now(), "capture"));
      Response promoted = post(router, PROMOTE, OPERATOR, "{\"reason\":\"shadow clean\"}");
      assertThat(promoted.status()).as(promoted.raw()).isEqualTo(200);
      assertThat(promoted.body().at("/cohort/phase").asText()).isEqualTo("NEW_READS");
      assertThat(promoted.body().get("version").asLong()).isEqualTo(version + 1);
      assertThat(get(router, "/v1/route/customer/anyone", VIEWER).body().get("version").asLong()).isEqualTo(version + 1);
      JsonNode gate = lastAuditEntry(router).get("gate");
      assertThat(gate.get("forced").asBoolean()).isFalse();
      assertThat(gate.get("overridden")).isEmpty();
      assertThat(texts(gate.get("evidence"))).satisfiesExactly(
          e -> assertThat(e).startsWith("customer/beta verified clean at ").contains("by the customer/beta pass"),
          e -> assertThat(e).startsWith("replication lag of customer 120 ms at "),
          e -> assertThat(e).startsWith("capture lag of customer 0 ms at "));
    }
  }

  @Test
  void forcingNeedsAnAdminWhoseReasonAndOverriddenConditionsAreAudited() throws Exception {
    String routing = unique("tandem.routing");
    String status = unique("tandem.status");
    JsonNode forcedEntry;
    try (RouterServer router = gatedReplica(routing, status)) {
      createBetaInShadow(router, 1);
      long version = router.log().state().version();
      int audited = router.log().machine().audit().size();

      Response operatorForces = post(router, PROMOTE, OPERATOR, "{\"reason\":\"trust me\",\"force\":true}");
      assertThat(operatorForces.status()).as(operatorForces.raw()).isEqualTo(403);
      assertThat(operatorForces.contentType()).startsWith("application/problem+json");
      assertThat(operatorForces.body().get("detail").asText()).contains("alice", "operator", "admin");
      assertThat(router.log().state().version()).isEqualTo(version);
      assertThat(router.log().machine().audit()).hasSize(audited);
      assertThat(router.log().state().entity("customer").orElseThrow().cohort("beta").orElseThrow().phase().name())
          .isEqualTo("SHADOW");
      // An admin is gated like anyone unless they force.
      assertThat(conditions(refused(router, ADMIN, "{\"reason\":\"as admin\"}"))).hasSize(3);
      Response badForce = post(router, PROMOTE, ADMIN, "{\"reason\":\"x\",\"force\":\"yes\"}");
      assertThat(badForce.status()).isEqualTo(422);

      Response forced = post(router, PROMOTE, ADMIN,
          "{\"reason\":\"incident 42: verifier down, data checked by hand\",\"force\":true}");
      assertThat(forced.status()).as(forced.raw()).isEqualTo(200);
      assertThat(forced.body().at("/cohort/phase").asText()).isEqualTo("NEW_READS");
      forcedEntry = lastAuditEntry(router);
      assertThat(forcedEntry.get("actor").asText()).isEqualTo("root");
      assertThat(forcedEntry.get("reason").asText()).isEqualTo("incident 42: verifier down, data checked by hand");
      assertThat(forcedEntry.at("/gate/forced").asBoolean()).isTrue();
      assertThat(texts(forcedEntry.at("/gate/overridden"))).containsExactly(
          "no clean verification of customer/beta newer than PT1H (none published)",
          "no replication-lag report for customer in the last PT1M (none published)",
          "no capture lag report for customer in the last PT1M (none published)");
    }
    // The override is in the routing log itself: a replica started later shows the same audit entry.
    try (RouterServer restarted = gatedReplica(routing, status)) {
      assertThat(lastAuditEntry(restarted)).isEqualTo(forcedEntry);
    }
  }

  @Test
  void aPassOfTheCohortFromBeforeItsPercentChangedDoesNotCountNorDoesItCoverGrowth() throws Exception {
    try (RouterServer router = gatedReplica(unique("tandem.routing"), unique("tandem.status"))) {
      createBetaInShadow(router, 1);
      long verifiedAt = router.log().state().version();
      Instant now = Instant.now();
      publish(router, new StatusRecord.Lag("customer", 50, now, "sink"));
      publish(router, new StatusRecord.Lag("customer", 0, now, "capture"));
      publish(router, pass("beta", true, verifiedAt, now.minusSeconds(60), 0));
      Response grown = post(router, "/v1/entities/customer/cohorts/beta/percent", OPERATOR,
          "{\"percent\":5,\"reason\":\"more shadow traffic\"}");
      assertThat(grown.status()).as("growing a SHADOW cohort is not gated: " + grown.raw()).isEqualTo(200);

      assertThat(conditions(refused(router, OPERATOR, "{\"reason\":\"verified\"}"))).singleElement().asString()
          .isEqualTo("no clean verification of customer/beta newer than PT1H (the clean customer/beta pass at "
              + now.minusSeconds(60) + " verified other members: at routing version " + verifiedAt
              + " its selector was 1 %, now 5 %)");

      publish(router, pass("beta", true, router.log().state().version(), Instant.now(), 0));
      assertThat(post(router, PROMOTE, OPERATOR, "{\"reason\":\"verified at 5 %\"}").status()).isEqualTo(200);

      // Growing it now that it serves new reads adds keys its own pass never compared.
      Response growth = post(router, "/v1/entities/customer/cohorts/beta/percent", OPERATOR,
          "{\"percent\":10,\"reason\":\"next wave\"}");
      assertThat(growth.status()).as(growth.raw()).isEqualTo(409);
      assertThat(growth.body().get("type").asText()).isEqualTo(GATE_REFUSED);
      assertThat(growth.body().get("detail").asText())
          .contains("customer/beta (NEW_READS) gains keys never verified as its members: its selector was 5 %, now 10 %");
      publish(router, pass("*", true, router.log().state().version(), Instant.now(), 0));
      Response wider = post(router, "/v1/entities/customer/cohorts/beta/percent", OPERATOR,
          "{\"percent\":10,\"reason\":\"next wave, entity verified\"}");
      assertThat(wider.status()).as(wider.raw()).isEqualTo(200);
      assertThat(wider.body().at("/cohort/selector/basisPoints").asInt()).isEqualTo(1000);
      assertThat(texts(lastAuditEntry(router).at("/gate/evidence")).get(0)).contains("by the customer/* pass");
    }
  }

  // ---- helpers ----

  private static void createBetaInShadow(RouterServer router, int percent) throws Exception {
    Response created = post(router, "/v1/entities/customer/cohorts", OPERATOR,
        "{\"name\":\"beta\",\"percent\":" + percent + ",\"phase\":\"SHADOW\",\"reason\":\"beta\"}");
    assertThat(created.status()).as(created.raw()).isEqualTo(201);
  }

  /** Promotes beta expecting a 409 gate refusal that changes nothing. */
  private static Response refused(RouterServer router, String token, String body) throws Exception {
    long version = router.log().state().version();
    int audited = router.log().machine().audit().size();
    Response response = post(router, PROMOTE, token, body);
    assertThat(response.status()).as(response.raw()).isEqualTo(409);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.body().get("type").asText()).isEqualTo(GATE_REFUSED);
    assertThat(response.body().get("title").asText()).isEqualTo("Promotion gate refused");
    assertThat(response.body().has("currentVersion")).as("not a version conflict").isFalse();
    assertThat(texts(response.body().get("gatedMoves"))).containsExactly("customer/beta SHADOW -> NEW_READS");
    for (String condition : texts(response.body().get("failedConditions"))) {
      assertThat(response.body().get("detail").asText()).contains(condition);
    }
    assertThat(router.log().state().version()).isEqualTo(version);
    assertThat(router.log().machine().audit()).hasSize(audited);
    return response;
  }

  private static List<String> conditions(Response refusal) {
    return texts(refusal.body().get("failedConditions"));
  }

  private static List<String> texts(JsonNode array) {
    assertThat(array.isArray()).as(String.valueOf(array)).isTrue();
    List<String> texts = new ArrayList<>();
    array.forEach(t -> texts.add(t.asText()));
    return texts;
  }

  private static JsonNode lastAuditEntry(RouterServer router) throws Exception {
    JsonNode entries = get(router, "/v1/audit?entity=customer", VIEWER).body().get("entries");
    return entries.get(entries.size() - 1);
  }

  private static StatusRecord.Verification pass(String cohort, boolean clean, long version, Instant finished,
      long differences) {
    return new StatusRecord.Verification("customer", cohort, clean, finished.minusSeconds(20), finished, version, 1000,
        differences);
  }

  /** Publishes a fact and waits until the replica's status board holds it. */
  private static void publish(RouterServer router, StatusRecord record) throws Exception {
    StatusBoard board = router.statusBoard().orElseThrow();
    send(board.topic(), record.key(), StatusCodec.encode(record));
    await().atMost(Duration.ofSeconds(10)).until(() -> (record instanceof StatusRecord.Lag lag
        ? (StatusRecord.Lag.CAPTURE.equals(lag.source()) ? board.captureLag(lag.entity()) : board.lag(lag.entity()))
            .map(StatusRecord.class::cast)
        : board.verification(record.entity(), ((StatusRecord.Verification) record).cohort())
            .map(StatusRecord.class::cast)).equals(Optional.of(record)));
  }

  private static void send(String topic, String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
  }
}
