package io.tandem.runtime;

import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import java.util.List;
import java.util.Optional;

/**
 * Creates the topics the deployment's stages read and write before any of them starts (Kafka Streams
 * refuses missing source topics; auto-created ones would get the broker's defaults). A step, supervised
 * like the components so that its failure is named like theirs: it stays RUNNING, with nothing to do,
 * until the deployment stops.
 */
final class TopicSetup extends LifecycleComponent {
  private final KafkaClients kafka;
  private final List<TopicSpec> topics;
  private volatile List<String> created = List.of();

  TopicSetup(KafkaClients kafka, List<TopicSpec> topics) {
    super("topics");
    this.kafka = kafka;
    this.topics = List.copyOf(topics);
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      created = Topics.ensure(kafka, topics);
      lifecycle.markRunning();
    } catch (RuntimeException e) {
      lifecycle.finish(e);
      throw e;
    }
  }

  @Override
  public String status() {
    return state() + "  " + topics.size() + " topics there (" + created.size() + " created)";
  }

  @Override
  public void close() {
    lifecycle.requestStop();
    lifecycle.finish(null);
  }
}
