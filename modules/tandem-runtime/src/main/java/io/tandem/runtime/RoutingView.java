package io.tandem.runtime;

import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.kafka.KafkaClients;
import io.tandem.kafka.TopicSpec;
import io.tandem.kafka.Topics;
import io.tandem.routing.Decision;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.Target;
import io.tandem.sink.WriteOwnership;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The routing log as the sinks need it during coexistence: who owns each key's writes now (docs/coexistence.md,
 * "Ownership"). Follows the log like a router replica and decides with the same code; starting waits until
 * the log is replayed, so no sink judges a key by an empty state.
 */
final class RoutingView extends LifecycleComponent {
  private static final Duration REPLAY = Duration.ofSeconds(60);

  private final KafkaClients kafka;
  private final String topic;
  private volatile RoutingLog log;

  RoutingView(KafkaClients kafka, String topic) {
    super("routing-view");
    this.kafka = kafka;
    this.topic = topic;
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      // The router creates it too; the pipeline may well start first.
      Topics.ensure(kafka, TopicSpec.singlePartition(topic, (short) -1, TopicSpec.keptForever()));
      RoutingLog following = RoutingLog.follow(kafka.config(), topic);
      log = following;
      following.awaitCaughtUp(REPLAY);
      lifecycle.markRunning();
    } catch (TimeoutException | RuntimeException e) {
      lifecycle.finish(e);
      throw new IllegalStateException("cannot replay the routing log " + topic + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      lifecycle.finish(e);
      throw new IllegalStateException("interrupted while replaying the routing log " + topic, e);
    }
  }

  /** The followed log, once started. */
  RoutingLog log() {
    return log;
  }

  /** FAILED once the log follower stopped by itself: ownership can no longer be decided. */
  @Override
  public io.tandem.core.lifecycle.State state() {
    io.tandem.core.lifecycle.State state = super.state();
    RoutingLog current = log;
    return state == io.tandem.core.lifecycle.State.RUNNING && current != null && !current.healthy()
        ? io.tandem.core.lifecycle.State.FAILED : state;
  }

  /** Ownership as seen by a sink reading changes written on {@code source}. */
  WriteOwnership forChangesFrom(Target source) {
    return new WriteOwnership() {
      @Override
      public Verdict check(String entity, String routingKey) {
        Decision decision = log.state().decide(entity, routingKey);
        return new Verdict(decision.write() == source, decision.version(), decision.cohort(), decision.phase().name());
      }

      @Override
      public boolean catchUp(Duration timeout) {
        try {
          log.awaitEnd(timeout);
          return true;
        } catch (TimeoutException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    };
  }

  @Override
  public String status() {
    RoutingLog current = log;
    return state() + "  " + topic + (current == null ? "" : " at routing version " + current.state().version());
  }

  @Override
  public void close() {
    lifecycle.requestStop();
    RoutingLog current = log;
    if (current != null) {
      current.close();
    }
    lifecycle.finish(null);
  }
}
