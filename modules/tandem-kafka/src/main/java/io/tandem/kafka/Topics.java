package io.tandem.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Tandem reads and writes before anything uses them: Kafka Streams refuses to start
 * on missing source topics, and auto-created topics would get the broker's defaults. The one place
 * topics are created.
 */
public final class Topics {
  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

  /** How long one call waits for Kafka unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private Topics() {}

  /** {@link #ensure(KafkaClients, Collection, Duration)} with the default timeout. */
  /** Records {@code topic} holds now: its end minus its beginning, summed over its partitions. */
  public static long recordsHeld(org.apache.kafka.clients.consumer.Consumer<?, ?> consumer, String topic,
      Duration timeout) {
    List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
        .map(p -> new org.apache.kafka.common.TopicPartition(p.topic(), p.partition())).toList();
    Map<org.apache.kafka.common.TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
    Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
    return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
  }

  public static List<String> ensure(KafkaClients kafka, Collection<TopicSpec> topics) {
    return ensure(kafka, topics, DEFAULT_TIMEOUT);
  }

  /** {@link #ensure(KafkaClients, Collection, Duration)} for one topic. */
  public static List<String> ensure(KafkaClients kafka, TopicSpec topic) {
    return ensure(kafka, List.of(topic), DEFAULT_TIMEOUT);
  }

  /**
   * Creates the missing topics (one that appears meanwhile counts as existing) and checks the existing
   * strict ones.
   *
   * @return the names of the topics this call created
   * @throws TopicException naming the topics and why, when Kafka is not reached in time, refuses, or an
   *     existing strict topic does not fit
   */
  public static List<String> ensure(KafkaClients kafka, Collection<TopicSpec> topics, Duration timeout) {
    if (topics.isEmpty()) {
      return List.of();
    }
    List<String> names = topics.stream().map(TopicSpec::name).distinct().toList();
    try (Admin admin = kafka.admin("tandem-topics")) {
      String servers = kafka.bootstrapServers();
      Set<String> existing = await(admin.listTopics().names(), timeout, servers, "list the topics");
      List<NewTopic> missing = new ArrayList<>();
      List<TopicSpec> toCheck = new ArrayList<>();
      for (TopicSpec topic : distinct(topics)) {
        if (existing.contains(topic.name())) {
          if (topic.strict()) {
            toCheck.add(topic);
          }
        } else {
          missing.add(new NewTopic(topic.name(), Optional.of(topic.partitions()), topic.replicationFactor() > 0
              ? Optional.of(topic.replicationFactor()) : Optional.empty()).configs(topic.configs()));
        }
      }
      List<String> created = create(admin, missing, topics, timeout, servers, toCheck);
      check(admin, toCheck, timeout, servers);
      awaitLeaders(admin, created, timeout);
      if (!created.isEmpty()) {
        LOG.info("Created topics {}", created);
      }
      return created;
    } catch (TopicException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TopicException("cannot set up topics " + names + " on " + kafka.bootstrapServers() + ": "
          + e.getMessage(), e, false);
    }
  }

  private static List<TopicSpec> distinct(Collection<TopicSpec> topics) {
    return List.copyOf(topics.stream().collect(Collectors.toMap(TopicSpec::name, t -> t, (a, b) -> a,
        java.util.LinkedHashMap::new)).values());
  }

  private static List<String> create(Admin admin, List<NewTopic> missing, Collection<TopicSpec> specs,
      Duration timeout, String servers, List<TopicSpec> toCheck) {
    if (missing.isEmpty()) {
      return List.of();
    }
    CreateTopicsResult result = admin.createTopics(missing);
    List<String> created = new ArrayList<>();
    for (NewTopic topic : missing) {
      try {
        await(result.values().get(topic.name()), timeout, servers, "create topic " + topic.name());
        created.add(topic.name());
      } catch (TopicException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
        // Created meanwhile by another instance: check it like any existing one.
        specs.stream().filter(s -> s.name().equals(topic.name()) && s.strict()).findFirst().ifPresent(toCheck::add);
      }
    }
    return created;
  }

  /** One order needs one partition; the cleanup policy decides whether old records (schemas, audit) survive. */
  private static void check(Admin admin, List<TopicSpec> topics, Duration timeout, String servers) {
    if (topics.isEmpty()) {
      return;
    }
    Set<String> names = topics.stream().map(TopicSpec::name).collect(Collectors.toSet());
    Map<String, TopicDescription> descriptions = describe(admin, names, timeout, servers);
    List<ConfigResource> resources = names.stream().map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs = await(admin.describeConfigs(resources).all(), timeout,
        servers, "describe the settings of topics " + names);
    for (TopicSpec topic : topics) {
      int partitions = descriptions.get(topic.name()).partitions().size();
      if (partitions != topic.partitions()) {
        throw new TopicException("topic " + topic.name() + " has " + partitions + " partitions; it must have exactly "
            + topic.partitions() + " so that every reader sees one order", null, false);
      }
      ConfigEntry policy = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic.name()))
          .get(TopicConfig.CLEANUP_POLICY_CONFIG);
      String actual = policy == null ? TopicConfig.CLEANUP_POLICY_DELETE : policy.value();
      if (!actual.equals(topic.cleanupPolicy())) {
        throw new TopicException("topic " + topic.name() + " has cleanup.policy=" + actual + "; it must be '"
            + topic.cleanupPolicy() + "'" + (topic.cleanupPolicy().equals(TopicConfig.CLEANUP_POLICY_COMPACT)
            ? " or records would be deleted by retention" : " or records would be lost to compaction"), null, false);
      }
    }
  }

  /**
   * The controller has committed a new topic; the brokers' metadata follows a moment later. Waiting for a
   * leader per partition lets the caller produce and consume at once (Kafka Streams refuses a source
   * topic it cannot see).
   */
  private static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!topics.isEmpty()) {
      try {
        Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (described.values().stream().allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null))) {
          return;
        }
      } catch (ExecutionException e) {
        // not known to the broker we asked yet: ask again
      } catch (TimeoutException e) {
        throw new TopicException("topics " + topics + " have no leader after " + timeout.toSeconds() + " s", e, true);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicException("interrupted while waiting for the leaders of " + topics, e, true);
      }
      if (System.nanoTime() > deadline) {
        throw new TopicException("topics " + topics + " have no leader after " + timeout.toSeconds() + " s", null,
            true);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopicException("interrupted while waiting for the leaders of " + topics, e, true);
      }
    }
  }

  // A topic created a moment ago may not be known to the broker answering yet: retriable, within the timeout.
  private static Map<String, TopicDescription> describe(Admin admin, Set<String> names, Duration timeout,
      String servers) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return await(admin.describeTopics(names).allTopicNames(), timeout, servers, "describe topics " + names);
      } catch (TopicException e) {
        if (!e.timedOut() || System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static <T> T await(KafkaFuture<T> future, Duration timeout, String servers, String what) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // The client's own timeouts and broker hiccups are retriable: worth trying again later.
      boolean retriable = e.getCause() instanceof RetriableException;
      throw new TopicException((retriable ? "cannot reach Kafka at " + servers + " to " : "cannot ") + what
          + (retriable ? "" : " on " + servers) + ": " + e.getCause().getMessage(), e.getCause(), retriable);
    } catch (TimeoutException e) {
      throw new TopicException("cannot reach Kafka at " + servers + " to " + what + ": no answer within "
          + timeout.toSeconds() + " s", e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopicException("interrupted while trying to " + what, e, true);
    }
  }
}
