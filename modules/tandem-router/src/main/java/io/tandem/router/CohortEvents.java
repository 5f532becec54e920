package io.tandem.router;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Cohort;
import io.tandem.routing.CohortChange;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingState;
import io.tandem.routing.Selector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cohort lifecycle events for customer communication: every routing change a proposal of this replica made is
 * announced per cohort it changed (created, phase changed, selector changed, deleted) on a topic and to the
 * configured webhooks, with how to enumerate the cohort's customers ({@code tandem cohort members}). The replica
 * that wrote the proposal announces it, once; a replica that dies between applying and announcing loses that
 * announcement (the routing log and {@code tandem cohort audit} keep the change itself).
 */
public final class CohortEvents implements AutoCloseable {
  public static final String DEFAULT_TOPIC = "tandem.cohort.events";
  /** Webhook calls waiting at most; beyond, an event is not sent to the webhooks (counted). */
  static final int WEBHOOK_QUEUE = 1_000;
  private static final int ATTEMPTS = 3;
  private static final Logger LOG = LoggerFactory.getLogger(CohortEvents.class);

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;
  private final List<RouterSettings.Webhook> webhooks;
  private final Map<String, String> env;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ThreadPoolExecutor calls = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new ArrayBlockingQueue<>(WEBHOOK_QUEUE), r -> {
        Thread thread = new Thread(r, "tandem-cohort-webhooks");
        thread.setDaemon(true);
        return thread;
      }, new ThreadPoolExecutor.AbortPolicy());
  private final Counter published;
  private final Counter webhookFailures;
  private volatile RoutingState previous;

  private CohortEvents(Map<String, Object> kafka, String topic, List<RouterSettings.Webhook> webhooks,
      Map<String, String> env, MeterRegistry meters) {
    this.topic = topic;
    this.webhooks = List.copyOf(webhooks);
    this.env = Map.copyOf(env);
    this.producer = KafkaClients.fromConfig(kafka).producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, "5"),
        Map.of(ProducerConfig.ACKS_CONFIG, "all"));
    this.published = Counter.builder("tandem.router.cohort.events").description("Cohort lifecycle events published")
        .register(meters);
    this.webhookFailures = Counter.builder("tandem.router.webhook.failures")
        .description("Cohort events a webhook did not take after every attempt (or the queue was full)")
        .register(meters);
  }

  /** Creates the topic when missing and announces, from now on, the changes {@code writer}'s proposals make. */
  public static CohortEvents start(Map<String, Object> kafka, String topic, short replicationFactor,
      List<RouterSettings.Webhook> webhooks, Map<String, String> env, MeterRegistry meters, RoutingLog log,
      RoutingLogWriter writer) {
    Topics.ensure(KafkaClients.fromConfig(kafka), TopicSpec.singlePartition(topic, replicationFactor,
        TopicSpec.keptForever()));
    CohortEvents events = new CohortEvents(kafka, topic, webhooks, env, meters);
    events.previous = log.state();
    log.onApplied(entry -> events.applied(entry, log.state(), writer));
    return events;
  }

  /** Runs on the routing log's follower thread, after each record: {@code now} is the state it made. */
  private void applied(AuditEntry entry, RoutingState now, RoutingLogWriter writer) {
    RoutingState before = previous;
    previous = now;
    if (!entry.applied() || entry.proposal() == null || !writer.proposedHere(entry.proposal().id())) {
      return;
    }
    for (CohortChange change : CohortChange.between(before, now)) {
      byte[] event = event(change, entry).toString().getBytes(StandardCharsets.UTF_8);
      producer.send(new ProducerRecord<>(topic, (change.entity() + "/" + change.cohort())
          .getBytes(StandardCharsets.UTF_8), event), (metadata, error) -> {
            if (error != null) {
              LOG.warn("Cohort event for {}/{} not published: {}", change.entity(), change.cohort(), error.toString());
            } else {
              published.increment();
            }
          });
      for (RouterSettings.Webhook webhook : webhooks) {
        try {
          calls.execute(() -> call(webhook, event));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          webhookFailures.increment();
          LOG.warn("Webhook queue full ({} calls): cohort event for {}/{} not sent to {}", WEBHOOK_QUEUE,
              change.entity(), change.cohort(), webhook.url());
        }
      }
    }
  }

  static ObjectNode event(CohortChange change, AuditEntry entry) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("type", "cohort." + change.type().name().toLowerCase(Locale.ROOT));
    event.put("entity", change.entity());
    event.put("cohort", change.cohort());
    change.from().ifPresentOrElse(c -> event.put("fromPhase", c.phase().name()), () -> event.putNull("fromPhase"));
    change.to().ifPresentOrElse(c -> event.put("toPhase", c.phase().name()), () -> event.putNull("toPhase"));
    change.to().or(change::from).ifPresent(c -> event.set("selector", selector(c)));
    event.put("routingVersion", entry.version());
    event.put("at", entry.proposal().time().toString());
    event.put("actor", entry.proposal().actor());
    event.put("reason", entry.proposal().reason());
    event.put("rollback", entry.proposal().rollback());
    event.put("members", "tandem cohort members " + change.entity() + " " + change.cohort());
    return event;
  }

  private static ObjectNode selector(Cohort cohort) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    Selector selector = cohort.selector();
    if (selector instanceof Selector.Keys keys) {
      node.put("kind", "keys").put("keys", keys.keys().size());
    } else if (selector instanceof Selector.Percent percent) {
      node.put("kind", "percent").put("percent", percent.basisPoints() / 100.0);
    } else if (selector instanceof Selector.Rule rule) {
      node.put("kind", "rule").put("rule", rule.expression());
    }
    return node;
  }

  private void call(RouterSettings.Webhook webhook, byte[] event) {
    HttpRequest.Builder request = HttpRequest.newBuilder(webhook.url()).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(event));
    webhook.secretEnv().ifPresent(name -> request.header("X-Tandem-Signature", "sha256=" + hmac(env.get(name),
        event)));
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
          return;
        }
        LOG.warn("Webhook {} answered {} (attempt {} of {})", webhook.url(), response.statusCode(), attempt, ATTEMPTS);
      } catch (java.io.IOException e) {
        LOG.warn("Webhook {} failed (attempt {} of {}): {}", webhook.url(), attempt, ATTEMPTS, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        Thread.sleep(1000L * attempt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    webhookFailures.increment();
  }

  static String hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    calls.shutdownNow();
    producer.close(Duration.ofSeconds(5));
  }
}
